/**
 * @module Linear memory as a Merkle tree: 1 KiB chunks are the leaves, each 64 KiB page a subtree of
 * depth 6, and the pages a fixed-depth-16 tree (65 536 pages) completed with zero-page hashes. Only
 * pages dirtied since the last commit are rehashed. A word is proven by its chunk and 22 siblings;
 * 1 KiB leaves (not 32-byte words) keep the hash count per dirty page at 127, which is what makes
 * checkpoints cheap in JavaScript, at the price of 1 KiB more in a one-step proof.
 */

import type { Memory } from "../runtime.js";
import { type Hash, hashLeaf, hashNode } from "./hashing.js";

export const LEAF_BYTES = 1024;
export const LEAVES_PER_PAGE = 64;
const PAGE_DEPTH = 6;
export const TOP_DEPTH = 16;

/** zero[d] = root of an all-zero subtree of depth d (d ≤ 6 within a page, above that over pages). */
const ZERO: Hash[] = (() => {
  const z: Hash[] = [hashLeaf(new Uint8Array(LEAF_BYTES))];
  for (let d = 1; d <= PAGE_DEPTH + TOP_DEPTH; d++) z.push(hashNode(z[d - 1] as Hash, z[d - 1] as Hash));
  return z;
})();

/** Root of one page's chunk tree. */
export function pageRoot(bytes: Uint8Array, page: number): Hash {
  const base = page * LEAVES_PER_PAGE * LEAF_BYTES;
  let level: Hash[] = new Array(LEAVES_PER_PAGE);
  for (let w = 0; w < LEAVES_PER_PAGE; w++) {
    level[w] = hashLeaf(bytes.subarray(base + w * LEAF_BYTES, base + (w + 1) * LEAF_BYTES));
  }
  while (level.length > 1) {
    const next: Hash[] = new Array(level.length / 2);
    for (let i = 0; i < next.length; i++) next[i] = hashNode(level[2 * i] as Hash, level[2 * i + 1] as Hash);
    level = next;
  }
  return level[0] as Hash;
}

/** Incremental memory commitment; `update()` rehashes dirty pages and clears their marks. */
export class MemoryMerkle {
  /** levels[0] = page roots; levels[d] = nodes d levels above the pages (sparse: missing = zero). */
  private readonly levels: Hash[][] = [];
  constructor() {
    for (let d = 0; d <= TOP_DEPTH; d++) this.levels.push([]);
  }

  update(mem: Memory): Hash {
    const dirtyPages: number[] = [];
    for (let p = 0; p < mem.pages; p++) if (mem.dirty[p] === 1) dirtyPages.push(p);
    // Pages beyond the current size (never after a grow, but kept exact) count as zero pages.
    for (let p = mem.pages; p < (this.levels[0] as Hash[]).length; p++) dirtyPages.push(p);
    for (const p of dirtyPages) {
      (this.levels[0] as Hash[])[p] = p < mem.pages ? pageRoot(mem.bytes, p) : (ZERO[PAGE_DEPTH] as Hash);
      mem.dirty[p] = 0;
    }
    let touched = new Set(dirtyPages.map((p) => p >> 1));
    for (let d = 1; d <= TOP_DEPTH; d++) {
      const below = this.levels[d - 1] as Hash[];
      const here = this.levels[d] as Hash[];
      const zeroBelow = ZERO[PAGE_DEPTH + d - 1] as Hash;
      const next = new Set<number>();
      for (const i of touched) {
        here[i] = hashNode(below[2 * i] ?? zeroBelow, below[2 * i + 1] ?? zeroBelow);
        next.add(i >> 1);
      }
      touched = next;
    }
    return this.root();
  }

  root(): Hash {
    return (this.levels[TOP_DEPTH] as Hash[])[0] ?? (ZERO[PAGE_DEPTH + TOP_DEPTH] as Hash);
  }
}

/** Full recomputation (for tests and for verifiers without the incremental cache). */
export function memoryRootFull(bytes: Uint8Array, pages: number): Hash {
  let level: Hash[] = [];
  for (let p = 0; p < pages; p++) level.push(pageRoot(bytes, p));
  for (let d = 1; d <= TOP_DEPTH; d++) {
    const zeroBelow = ZERO[PAGE_DEPTH + d - 1] as Hash;
    const next: Hash[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hashNode(level[i] as Hash, level[i + 1] ?? zeroBelow));
    level = next;
  }
  return level[0] ?? (ZERO[PAGE_DEPTH + TOP_DEPTH] as Hash);
}
