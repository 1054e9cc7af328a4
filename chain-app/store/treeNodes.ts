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
 * Path key of a tree position (and of the page rooted there): byte 0 = depth d (0…255), then the first d bits of the path in ⌈d/8⌉ bytes with
 * the unused low bits zero. Unique per tree position, so (version, path) names one stored page.
 */
export function pathKey(bits: Uint8Array, depth: number): Uint8Array {
  const n = (depth + 7) >>> 3;
  const out = new Uint8Array(1 + n);
  out[0] = depth;
  out.set(bits.subarray(0, n), 1);
  if ((depth & 7) !== 0) out[n] = (out[n] as number) & ((0xff << (8 - (depth & 7))) & 0xff);
  return out;
}
