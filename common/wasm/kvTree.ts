/**
 * @module The key-value state's commitment: a compact sparse Merkle tree keyed by sha256(key) (bits
 * most significant first, depth ≤ 256), in which an empty subtree is 32 zero bytes and a subtree
 * holding one entry is that entry's leaf hash. One entry is proven by the siblings down to where its
 * key's path ends (at the entry, at an empty subtree, or at another entry sharing the prefix), so
 * state_get/set/delete each prove one path. `KvTree` is the live tree; `verifyKvPath` and
 * `kvPathUpdate` are what a one-step verifier runs over a proven path.
 */
import { equal, type Hash, hashLeaf, hashNode, sha256Of, Writer } from "./trace/hashing.js";

export const KV_EMPTY: Hash = new Uint8Array(32);
export const KV_MAX_DEPTH = 256;

/** What a leaf commits: the key's hash, the value's length and hash. */
export interface KvLeaf {
  readonly keyHash: Hash;
  readonly valueLen: number;
  readonly valueHash: Hash;
}
export function kvLeafOf(key: Uint8Array, value: Uint8Array): KvLeaf {
  return { keyHash: sha256Of(key), valueLen: value.length, valueHash: sha256Of(value) };
}
export function kvLeafHash(l: KvLeaf): Hash {
  return hashLeaf(new Writer().u8(0x4b).bytes(l.keyHash).u32(l.valueLen).bytes(l.valueHash).finish());
}
export function bit(h: Hash, d: number): number {
  return ((h[d >> 3] as number) >> (7 - (d & 7))) & 1;
}

/** The sibling just above a path's end: either an entry (leaf preimage) or an inner node (its children). */
export type KvNodeOpening = { readonly leaf: KvLeaf } | { readonly children: readonly [Hash, Hash] };

/** A path from the root to where `keyHash`'s descent ends. */
export interface KvPath {
  /** Sibling hashes, top-down; `siblings.length` is the depth of the end. */
  readonly siblings: readonly Hash[];
  /** What sits at the end: nothing, or an entry (the key's own, or another sharing the prefix). */
  readonly end: KvLeaf | null;
  /** Opening of the last sibling (needed when deleting the entry: a lone sibling entry moves up). */
  readonly lastSibling?: KvNodeOpening;
}

/** A proof that does not match the root. */
export class KvProofError extends Error {}

function climb(h: Hash, keyHash: Hash, siblings: readonly Hash[], from: number): Hash {
  let x = h;
  for (let d = from - 1; d >= 0; d--) {
    const s = siblings[d] as Hash;
    x = bit(keyHash, d) ? hashNode(s, x) : hashNode(x, s);
  }
  return x;
}

/** A leaf's fields have fixed widths (else its encoding could be parsed two ways). */
function checkLeaf(l: KvLeaf): void {
  if (
    l.keyHash.length !== 32 ||
    l.valueHash.length !== 32 ||
    !Number.isInteger(l.valueLen) ||
    l.valueLen < 0 ||
    l.valueLen > 0xffffffff
  )
    throw new KvProofError("malformed kv leaf");
}
function checkPath(path: KvPath): void {
  if (path.siblings.length > KV_MAX_DEPTH) throw new KvProofError("kv path too deep");
  for (const s of path.siblings) if (s.length !== 32) throw new KvProofError("malformed kv sibling");
  if (path.end) checkLeaf(path.end);
  const o = path.lastSibling;
  if (o && "leaf" in o) checkLeaf(o.leaf);
  if (o && "children" in o && (o.children[0].length !== 32 || o.children[1].length !== 32))
    throw new KvProofError("malformed kv sibling opening");
}

/** Checks `path` for `keyHash` against `root`; returns the entry of that key, or null when absent. */
export function verifyKvPath(root: Hash, keyHash: Hash, path: KvPath): KvLeaf | null {
  const d = path.siblings.length;
  if (keyHash.length !== 32) throw new KvProofError("key hash of the wrong size");
  checkPath(path);
  const end = path.end;
  if (end) {
    for (let i = 0; i < d; i++)
      if (bit(end.keyHash, i) !== bit(keyHash, i)) throw new KvProofError("kv path: entry off the key's path");
  }
  const h = end ? kvLeafHash(end) : KV_EMPTY;
  if (!equal(climb(h, keyHash, path.siblings, d), root)) throw new KvProofError("kv path does not match the root");
  return end && equal(end.keyHash, keyHash) ? end : null;
}

