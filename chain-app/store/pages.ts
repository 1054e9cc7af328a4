/**
 * @module Storage layout of the tree: nodes are stored in pages of four binary levels, one SQLite row each.
 *
 * A page holds the subtree rooted at an inner node at depth D (a multiple of 4; the tree root at
 * depth 0 may also be a lone leaf) cut off at depth D+4. Inner nodes at depth D+4 are references to
 * their own pages; leaves at D+4 are stored inline. Grouping levels makes a commit write ~¼ of the
 * rows a node-per-row layout would (Jellyfish uses 16-ary nodes for the same reason) while the hash
 * rules stay those of the binary tree in smt.ts. Encoding, pre-order:
 *   0x00                                   EMPTY
 *   0x01 keyHash(32) valueHash(32)         leaf (its hash is recomputed when decoded)
 *   0x02 hash(32) <left> <right>           inner node inside the page (depth < D+4)
 *   0x03 version(u64 BE) hash(32)          inner node at depth D+4: the page stored at (version, path)
 */
import { leafHash } from "./smt.js";
import {
  EMPTY_REF,
  type EmptyRef,
  KIND_EMPTY,
  KIND_INNER,
  KIND_LEAF,
  type NodeRef,
  type StoredRef,
} from "./treeNodes.js";

export const PAGE_LEVELS = 4;

const TAG_EMPTY = 0x00;
const TAG_LEAF = 0x01;
const TAG_INNER = 0x02;
const TAG_PAGE = 0x03;

/** A decoded leaf: usable as a StoredRef and as LeafNode. */
export interface DecodedLeaf extends StoredRef {
  readonly kind: typeof KIND_LEAF;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
}
/** A decoded inner node inside a page: usable as a StoredRef and as InnerNode. */
export interface DecodedInner extends StoredRef {
  readonly kind: typeof KIND_INNER;
  readonly left: DecodedChild;
  readonly right: DecodedChild;
}
/** A reference to another page (an inner node at the page's bottom boundary). */
export interface PageRef extends StoredRef {
  readonly kind: typeof KIND_INNER;
  readonly left?: undefined;
}
export type DecodedChild = EmptyRef | DecodedLeaf | DecodedInner | PageRef;

/** A leaf read from a page; its hash is computed on first use (most loaded leaves never need it). */
class StoredLeaf implements DecodedLeaf {
  readonly kind = KIND_LEAF;
  readonly version: number;
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array;
  #hash: Uint8Array | undefined;
  constructor(version: number, keyHash: Uint8Array, valueHash: Uint8Array, hash?: Uint8Array) {
    this.version = version;
    this.keyHash = keyHash;
    this.valueHash = valueHash;
    this.#hash = hash;
  }
  get hash(): Uint8Array {
    if (this.#hash === undefined) this.#hash = leafHash(this.keyHash, this.valueHash);
    return this.#hash;
  }
}

/** Depth of the page row that stores a node of `kind` at `depth`. */
export function pageDepthOf(depth: number, kind: number): number {
  // A leaf on a page boundary (other than the tree root) is inline in the page above.
  if (kind === KIND_LEAF && depth > 0 && depth % PAGE_LEVELS === 0) return depth - PAGE_LEVELS;
  return depth - (depth % PAGE_LEVELS);
}

/** Decodes the page stored at depth `pageDepth` with `version`; nodes inside it carry that version. */
export function decodePage(data: Uint8Array, pageDepth: number, version: number): DecodedLeaf | DecodedInner {
  let o = 0;
  const bottom = pageDepth + PAGE_LEVELS;
  const need = (n: number) => {
    if (o + n > data.length) throw new Error("corrupt tree page: truncated");
  };
  const parse = (d: number): DecodedChild => {
    need(1);
    const tag = data[o++];
    if (tag === TAG_EMPTY) return EMPTY_REF;
    if (tag === TAG_LEAF) {
      need(64);
      const keyHash = data.subarray(o, o + 32);
      const valueHash = data.subarray(o + 32, o + 64);
      o += 64;
      return new StoredLeaf(version, keyHash, valueHash);
    }
    if (tag === TAG_INNER && d < bottom) {
      need(32);
      const hash = data.subarray(o, o + 32);
      o += 32;
      const left = parse(d + 1);
      const right = parse(d + 1);
      return { kind: KIND_INNER, version, hash, left, right };
    }
    if (tag === TAG_PAGE && d === bottom) {
      need(40);
      let v = 0;
      for (let i = 0; i < 8; i++) v = v * 256 + (data[o + i] as number);
      const hash = data.subarray(o + 8, o + 40);
      o += 40;
      return { kind: KIND_INNER, version: v, hash };
    }
    throw new Error(`corrupt tree page: tag ${tag} at depth ${d}`);
  };
  const root = parse(pageDepth);
  if (o !== data.length) throw new Error("corrupt tree page: trailing bytes");
  if (root.kind === KIND_EMPTY || (root.kind === KIND_INNER && root.left === undefined)) {
    throw new Error("corrupt tree page: bad root");
  }
  return root as DecodedLeaf | DecodedInner;
}

/** Writes the page rooted at `root` (depth pageDepth) into bytes. */
export class PageWriter {
  #buf = new Uint8Array(4096);
  #o = 0;

