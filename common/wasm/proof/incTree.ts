/**
 * @module A fixed-depth Merkle tree kept up to date by leaf changes (the prover's and the trace's view of
 * the value stack, globals and table elements): only the paths of changed leaves are rehashed, and its
 * levels have the shape `pathOf`/`rootOfLevels` read, so proofs come straight out of it.
 */
import type { Hash } from "../trace/hashing.js";
import { hashNode } from "../trace/hashing.js";
import { EMPTY_LEAF, zeros } from "./sparseTree.js";

export class IncTree {
  private readonly lv: Hash[][] = [];
  private dirty = new Set<number>();
  private readonly z: Hash[];
  constructor(
    private readonly depth: number,
    empty: Hash = EMPTY_LEAF,
  ) {
    for (let d = 0; d <= depth; d++) this.lv.push([]);
    this.z = zeros(empty, depth);
  }

  /** Sets leaf `i` (an `empty` leaf is the same as a missing one). */
  set(i: number, leaf: Hash): void {
    if (i >= 2 ** this.depth) throw new RangeError(`leaf ${i} exceeds a depth-${this.depth} tree`);
    (this.lv[0] as Hash[])[i] = leaf;
    this.dirty.add(i);
  }

  /** All levels, rehashed along the changed paths. */
  levels(): Hash[][] {
    if (this.dirty.size === 0) return this.lv;
    let touched = new Set<number>();
    for (const i of this.dirty) touched.add(i >> 1);
    this.dirty = new Set();
    for (let d = 1; d <= this.depth; d++) {
      const below = this.lv[d - 1] as Hash[];
      const here = this.lv[d] as Hash[];
      const zb = this.z[d - 1] as Hash;
      const next = new Set<number>();
      for (const i of touched) {
        here[i] = hashNode(below[2 * i] ?? zb, below[2 * i + 1] ?? zb);
        next.add(i >> 1);
      }
      touched = next;
    }
    return this.lv;
  }

  root(): Hash {
    return (this.levels()[this.depth] as Hash[])[0] ?? (this.z[this.depth] as Hash);
  }
}
