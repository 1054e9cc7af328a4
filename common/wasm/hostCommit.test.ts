/** @module The host-state commitment's parts: the kv sparse Merkle tree (live updates = from-scratch roots; proven paths give the same updated roots; forged paths refused), the output midstate, the input chunk tree. */
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { INPUT_CHUNK, InputBytes, inputChunksOf } from "./hostInput.js";
import {
  bit,
  KV_EMPTY,
  type KvLeaf,
  KvProofError,
  KvTree,
  kvLeafHash,
  kvLeafOf,
  kvPathUpdate,
  verifyKvPath,
} from "./kvTree.js";
import { finishMidstate, OutputDigest } from "./outputDigest.js";
import { hashNode } from "./trace/hashing.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

/** The definition, written the slow way: empty = zeros, one entry = its leaf, else a node over both halves. */
function reference(leaves: KvLeaf[], d = 0): Uint8Array {
  if (leaves.length === 0) return KV_EMPTY;
  if (leaves.length === 1) return kvLeafHash(leaves[0] as KvLeaf);
  return hashNode(
    reference(
      leaves.filter((l) => bit(l.keyHash, d) === 0),
      d + 1,
    ),
    reference(
      leaves.filter((l) => bit(l.keyHash, d) === 1),
      d + 1,
    ),
  );
}

function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

describe("kv sparse Merkle tree", () => {
  it("random sets and deletes: live root = reference root, and every proven update = the live result", () => {
    const r = rng(7);
    const tree = new KvTree();
    const model = new Map<string, KvLeaf>();
    for (let i = 0; i < 400; i++) {
      const key = new Uint8Array([Math.floor(r() * 40)]);
      const kh = sha256(key);
      const pre = tree.root();
      const path = tree.path(kh);
      const found = verifyKvPath(pre, kh, path);
      expect(found ? hex(kvLeafHash(found)) : null).toBe(
        model.has(hex(kh)) ? hex(kvLeafHash(model.get(hex(kh)) as KvLeaf)) : null,
      );
      if (r() < 0.35) {
        tree.delete(kh);
        model.delete(hex(kh));
        expect(hex(kvPathUpdate(kh, path, null))).toBe(hex(tree.root()));
      } else {
        const leaf = kvLeafOf(key, new Uint8Array([i & 0xff, 1]));
        tree.set(leaf);
        model.set(hex(kh), leaf);
        expect(hex(kvPathUpdate(kh, path, leaf))).toBe(hex(tree.root()));
      }
      expect(hex(tree.root())).toBe(hex(reference([...model.values()])));
    }
  });
  it("refuses a path that does not match, an entry off the key's path, and a delete without the sibling's opening", () => {
    const tree = new KvTree();
    for (let i = 0; i < 20; i++) tree.set(kvLeafOf(new Uint8Array([i]), new Uint8Array([i])));
    const kh = sha256(new Uint8Array([3]));
    const p = tree.path(kh);
    const root = tree.root();
    expect(verifyKvPath(root, kh, p)).not.toBeNull();
    const bad = { ...p, siblings: p.siblings.map((s, i) => (i === 0 ? new Uint8Array(32).fill(9) : s)) };
    expect(() => verifyKvPath(root, kh, bad)).toThrow(KvProofError);
    // Claiming absence with the entry removed from the end does not match the root.
    expect(() => verifyKvPath(root, kh, { siblings: p.siblings, end: null })).toThrow(KvProofError);
    // Another key's entry at the end of a path it does not lie on.
    const other = kvLeafOf(new Uint8Array([4]), new Uint8Array([4]));
    const off = sha256(new Uint8Array([200]));
    if (bit(off, 0) !== bit(other.keyHash, 0))
      expect(() => verifyKvPath(kvLeafHash(other), off, { siblings: [KV_EMPTY], end: other })).toThrow(KvProofError);
    // The same leaf bytes parsed with a 31-byte key hash (an absence claim for a present key).
    const end = p.end as KvLeaf;
    const vl = new Uint8Array(4);
    new DataView(vl.buffer).setUint32(0, end.valueLen, true);
    const shifted: KvLeaf = {
      keyHash: end.keyHash.subarray(0, 31),
      valueLen: new DataView(new Uint8Array([end.keyHash[31] as number, ...vl.subarray(0, 3)]).buffer).getUint32(
        0,
        true,
      ),
      valueHash: new Uint8Array([vl[3] as number, ...end.valueHash]),
    };
    expect(hex(kvLeafHash(shifted))).toBe(hex(kvLeafHash(end)));
    expect(() => verifyKvPath(root, kh, { siblings: p.siblings, end: shifted })).toThrow(KvProofError);
    const { lastSibling: _, ...noOpening } = p;
    expect(() => kvPathUpdate(kh, noOpening, null)).toThrow(KvProofError);
  });
});

describe("output midstate and input chunks", () => {
  it("the midstate after any sequence of writes finishes to sha256 of all output", () => {
    const d = new OutputDigest();
    const all: number[] = [];
    for (let i = 0; i < 70; i++) {
      const b = new Uint8Array((i * 13) % 150).fill(i);
      d.update(b);
      all.push(...b);
      const again = new OutputDigest(d.midstate());
      expect(hex(finishMidstate(again.midstate()))).toBe(hex(sha256(new Uint8Array(all))));
    }
  });
  it("an input chunk is proven by its path; the last chunk may be short", () => {
    const bytes = new Uint8Array(INPUT_CHUNK * 3 + 17).map((_, i) => i * 7);
    const inp = new InputBytes(bytes);
    expect(inputChunksOf(INPUT_CHUNK - 1, 2)).toEqual([0, 1]);
    expect(inp.chunk(3).length).toBe(17);
    expect(hex(inp.hash)).toBe(hex(sha256(bytes)));
    expect(inp.path(3).length).toBe(22);
  });
});
