/** @module Reed–Solomon erasure coding of one chunk into k data + m parity shards (native codec, thread pool). */
/// <reference path="./ronomon.d.ts" />
import { createRequire } from "node:module";
import type * as RS from "@ronomon/reed-solomon";
import { parseCid } from "../../../common/cid.js";
import { IntegrityError, InvalidArgumentError } from "../../../common/errors.js";

// Loaded through require: the package is CommonJS around a native addon (a bundler must not transform it).
const ReedSolomon = createRequire(import.meta.url)("@ronomon/reed-solomon") as typeof RS;

/** A code: any `k` of the `k + m` shards rebuild the chunk; up to `m` may be lost. */
export interface ErasureParams {
  readonly k: number;
  readonly m: number;
}

/** The network default for large files (1.4× stored; survives any 4 lost shards). */
export const DEFAULT_ERASURE: ErasureParams = { k: 10, m: 4 };
/** The codec's limits (a shard set is addressed by a 32-bit mask). */
export const MAX_DATA_SHARDS = ReedSolomon.MAX_K;
export const MAX_PARITY_SHARDS = ReedSolomon.MAX_M;

export function assertErasure(p: ErasureParams): void {
  if (!Number.isInteger(p.k) || p.k < 1 || p.k > MAX_DATA_SHARDS)
    throw new InvalidArgumentError(`erasure code: k must be 1–${MAX_DATA_SHARDS}, got ${p.k}`);
  if (!Number.isInteger(p.m) || p.m < 1 || p.m > MAX_PARITY_SHARDS)
    throw new InvalidArgumentError(`erasure code: m must be 1–${MAX_PARITY_SHARDS}, got ${p.m}`);
}

/** Parses "k+m" (as `dsdn upload --ec 4+2`). */
export function parseErasure(s: string): ErasureParams {
  const match = /^(\d{1,2})\+(\d{1,2})$/.exec(s.trim());
  if (!match) throw new InvalidArgumentError(`--ec must be k+m (e.g. 10+4), got "${s}"`);
  const p = { k: Number(match[1]), m: Number(match[2]) };
  assertErasure(p);
  return p;
}

/** Bytes per shard for a chunk of `size` bytes: ⌈size / k⌉ rounded up to 8 (the codec works in 8-byte words). */
export function shardSize(size: number, k: number): number {
  return Math.max(8, Math.ceil(Math.ceil(size / k) / 8) * 8);
}

const contexts = new Map<string, RS.Context>();
function context(p: ErasureParams): RS.Context {
  const key = `${p.k}+${p.m}`;
  let c = contexts.get(key);
  if (!c) {
    c = ReedSolomon.create(p.k, p.m);
    contexts.set(key, c);
  }
  return c;
}

function run(p: ErasureParams, sources: number, targets: number, data: Buffer, parity: Buffer): Promise<void> {
  return new Promise((resolve, reject) =>
    ReedSolomon.encode(context(p), sources, targets, data, 0, data.length, parity, 0, parity.length, (e) =>
      e ? reject(e) : resolve(),
    ),
  );
}

/**
 * Splits `chunk` into k data shards (zero-padded to a whole shard) and computes m parity shards. The shards
 * are views into two buffers (no copy per shard); shard i < k is data, i ≥ k parity.
 */
export async function encodeShards(chunk: Uint8Array, p: ErasureParams): Promise<Buffer[]> {
  assertErasure(p);
  const ss = shardSize(chunk.length, p.k);
  // One allocation for all k + m shards (one set of fresh pages, not two); every byte is written below.
  const all = Buffer.allocUnsafe(ss * (p.k + p.m));
  const data = all.subarray(0, ss * p.k);
  data.set(chunk);
  data.fill(0, chunk.length); // zero padding, so the shards are a function of the chunk alone
  const parity = all.subarray(ss * p.k);
  let sources = 0;
  for (let i = 0; i < p.k; i++) sources |= 1 << i;
  let targets = 0;
  for (let i = p.k; i < p.k + p.m; i++) targets |= 1 << i;
  await run(p, sources, targets, data, parity);
  const out: Buffer[] = [];
  for (let i = 0; i < p.k; i++) out.push(data.subarray(i * ss, (i + 1) * ss));
  for (let i = 0; i < p.m; i++) out.push(parity.subarray(i * ss, (i + 1) * ss));
  return out;
}

/**
 * Rebuilds the shards at `want` from the shards given (index → bytes; at least k of them, each of the
 * chunk's shard size). Returns the wanted shards in the order asked. The caller verifies every input shard
 * (its CID) first: the code corrects erasures, not errors.
 */
export async function rebuildShards(
  shards: ReadonlyMap<number, Uint8Array>,
  p: ErasureParams,
  chunkSize: number,
  want: readonly number[],
): Promise<Buffer[]> {
  const { data, parity, ss } = await rebuild(shards, p, chunkSize, want);
  return want.map((i) =>
    i < p.k ? data.subarray(i * ss, (i + 1) * ss) : parity.subarray((i - p.k) * ss, (i - p.k + 1) * ss),
  );
}

