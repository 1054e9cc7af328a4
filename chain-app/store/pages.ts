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
 *   0x02 hash(32) <left> <right>           inner node inside the page (depth D … D+2)
 *   0x04 <left> <right>                    inner node at depth D+3; its hash is recomputed when needed
 *   0x03 version(u64 BE) hash(32)          inner node at depth D+4: the page stored at (version, path)
 * Leaving out the hashes of the eight D+3 nodes keeps a full page under ~900 bytes, below SQLite's
 * ~1000-byte in-row limit for WITHOUT ROWID tables with 4 KiB pages, so no page spills to an
 * overflow page (which doubled the SQLite pages written for every full page).
 */
import { innerHash, leafHash } from "./smt.js";
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
const TAG_INNER_NO_HASH = 0x04;

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
  constructor(version: number, keyHash: Uint8Array, valueHash: Uint8Array) {
    this.version = version;
    this.keyHash = keyHash;
    this.valueHash = valueHash;
  }
  get hash(): Uint8Array {
    if (this.#hash === undefined) this.#hash = leafHash(this.keyHash, this.valueHash);
    return this.#hash;
  }
}

/** An inner node on the page's last in-page level; hashes its two children on first use. */
class LowInner implements DecodedInner {
  readonly kind = KIND_INNER;
  readonly version: number;
  readonly left: DecodedChild;
  readonly right: DecodedChild;
  #hash: Uint8Array | undefined;
  constructor(version: number, left: DecodedChild, right: DecodedChild) {
    this.version = version;
    this.left = left;
    this.right = right;
  }
  get hash(): Uint8Array {
    if (this.#hash === undefined) this.#hash = innerHash(this.left.hash, this.right.hash);
    return this.#hash;
  }
}

/** Depth of the page row that stores a node of `kind` at `depth`. */
export function pageDepthOf(depth: number, kind: number): number {
  // A leaf on a page boundary (other than the tree root) is inline in the page above.
  if (kind === KIND_LEAF && depth > 0 && depth % PAGE_LEVELS === 0) return depth - PAGE_LEVELS;
  return depth - (depth % PAGE_LEVELS);
}

// Decoder state lives at module level (decoding is synchronous and not re-entrant) so that decoding
// a page, which happens on every page visit, allocates nothing but the nodes themselves.
const NOTHING = new Uint8Array(0);
let src: Uint8Array = NOTHING;
let at = 0;
let pageVersion = 0;
let bottomDepth = 0;

function corrupt(why: string): never {
  throw new Error(`corrupt tree page: ${why}`);
}

function parseNode(d: number): DecodedChild {
  if (at >= src.length) corrupt("truncated");
  const tag = src[at++];
  if (tag === TAG_EMPTY) return EMPTY_REF;
  if (tag === TAG_LEAF) {
    if (at + 64 > src.length) corrupt("truncated leaf");
    const keyHash = src.subarray(at, at + 32);
    const valueHash = src.subarray(at + 32, at + 64);
    at += 64;
    return new StoredLeaf(pageVersion, keyHash, valueHash);
  }
  if (tag === TAG_INNER_NO_HASH && d === bottomDepth - 1) {
    const left = parseNode(d + 1);
    const right = parseNode(d + 1);
    return new LowInner(pageVersion, left, right);
  }
  if (tag === TAG_INNER && d < bottomDepth - 1) {
    if (at + 32 > src.length) corrupt("truncated inner node");
    const hash = src.subarray(at, at + 32);
    at += 32;
    const left = parseNode(d + 1);
    const right = parseNode(d + 1);
    return { kind: KIND_INNER, version: pageVersion, hash, left, right };
  }
  if (tag === TAG_PAGE && d === bottomDepth) {
    if (at + 40 > src.length) corrupt("truncated page reference");
    let v = 0;
    for (let i = 0; i < 8; i++) v = v * 256 + (src[at + i] as number);
    const hash = src.subarray(at + 8, at + 40);
    at += 40;
    return { kind: KIND_INNER, version: v, hash };
  }
  return corrupt(`tag ${tag} at depth ${d}`);
}

/** Decodes the page stored at depth `pageDepth` with `version`; nodes inside it carry that version. */
export function decodePage(data: Uint8Array, pageDepth: number, version: number): DecodedLeaf | DecodedInner {
  src = data;
  at = 0;
  pageVersion = version;
  bottomDepth = pageDepth + PAGE_LEVELS;
  const root = parseNode(pageDepth);
  if (at !== data.length) corrupt("trailing bytes");
  if (root.kind === KIND_EMPTY || (root.kind === KIND_INNER && root.left === undefined)) corrupt("bad root");
  src = NOTHING; // do not keep the last page's bytes alive
  return root as DecodedLeaf | DecodedInner;
}

/** Writes the page rooted at `root` (depth pageDepth) into bytes. */
export class PageWriter {
  #buf = new Uint8Array(4096);
  #o = 0;

  /**
   * Encodes `root` (at depth pageDepth, path `bits`). `resolve` gives the structure of a stored node
   * inside the page when the reference does not carry it; `onPage` receives every pending inner node
   * on the bottom boundary (with its path bits) so the caller writes that page too.
   */
  encode(
    root: NodeRef,
    pageDepth: number,
    bits: Uint8Array,
    version: number,
    resolve: (ref: StoredRef, depth: number, bits: Uint8Array) => DecodedLeaf | DecodedInner,
    onPage: (ref: NodeRef, bits: Uint8Array) => void,
  ): Uint8Array {
    this.#o = 0;
    const bottom = pageDepth + PAGE_LEVELS;
    const walk = (ref: NodeRef, d: number): void => {
      if (ref.kind === KIND_EMPTY) {
        this.#byte(TAG_EMPTY);
        return;
      }
      if (d === bottom && ref.kind === KIND_INNER) {
        this.#byte(TAG_PAGE);
        this.#u64(ref.pending ? version : ref.version);
        this.#bytes(ref.hash);
        if (ref.pending) onPage(ref, bits.slice());
        return;
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
        return;
      }
      const inner = node as { hash: Uint8Array; left: NodeRef; right: NodeRef };
      if (d === bottom - 1) {
        this.#byte(TAG_INNER_NO_HASH);
      } else {
        this.#byte(TAG_INNER);
        this.#bytes(inner.hash);
      }
      const byte = d >>> 3;
      const mask = 0x80 >>> (d & 7);
      bits[byte] = (bits[byte] as number) & ~mask;
      walk(inner.left, d + 1);
      bits[byte] = (bits[byte] as number) | mask;
      walk(inner.right, d + 1);
    };
    walk(root, pageDepth);
    return this.#buf.slice(0, this.#o);
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
