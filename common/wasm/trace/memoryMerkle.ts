/**
 * @module Linear memory as a Merkle tree: 1 KiB chunks are the leaves of a fixed-depth-22 tree (64 per
 * 64 KiB page, 65 536 pages) whose empty leaves are the zero chunk. Only chunks dirtied since the last
 * commit are rehashed (the interpreter and host writes mark them), and the tracker keeps every level,
 * so a chunk's path (what a one-step proof carries) is read off, never rebuilt.
 */

import type { Memory } from "../runtime.js";
import { type Hash, hashLeaf, hashNode } from "./hashing.js";

export const LEAF_BYTES = 1024;
export const LEAVES_PER_PAGE = 64;
const PAGE_DEPTH = 6;
export const TOP_DEPTH = 16;
/** Depth of the whole tree over chunks. */
export const CHUNK_TREE_DEPTH = PAGE_DEPTH + TOP_DEPTH;

/** zero[d] = root of an all-zero subtree of depth d over chunks. */
const ZERO: Hash[] = (() => {
  const z: Hash[] = [hashLeaf(new Uint8Array(LEAF_BYTES))];
  for (let d = 1; d <= CHUNK_TREE_DEPTH; d++) z.push(hashNode(z[d - 1] as Hash, z[d - 1] as Hash));
  return z;
})();

function isZero(words: Int32Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (words[i] !== 0) return false;
  return true;
}

/**
 * Incremental memory commitment; `update()` rehashes dirty chunks and clears their marks. One tracker
 * per memory: the dirty marks are consumed by whoever commits. The first update of a fresh memory reads
 * the marks (`Memory.marksSinceZero`); otherwise it scans the whole memory (zero chunks cost a comparison,
 * not a hash), so a tracker can join a memory at any time.
 */
export class MemoryMerkle {
  /** levels[0] = chunk leaves; levels[d] = nodes d levels up (sparse: missing = zero subtree). */
  private readonly levels: Hash[][] = [];
  private started = false;
  constructor() {
    for (let d = 0; d <= CHUNK_TREE_DEPTH; d++) this.levels.push([]);
  }

  update(mem: Memory): Hash {
    const bytes = mem.bytes;
    const chunks = bytes.length / LEAF_BYTES;
    const leaves = this.levels[0] as Hash[];
    const words = new Int32Array(bytes.buffer, bytes.byteOffset, bytes.length >> 2);
    const per = LEAF_BYTES >> 2;
    // Parents to rehash, ascending and without repeats: chunks are visited in ascending order, so a parent
    // repeats only right after itself (plain arrays: a Set per level cost more than the bookkeeping saved).
    let touched: number[] = [];
    const rehash = (c: number) => {
      // A chunk written back to all zero (memset, a cleared buffer) is the known zero leaf: a 256-word scan
      // costs a fraction of a hash.
      leaves[c] = isZero(words, c * per, (c + 1) * per)
        ? (ZERO[0] as Hash)
        : hashLeaf(bytes.subarray(c * LEAF_BYTES, (c + 1) * LEAF_BYTES));
      if (touched[touched.length - 1] !== c >> 1) touched.push(c >> 1);
    };
    if (!this.started && !mem.marksSinceZero) {
      // Joining a memory whose marks someone else consumed (or that were never kept): every chunk is a suspect.
      for (let c = 0; c < chunks; c++) if (!isZero(words, c * per, (c + 1) * per)) rehash(c);
      mem.dirty.fill(0);
    } else {
      // A fresh memory was all zero (the empty tree) and every write since is marked: the marks are the changes.
      const dirty = mem.dirty;
      for (let c = dirty.indexOf(1); c !== -1; c = dirty.indexOf(1, c + 1)) {
        rehash(c);
        dirty[c] = 0;
      }
    }
    this.started = true;
    mem.marksSinceZero = false;
    for (let d = 1; d <= CHUNK_TREE_DEPTH; d++) {
      const below = this.levels[d - 1] as Hash[];
      const here = this.levels[d] as Hash[];
      const zeroBelow = ZERO[d - 1] as Hash;
      const next: number[] = [];
      for (const i of touched) {
        here[i] = hashNode(below[2 * i] ?? zeroBelow, below[2 * i + 1] ?? zeroBelow);
        if (next[next.length - 1] !== i >> 1) next.push(i >> 1);
      }
      touched = next;
    }
    return this.root();
  }

  root(): Hash {
    return (this.levels[CHUNK_TREE_DEPTH] as Hash[])[0] ?? (ZERO[CHUNK_TREE_DEPTH] as Hash);
  }

  /** Siblings of chunk `index`, bottom-up, as of the last update. */
  path(index: number): Hash[] {
    const out: Hash[] = [];
    let i = index;
    for (let d = 0; d < CHUNK_TREE_DEPTH; d++) {
      out.push((this.levels[d] as Hash[])[i ^ 1] ?? (ZERO[d] as Hash));
      i >>= 1;
    }
    return out;
  }
}

/** Full recomputation (for tests and for verifiers without the incremental cache). */
export function memoryRootFull(bytes: Uint8Array, pages: number): Hash {
  let level: Hash[] = [];
  for (let c = 0; c < pages * LEAVES_PER_PAGE; c++)
    level.push(hashLeaf(bytes.subarray(c * LEAF_BYTES, (c + 1) * LEAF_BYTES)));
  for (let d = 1; d <= CHUNK_TREE_DEPTH; d++) {
    const zeroBelow = ZERO[d - 1] as Hash;
    const next: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashNode(level[i] as Hash, level[i + 1] ?? zeroBelow));
    level = next;
  }
  return level[0] ?? (ZERO[CHUNK_TREE_DEPTH] as Hash);
}