  /**
   * Encodes `root`, returning the bytes and the page as decodePage would return it (so a written
   * page goes to the cache without being parsed and rehashed). `resolve` gives the structure of a
   * stored node inside the page when the reference does not carry it; `onPage` receives every
   * pending inner node on the bottom boundary (with its path bits) so the caller writes it too.
   */
  encode(
    root: NodeRef,
    pageDepth: number,
    bits: Uint8Array,
    version: number,
    resolve: (ref: StoredRef, depth: number, bits: Uint8Array) => DecodedLeaf | DecodedInner,
    onPage: (ref: NodeRef, bits: Uint8Array) => void,
  ): { data: Uint8Array; page: DecodedLeaf | DecodedInner } {
    this.#o = 0;
    const bottom = pageDepth + PAGE_LEVELS;
    const walk = (ref: NodeRef, d: number): DecodedChild => {
      if (ref.kind === KIND_EMPTY) {
        this.#byte(TAG_EMPTY);
        return EMPTY_REF;
      }
      if (d === bottom && ref.kind === KIND_INNER) {
        this.#byte(TAG_PAGE);
        const v = ref.pending ? version : ref.version;
        this.#u64(v);
        this.#bytes(ref.hash);
        if (ref.pending) onPage(ref, bits.slice());
        return { kind: KIND_INNER, version: v, hash: ref.hash };
      }
      let node: NodeRef | DecodedLeaf | DecodedInner = ref;
      if (!ref.pending && !("keyHash" in ref) && !("left" in ref && ref.left !== undefined)) {
        node = resolve(ref, d, bits);
      }
      if (node.kind === KIND_LEAF) {
        const leaf = node as { keyHash: Uint8Array; valueHash: Uint8Array };
        this.#byte(TAG_LEAF);
        this.#bytes(leaf.keyHash);
        this.#bytes(leaf.valueHash);
        return new StoredLeaf(version, leaf.keyHash, leaf.valueHash, ref.hash);
      }
      const inner = node as { hash: Uint8Array; left: NodeRef; right: NodeRef };
      this.#byte(TAG_INNER);
      this.#bytes(inner.hash);
      const byte = d >>> 3;
      const mask = 0x80 >>> (d & 7);
      bits[byte] = (bits[byte] as number) & ~mask;
      const left = walk(inner.left, d + 1);
      bits[byte] = (bits[byte] as number) | mask;
      const right = walk(inner.right, d + 1);
      return { kind: KIND_INNER, version, hash: inner.hash, left, right };
    };
    const page = walk(root, pageDepth) as DecodedLeaf | DecodedInner;
    return { data: this.#buf.slice(0, this.#o), page };
  }

  #room(n: number): void {
    if (this.#o + n <= this.#buf.length) return;
    const next = new Uint8Array(this.#buf.length * 2);
    next.set(this.#buf.subarray(0, this.#o));
    this.#buf = next;
  }

  #byte(b: number): void {
    this.#room(1);
    this.#buf[this.#o++] = b;
  }

  #bytes(b: Uint8Array): void {
    this.#room(b.length);
    this.#buf.set(b, this.#o);
    this.#o += b.length;
  }

  #u64(v: number): void {
    this.#room(8);
    let x = v;
    for (let i = 7; i >= 0; i--) {
      this.#buf[this.#o + i] = x % 256;
      x = Math.floor(x / 256);
    }
    this.#o += 8;
  }
}
