/** @module Hash primitives of the execution trace: domain-separated SHA-256 and a byte writer for state encodings. */
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

export type Hash = Uint8Array;

/** SHA-256 over the concatenation of `parts`. */
export type Sha256 = (...parts: Uint8Array[]) => Hash;

function nobleImpl(...parts: Uint8Array[]): Hash {
  if (parts.length === 1) return nobleSha256(parts[0] as Uint8Array);
  const h = nobleSha256.create();
  for (const p of parts) h.update(p);
  return h.digest();
}
let sha256: Sha256 = nobleImpl;

/**
 * Swaps in another SHA-256 implementation (a node uses OpenSSL through node:crypto, ~10x faster
 * here); results are identical by definition, so the chain keeps the pure default.
 */
export function useSha256(impl: Sha256 | undefined): void {
  sha256 = impl ?? nobleImpl;
}
export function sha256Of(...parts: Uint8Array[]): Hash {
  return sha256(...parts);
}

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

export function hashLeaf(data: Uint8Array): Hash {
  return sha256(LEAF_PREFIX, data);
}
export function hashNode(left: Hash, right: Hash): Hash {
  return sha256(NODE_PREFIX, left, right);
}

/** A byte buffer that doubles when full: the storage both encoders here write into. */
export class GrowableBytes {
  protected buf: Uint8Array;
  private dv: DataView | undefined;
  len = 0;
  constructor(initial = 256) {
    this.buf = new Uint8Array(initial);
  }
  /**
   * A DataView of the buffer, made on first use: V8 keeps typed arrays of at most 64 bytes on its heap, and
   * asking for their `.buffer` (as a DataView does) moves them off it, which cost the many small leaf
   * encodings of a checkpoint more than their hash.
   */
  protected get view(): DataView {
    if (this.dv === undefined) this.dv = new DataView(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
    return this.dv;
  }
  protected ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.dv = undefined;
  }
}

const UTF8 = new TextEncoder();

/** Growable little-endian byte writer (bytes written one by one: no DataView, see GrowableBytes.view). */
export class Writer extends GrowableBytes {
  /** Most encodings here are a few words: start small (on V8's heap) and grow when one is longer. */
  constructor(initial = 64) {
    super(initial);
  }
  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }
  u32(v: number): this {
    this.ensure(4);
    const b = this.buf;
    const at = this.len;
    b[at] = v;
    b[at + 1] = v >>> 8;
    b[at + 2] = v >>> 16;
    b[at + 3] = v >>> 24;
    this.len = at + 4;
    return this;
  }
  u64(v: bigint): this {
    const u = BigInt.asUintN(64, v);
    return this.u32(Number(u & 0xffffffffn)).u32(Number(u >> 32n));
  }
  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }
  text(s: string): this {
    return this.bytes(UTF8.encode(s));
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
  digest(): Hash {
    return sha256(this.buf.subarray(0, this.len));
  }
}

/** Merkle root of a list of leaf hashes, padded to a power of two with the zero hash; count bound in. */
export function merkleRoot(leaves: readonly Hash[]): Hash {
  return bindCount(treeRoot(leaves), leaves.length);
}
/** The count-bound root of a tree whose (unbound) root is `root` over `n` leaves. */
export function bindCount(root: Hash, n: number): Hash {
  return new Writer().u8(0x02).u64(BigInt(n)).bytes(root).digest();
}
/** The hash of a subtree wholly past the last leaf: every level pads an odd length with it. */
export const ZERO_HASH: Hash = new Uint8Array(32);
const ZERO = ZERO_HASH;
function treeRoot(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return ZERO;
  return merkleLevels(leaves).at(-1)![0] as Hash;
}

/**
 * Every level of the tree, leaves first, the (unbound) root last: level d+1 pairs level d, an odd length padded with
 * the zero hash. A node a Merkle descent asks for at depth t (0 = root) and index j is levels[last − t][j] (zero past
 * the level's end).
 */
export function merkleLevels(leaves: readonly Hash[]): Hash[][] {
  const levels: Hash[][] = [leaves.slice()];
  let level = levels[0]!;
  while (level.length > 1) {
    const next: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashNode(level[i] as Hash, level[i + 1] ?? ZERO));
    levels.push(next);
    level = next;
  }
  return levels;
}

/** The two children of the node at `depth` (0 = root), `index` of a tree given by its `levels` (zero past a level's end). */
export function childrenAt(levels: readonly (readonly Hash[])[], depth: number, index: bigint): [Hash, Hash] {
  const level = levels[levels.length - 2 - depth];
  if (!level || index < 0n) throw new RangeError(`the tree has no node ${index} at depth ${depth} with children`);
  const at = (j: bigint) => level[Number(j)] ?? ZERO;
  return [at(2n * index), at(2n * index + 1n)];
}

/** Depth of the tree over `count` leaves: the length of every leaf's path (0 for one leaf). */
export function merkleDepth(count: number): number {
  let depth = 0;
  while (2 ** depth < count) depth++;
  return depth;
}

/** Sibling path of leaf `index` (bottom-up). */
export function merkleProof(leaves: readonly Hash[], index: number): Hash[] {
  const path: Hash[] = [];
  let level = leaves.slice();
  let i = index;
  while (level.length > 1) {
    path.push(level[i ^ 1] ?? ZERO);
    const next: Hash[] = [];
    for (let k = 0; k < level.length; k += 2) next.push(hashNode(level[k] as Hash, level[k + 1] ?? ZERO));
    level = next;
    i >>= 1;
  }
  return path;
}

/** The count-bound root a leaf and its path lead to, or undefined when the shape is wrong. */
export function merkleRootFromProof(count: number, index: number, leaf: Hash, path: readonly Hash[]): Hash | undefined {
  if (!Number.isSafeInteger(count) || !Number.isSafeInteger(index) || index < 0 || index >= count) return undefined;
  if (path.length !== merkleDepth(count)) return undefined;
  let h = leaf;
  let i = index;
  for (const sib of path) {
    h = i % 2 === 1 ? hashNode(sib, h) : hashNode(h, sib);
    i = Math.floor(i / 2);
  }
  return bindCount(h, count);
}

export function verifyMerkleProof(
  root: Hash,
  count: number,
  index: number,
  leaf: Hash,
  path: readonly Hash[],
): boolean {
  const r = merkleRootFromProof(count, index, leaf, path);
  return r !== undefined && equal(r, root);
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= (a[i] as number) ^ (b[i] as number);
  return d === 0;
}