/** The root after setting (leaf) or deleting (null) the entry of `keyHash`, from a verified path. */
export function kvPathUpdate(keyHash: Hash, path: KvPath, leaf: KvLeaf | null): Hash {
  checkPath(path);
  const d = path.siblings.length;
  const end = path.end;
  const own = end !== null && equal(end.keyHash, keyHash);
  if (leaf) {
    const lh = kvLeafHash(leaf);
    if (!end || own) return climb(lh, keyHash, path.siblings, d);
    // Another entry sits here: both go down to the first bit where their keys differ.
    let j = d;
    while (bit(keyHash, j) === bit(end.keyHash, j)) j++;
    const oh = kvLeafHash(end);
    let h = bit(keyHash, j) ? hashNode(oh, lh) : hashNode(lh, oh);
    for (let i = j - 1; i >= d; i--) h = bit(keyHash, i) ? hashNode(KV_EMPTY, h) : hashNode(h, KV_EMPTY);
    return climb(h, keyHash, path.siblings, d);
  }
  if (!own) return climb(end ? kvLeafHash(end) : KV_EMPTY, keyHash, path.siblings, d);
  if (d === 0) return KV_EMPTY;
  // The entry goes: a lone sibling entry takes the parent's place and keeps rising past empty siblings.
  const last = path.siblings[d - 1] as Hash;
  const o = path.lastSibling;
  if (!o) throw new KvProofError("kv delete needs the opening of the last sibling");
  if ("leaf" in o) {
    if (!equal(kvLeafHash(o.leaf), last)) throw new KvProofError("kv sibling opening does not match");
    let i = d - 1;
    while (i > 0 && equal(path.siblings[i - 1] as Hash, KV_EMPTY)) i--;
    return climb(last, keyHash, path.siblings, i);
  }
  if (!equal(hashNode(o.children[0], o.children[1]), last)) throw new KvProofError("kv sibling opening does not match");
  const h = bit(keyHash, d - 1) ? hashNode(last, KV_EMPTY) : hashNode(KV_EMPTY, last);
  return climb(h, keyHash, path.siblings, d - 1);
}

type Node = LeafNode | Inner;
interface LeafNode {
  readonly leaf: KvLeaf;
  readonly hash: Hash;
}
interface Inner {
  c0: Node | undefined;
  c1: Node | undefined;
  hash: Hash | undefined;
}
const isLeaf = (n: Node): n is LeafNode => "leaf" in n;

/** The live tree (prover and runner side): O(depth) per update, hashes recomputed lazily. */
export class KvTree {
  private top: Node | undefined;

  set(leaf: KvLeaf): void {
    this.top = this.insert(this.top, { leaf, hash: kvLeafHash(leaf) }, 0);
  }
  delete(keyHash: Hash): void {
    this.top = this.remove(this.top, keyHash, 0);
  }
  root(): Hash {
    return this.top ? hashOf(this.top) : KV_EMPTY;
  }
  /** The path of `keyHash` (with the last sibling opened). */
  path(keyHash: Hash): KvPath {
    const siblings: Hash[] = [];
    let n = this.top;
    let sib: Node | undefined;
    let d = 0;
    while (n && !isLeaf(n)) {
      const b = bit(keyHash, d);
      sib = b ? n.c0 : n.c1;
      siblings.push(sib ? hashOf(sib) : KV_EMPTY);
      n = b ? n.c1 : n.c0;
      d++;
    }
    const end = n ? n.leaf : null;
    if (!sib) return { siblings, end };
    const lastSibling: KvNodeOpening = isLeaf(sib)
      ? { leaf: sib.leaf }
      : { children: [sib.c0 ? hashOf(sib.c0) : KV_EMPTY, sib.c1 ? hashOf(sib.c1) : KV_EMPTY] };
    return { siblings, end, lastSibling };
  }

  private insert(n: Node | undefined, l: LeafNode, d: number): Node {
    if (!n) return l;
    if (isLeaf(n)) {
      if (equal(n.leaf.keyHash, l.leaf.keyHash)) return l;
      const inner: Inner = { c0: undefined, c1: undefined, hash: undefined };
      if (bit(n.leaf.keyHash, d)) inner.c1 = n;
      else inner.c0 = n;
      return this.insert(inner, l, d);
    }
    n.hash = undefined;
    if (bit(l.leaf.keyHash, d)) n.c1 = this.insert(n.c1, l, d + 1);
    else n.c0 = this.insert(n.c0, l, d + 1);
    return n;
  }
  private remove(n: Node | undefined, keyHash: Hash, d: number): Node | undefined {
    if (!n) return undefined;
    if (isLeaf(n)) return equal(n.leaf.keyHash, keyHash) ? undefined : n;
    n.hash = undefined;
    if (bit(keyHash, d)) n.c1 = this.remove(n.c1, keyHash, d + 1);
    else n.c0 = this.remove(n.c0, keyHash, d + 1);
    // Canonical form: a subtree with one entry is that entry.
    if (!n.c0 && !n.c1) return undefined;
    const only = n.c0 && !n.c1 ? n.c0 : !n.c0 && n.c1 ? n.c1 : undefined;
    if (only && isLeaf(only)) return only;
    return n;
  }
}

function hashOf(n: Node): Hash {
  if (isLeaf(n)) return n.hash;
  n.hash ??= hashNode(n.c0 ? hashOf(n.c0) : KV_EMPTY, n.c1 ? hashOf(n.c1) : KV_EMPTY);
  return n.hash;
}
