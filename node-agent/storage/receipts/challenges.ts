/**
 * @module Byte-range challenges for usage proofs, derived from a chain block hash: the node cannot know them
 * before that block exists, and every coordinator recomputes the same ones. Shared by node and committee.
 */
import { concat, u64be, utf8 } from "../../../chain-app/encoding.js";
import { sha256, toHex } from "../../../common/hash.js";

/** How many ranges a proof answers (fewer when the workload has fewer chunks) and their maximum length. */
export const CHALLENGES_PER_PROOF = 4;
export const CHALLENGE_BYTES = 4096;

/** workload id of a stored upload: sha256("dsdn.workload.storage\0" || manifest cid). */
export function storageWorkloadId(manifestCid: string): Uint8Array {
  return sha256(concat(utf8("dsdn.workload.storage\0"), utf8(manifestCid)));
}

/** seed = sha256("dsdn.receipts.v1.challenge\0" || anchor block hash || node id || workload id || epoch). */
export function challengeSeed(
  anchorHash: Uint8Array,
  nodeId: Uint8Array,
  workloadId: Uint8Array,
  epoch: bigint,
): Uint8Array {
  return sha256(concat(utf8("dsdn.receipts.v1.challenge\0"), anchorHash, nodeId, workloadId, u64be(epoch)));
}

export interface Challenge {
  readonly cid: string;
  readonly offset: number;
  readonly length: number;
}

const draw = (seed: Uint8Array, i: number, what: string, mod: bigint): bigint =>
  BigInt(`0x${toHex(sha256(concat(seed, u64be(BigInt(i)), utf8(what))))}`) % mod;

/**
 * Challenge i picks chunk draw(i,"chunk") mod n over the chunks sorted by cid, a length of
 * min(CHALLENGE_BYTES, size) and an offset draw(i,"offset") mod (size − length + 1).
 */
export function deriveChallenges(seed: Uint8Array, chunks: readonly { cid: string; size: bigint }[]): Challenge[] {
  const sorted = [...chunks].sort((a, b) => (a.cid < b.cid ? -1 : a.cid > b.cid ? 1 : 0));
  const count = Math.min(CHALLENGES_PER_PROOF, sorted.length);
  const out: Challenge[] = [];
  for (let i = 0; i < count; i++) {
    const c = sorted[Number(draw(seed, i, "chunk", BigInt(sorted.length)))]!;
    const length = c.size < BigInt(CHALLENGE_BYTES) ? c.size : BigInt(CHALLENGE_BYTES);
    const offset = draw(seed, i, "offset", c.size - length + 1n);
    out.push({ cid: c.cid, offset: Number(offset), length: Number(length) });
  }
  return out;
}

/** Which chunk (index into the cid-sorted list) a verifier downloads whole and checks against its CID. */
export function fullCheckIndex(seed: Uint8Array, n: number): number {
  return Number(draw(seed, 0, "full", BigInt(n)));
}

/** answer = sha256("dsdn.receipts.v1.RangeAnswer\0" || seed || bytes): binds the bytes to this proof. */
export function rangeAnswer(seed: Uint8Array, bytes: Uint8Array): Uint8Array {
  return sha256(concat(utf8("dsdn.receipts.v1.RangeAnswer\0"), seed, bytes));
}
