/**
 * @module Fixed-depth Merkle trees with zero-filled empty leaves (value stack, globals, code, consts,
 * functions), and the partial tree a one-step verifier rebuilds from witnesses: it checks each witness
 * against the pre-state root, lets proven leaves be changed, and recomputes the root from the union
 * of the witnessed paths (so several leaves can change in one step).
 */
import { equal, type Hash, hashNode } from "../trace/hashing.js";

const zeroCache = new Map<string, Hash[]>();
/** The same cache by leaf object: callers pass a few constant leaves, and hex-encoding one per call showed in profiles. */
const zeroByLeaf = new WeakMap<Hash, Hash[]>();
/** zeros(leaf)[d] = root of an empty subtree of depth d whose leaves are `leaf`. */
export function zeros(leaf: Hash, depth: number): Hash[] {
  let z = zeroByLeaf.get(leaf);
  if (!z) {
    const key = hexOf(leaf);
    z = zeroCache.get(key);
    if (!z) {
      z = [leaf];
      zeroCache.set(key, z);
    }
    zeroByLeaf.set(leaf, z);
  }
  while (z.length <= depth) z.push(hashNode(z[z.length - 1] as Hash, z[z.length - 1] as Hash));
  return z;
}
function hexOf(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

export const EMPTY_LEAF: Hash = new Uint8Array(32);

/** All levels of a tree over `leaves` (index 0 first; missing leaves are `empty`). */
export function levelsOf(leaves: readonly Hash[], depth: number, empty: Hash = EMPTY_LEAF): Hash[][] {
  if (leaves.length > 2 ** depth) throw new RangeError(`${leaves.length} leaves exceed a depth-${depth} tree`);
  const z = zeros(empty, depth);
  const levels: Hash[][] = [leaves.slice()];
  for (let d = 1; d <= depth; d++) {
    const below = levels[d - 1] as Hash[];
    const zb = z[d - 1] as Hash;
    const here: Hash[] = [];
    for (let i = 0; i < below.length; i += 2) here.push(hashNode(below[i] as Hash, below[i + 1] ?? zb));
    levels.push(here);
  }
  return levels;
}
export function rootOfLevels(levels: readonly Hash[][], depth: number, empty: Hash = EMPTY_LEAF): Hash {
  return (levels[depth] as Hash[])[0] ?? (zeros(empty, depth)[depth] as Hash);
}
export function treeRoot(leaves: readonly Hash[], depth: number, empty: Hash = EMPTY_LEAF): Hash {
  return rootOfLevels(levelsOf(leaves, depth, empty), depth, empty);
}
/** Siblings of leaf `index`, bottom-up. */
export function pathOf(levels: readonly Hash[][], depth: number, index: number, empty: Hash = EMPTY_LEAF): Hash[] {
  const z = zeros(empty, depth);
  const path: Hash[] = [];
  let i = index;
  for (let d = 0; d < depth; d++) {
    path.push((levels[d] as Hash[])[i ^ 1] ?? (z[d] as Hash));
    i = Math.floor(i / 2);
  }
  return path;
}

export interface Witness {
  readonly index: number;
  readonly leaf: Hash;
  readonly path: readonly Hash[];
}

function climb(leaf: Hash, index: number, path: readonly Hash[]): Hash {
  let h = leaf;
  let i = index;
  for (const sib of path) {
    h = i % 2 === 1 ? hashNode(sib, h) : hashNode(h, sib);
    i = Math.floor(i / 2);
  }
  return h;
}

/** The verifier's view of one tree: only witnessed leaves can be read or written. */
export class PartialTree {
  private readonly leaves = new Map<number, Hash>();
  /** Known sibling hashes by "depth:index" (from the pre-state). */
  private readonly nodes = new Map<string, Hash>();
  constructor(
    private readonly preRoot: Hash,
    private readonly depth: number,
    witnesses: readonly Witness[],
    readonly what: string,
  ) {
    for (const w of witnesses) {
      if (!Number.isSafeInteger(w.index) || w.index < 0 || w.index >= 2 ** depth || w.path.length !== depth)
        throw new StepProofError(`${what}: malformed witness`);
      if (!equal(climb(w.leaf, w.index, w.path), preRoot))
        throw new StepProofError(`${what}: witness ${w.index} does not match the root`);
      this.leaves.set(w.index, w.leaf);
      let i = w.index;
      for (let d = 0; d < depth; d++) {
        this.nodes.set(`${d}:${i ^ 1}`, w.path[d] as Hash);
        i = Math.floor(i / 2);
      }
    }
  }
  has(index: number): boolean {
    return this.leaves.has(index);
  }
  leaf(index: number): Hash {
    const h = this.leaves.get(index);
    if (!h) throw new StepProofError(`${this.what}: leaf ${index} is not in the proof`);
    return h;
  }
  set(index: number, leaf: Hash): void {
    this.leaf(index);
    this.leaves.set(index, leaf);
  }
  root(): Hash {
    if (this.leaves.size === 0) return this.preRoot;
    let cur = new Map(this.leaves);
    for (let d = 0; d < this.depth; d++) {
      const next = new Map<number, Hash>();
      for (const [i, h] of cur) {
        const p = Math.floor(i / 2);
        if (next.has(p)) continue;
        const sibIdx = i ^ 1;
        const sib = cur.get(sibIdx) ?? this.nodes.get(`${d}:${sibIdx}`);
        if (!sib) throw new StepProofError(`${this.what}: missing sibling`);
        next.set(p, i % 2 === 1 ? hashNode(sib, h) : hashNode(h, sib));
      }
      cur = next;
    }
    return cur.get(0) as Hash;
  }
}

/** A proof that is malformed or does not match the pre-state: the verifier refuses it. */
export class StepProofError extends Error {}
/** The prover cannot prove this instruction class (yet): it says so instead of emitting a wrong proof. */
export class UnsupportedStepError extends Error {}