/** rebuildShards' work: the k data shards in one buffer and the m parity shards in another, `want` filled in. */
async function rebuild(
  shards: ReadonlyMap<number, Uint8Array>,
  p: ErasureParams,
  chunkSize: number,
  want: readonly number[],
): Promise<{ data: Buffer; parity: Buffer; ss: number }> {
  assertErasure(p);
  const n = p.k + p.m;
  const ss = shardSize(chunkSize, p.k);
  const data = Buffer.alloc(ss * p.k);
  const parity = Buffer.alloc(ss * p.m);
  let sources = 0;
  let count = 0;
  for (const [i, bytes] of shards) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(`shard index ${i} outside 0–${n - 1}`);
    if (bytes.length !== ss)
      throw new IntegrityError(`shard ${i} is ${bytes.length} bytes, expected ${ss} for a ${chunkSize}-byte chunk`);
    if (count >= p.k) continue; // k sources suffice; the rest are not read
    (i < p.k ? data : parity).set(bytes, (i < p.k ? i : i - p.k) * ss);
    sources |= 1 << i;
    count++;
  }
  if (count < p.k)
    throw new IntegrityError(`only ${count} of the ${p.k} shards needed to rebuild a ${p.k}+${p.m} chunk`);
  let targets = 0;
  for (const i of want) {
    if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(`shard index ${i} outside 0–${n - 1}`);
    if (!(sources & (1 << i))) targets |= 1 << i;
  }
  if (targets !== 0) await run(p, sources, targets, data, parity);
  return { data, parity, ss };
}

/**
 * Rebuilds the chunk (its first `chunkSize` bytes of data shards) from any k shards. The data shards are
 * rebuilt in place, one after another, so the chunk is a view of them (no second 16 MiB copy); the view's
 * buffer holds only the chunk and its zero padding (under 8·k bytes).
 */
export async function decodeShards(
  shards: ReadonlyMap<number, Uint8Array>,
  p: ErasureParams,
  chunkSize: number,
): Promise<Buffer> {
  const { data } = await rebuild(
    shards,
    p,
    chunkSize,
    Array.from({ length: p.k }, (_, i) => i),
  );
  return data.subarray(0, chunkSize);
}

/**
 * Stored shards carry a trailer naming their chunk and position: sha256 digest of the chunk's CID (32 bytes)
 * ‖ shard index (u32 BE). Without it, equal shards (zero padding, a run of zeros in a sparse file) would share
 * one CID — one object on one node, one DA record — and a stripe could silently lose several shards at once.
 * With it every shard of every distinct chunk is a distinct object; equal chunks still deduplicate.
 */
export const SHARD_TRAILER_BYTES = 36;

/** Stored bytes of each shard object of a `chunkSize`-byte chunk. */
export function shardObjectSize(chunkSize: number, k: number): number {
  return shardSize(chunkSize, k) + SHARD_TRAILER_BYTES;
}

function trailer(chunkCid: string, index: number): Buffer {
  const t = Buffer.alloc(SHARD_TRAILER_BYTES);
  t.set(parseCid(chunkCid).digest, 0);
  t.writeUInt32BE(index, 32);
  return t;
}

/** The stored shard objects of `chunk` (whose CID is `chunkCid`): k data then m parity, each with its trailer. */
export async function encodeStripe(chunk: Uint8Array, chunkCid: string, p: ErasureParams): Promise<Buffer[]> {
  const shards = await encodeShards(chunk, p);
  return shards.map((s, i) => Buffer.concat([s, trailer(chunkCid, i)]));
}

/** Checks each object's trailer (right chunk, right position, right size) and returns the codec shards. */
function payloads(
  objects: ReadonlyMap<number, Uint8Array>,
  chunkCid: string,
  p: ErasureParams,
  chunkSize: number,
): Map<number, Uint8Array> {
  const size = shardObjectSize(chunkSize, p.k);
  const out = new Map<number, Uint8Array>();
  for (const [i, o] of objects) {
    if (o.length !== size) throw new IntegrityError(`shard ${i} is ${o.length} bytes, expected ${size}`);
    const body = o.subarray(0, size - SHARD_TRAILER_BYTES);
    if (!Buffer.from(o.subarray(body.length)).equals(trailer(chunkCid, i)))
      throw new IntegrityError(`shard ${i} does not belong at position ${i} of chunk ${chunkCid}`);
    out.set(i, body);
  }
  return out;
}

/** Rebuilds the chunk from any k of its shard objects (each already checked against its CID by the caller). */
export async function decodeStripe(
  objects: ReadonlyMap<number, Uint8Array>,
  chunkCid: string,
  p: ErasureParams,
  chunkSize: number,
): Promise<Buffer> {
  return decodeShards(payloads(objects, chunkCid, p, chunkSize), p, chunkSize);
}

/** Rebuilds the shard objects at `want` (what a repairing node stores) from any k others. */
export async function rebuildStripe(
  objects: ReadonlyMap<number, Uint8Array>,
  chunkCid: string,
  p: ErasureParams,
  chunkSize: number,
  want: readonly number[],
): Promise<Buffer[]> {
  const shards = await rebuildShards(payloads(objects, chunkCid, p, chunkSize), p, chunkSize, want);
  return shards.map((s, j) => Buffer.concat([s, trailer(chunkCid, want[j]!)]));
}
