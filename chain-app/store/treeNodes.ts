/** @module Node references, node encodings and node paths of the persisted sparse Merkle tree. */
import { EMPTY_HASH } from "./smt.js";

export const KIND_EMPTY = 0;
export const KIND_LEAF = 1;
export const KIND_INNER = 2;

export interface EmptyRef {
  readonly kind: typeof KIND_EMPTY;
  readonly hash: Uint8Array;
  readonly pending?: undefined;
}
/** A node already in the database, addressed by (path, version); path is implied by its position. */
export interface StoredRef {
  readonly kind: typeof KIND_LEAF | typeof KIND_INNER;
  readonly version: number;
  readonly hash: Uint8Array;
  readonly pending?: undefined;
}
/** A node created by the block being prepared; it gets a path and the block's version when written. */
export interface PendingLeaf {
  readonly kind: typeof KIND_LEAF;
  readonly pending: true;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  readonly hash: Uint8Array;
}
export interface PendingInner {
  readonly kind: typeof KIND_INNER;
  readonly pending: true;
  readonly left: NodeRef;
  readonly right: NodeRef;
  readonly hash: Uint8Array;
}
export type NodeRef = EmptyRef | StoredRef | PendingLeaf | PendingInner;

export const EMPTY_REF: EmptyRef = Object.freeze({ kind: KIND_EMPTY, hash: EMPTY_HASH });

export interface LeafNode {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}
export interface InnerNode {
  readonly left: EmptyRef | StoredRef;
  readonly right: EmptyRef | StoredRef;
}

/**
 * Node path key: byte 0 = depth d (0…255), then the first d bits of the path in ⌈d/8⌉ bytes with
 * the unused low bits zero. Unique per tree position, so (path, version) names one stored node.
 */
export function pathKey(bits: Uint8Array, depth: number): Uint8Array {
  const n = (depth + 7) >>> 3;
  const out = new Uint8Array(1 + n);
  out[0] = depth;
  out.set(bits.subarray(0, n), 1);
  if ((depth & 7) !== 0) out[n] = (out[n] as number) & ((0xff << (8 - (depth & 7))) & 0xff);
  return out;
}

// Inner node row: per side kind (1) ‖ version (8, big-endian) ‖ hash (32) — 82 bytes, fixed width.
const SIDE_BYTES = 41;

export function encodeInner(left: NodeRef, right: NodeRef, pendingVersion: number): Uint8Array {
  const out = new Uint8Array(2 * SIDE_BYTES);
  writeSide(out, 0, left, pendingVersion);
  writeSide(out, SIDE_BYTES, right, pendingVersion);
  return out;
}

function writeSide(out: Uint8Array, o: number, ref: NodeRef, pendingVersion: number): void {
  out[o] = ref.kind;
  if (ref.kind === KIND_EMPTY) return;
  const v = ref.pending ? pendingVersion : ref.version;
  const hi = Math.floor(v / 0x1_0000_0000);
  const lo = v >>> 0;
  const dv = new DataView(out.buffer, out.byteOffset + o + 1, 8);
  dv.setUint32(0, hi);
  dv.setUint32(4, lo);
  out.set(ref.hash, o + 9);
}

export function decodeInner(data: Uint8Array): InnerNode {
  if (data.length !== 2 * SIDE_BYTES) throw new Error(`corrupt inner node: ${data.length} bytes`);
  return { left: readSide(data, 0), right: readSide(data, SIDE_BYTES) };
}

function readSide(data: Uint8Array, o: number): EmptyRef | StoredRef {
  const kind = data[o];
  if (kind === KIND_EMPTY) return EMPTY_REF;
  if (kind !== KIND_LEAF && kind !== KIND_INNER) throw new Error(`corrupt inner node: child kind ${kind}`);
  const dv = new DataView(data.buffer, data.byteOffset + o + 1, 8);
  const version = dv.getUint32(0) * 0x1_0000_0000 + dv.getUint32(4);
  return { kind, version, hash: data.slice(o + 9, o + 9 + 32) };
}

export function encodeLeaf(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  const out = new Uint8Array(64);
  out.set(keyHash, 0);
  out.set(valueHash, 32);
  return out;
}

export function decodeLeaf(data: Uint8Array): LeafNode {
  if (data.length !== 64) throw new Error(`corrupt leaf node: ${data.length} bytes`);
  return { keyHash: data.slice(0, 32), valueHash: data.slice(32, 64) };
}
