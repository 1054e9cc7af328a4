/** @module Which stripe a stored shard belongs to: the JSON form clients send, its checks, and its DA (ErasureShard) form. */
import { isValidCid } from "../../../common/cid.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import type { ErasureShard } from "../../../proto/gen/dsdn/da/v1/events.js";
import { MAX_CHUNK_SIZE } from "../chunker.js";
import { assertErasure, type ErasureParams, shardObjectSize } from "./codec.js";

export interface ShardInfo {
  readonly chunkCid: string;
  readonly chunkSize: number;
  readonly k: number;
  readonly m: number;
  /** This shard's position in `stripe`. */
  readonly index: number;
  /** All k + m shard CIDs of the stripe, in shard order. */
  readonly stripe: readonly string[];
}

/** The JSON schema of a ShardInfo in coordinator requests (bounded: at most 30 shards). */
export const SHARD_INFO_SCHEMA = {
  type: "object",
  required: ["chunkCid", "chunkSize", "k", "m", "index", "stripe"],
  additionalProperties: false,
  properties: {
    chunkCid: { type: "string", maxLength: 128 },
    chunkSize: { type: "integer", minimum: 1 },
    k: { type: "integer", minimum: 1, maximum: 24 },
    m: { type: "integer", minimum: 1, maximum: 6 },
    index: { type: "integer", minimum: 0, maximum: 29 },
    stripe: { type: "array", minItems: 2, maxItems: 30, items: { type: "string", maxLength: 128 } },
  },
} as const;

/**
 * Checks that `shard` describes a well-formed stripe holding object (`cid`, `size`) at its index: a code the
 * codec supports, k + m distinct valid CIDs, and the object's size exactly a shard of that chunk.
 */
export function checkShardInfo(cid: string, size: bigint | number, shard: ShardInfo): void {
  const bad = (why: string) => new InvalidArgumentError(`shard ${cid.slice(0, 80)}: ${why}`);
  try {
    assertErasure(shard);
  } catch (e) {
    throw bad((e as Error).message);
  }
  if (shard.stripe.length !== shard.k + shard.m) throw bad(`stripe lists ${shard.stripe.length} shards, not k+m`);
  if (new Set(shard.stripe).size !== shard.stripe.length) throw bad("stripe lists a shard twice");
  for (const s of [shard.chunkCid, ...shard.stripe]) if (!isValidCid(s)) throw bad(`"${s.slice(0, 80)}" is not a CID`);
  if (shard.stripe[shard.index] !== cid) throw bad(`stripe position ${shard.index} is not this shard`);
  if (!Number.isSafeInteger(shard.chunkSize) || shard.chunkSize < 1 || shard.chunkSize > MAX_CHUNK_SIZE + 16)
    throw bad(`chunk size ${shard.chunkSize} out of range`);
  if (BigInt(size) !== BigInt(shardObjectSize(shard.chunkSize, shard.k)))
    throw bad(`${size} bytes is not a shard of a ${shard.chunkSize}-byte chunk under ${shard.k}+${shard.m}`);
}

export function shardToProto(s: ShardInfo): ErasureShard {
  return {
    chunkCid: s.chunkCid,
    chunkSize: BigInt(s.chunkSize),
    dataShards: s.k,
    parityShards: s.m,
    index: s.index,
    stripe: [...s.stripe],
  };
}

export function shardFromProto(s: ErasureShard): ShardInfo {
  return {
    chunkCid: s.chunkCid,
    chunkSize: Number(s.chunkSize),
    k: s.dataShards,
    m: s.parityShards,
    index: s.index,
    stripe: s.stripe,
  };
}

export function erasureOf(s: ShardInfo): ErasureParams {
  return { k: s.k, m: s.m };
}
