/** @module Batched, incremental update of the sparse Merkle tree: touches only the paths of changed keys. */
import { innerHash, leafHash, pathBit } from "./smt.js";
import {
  EMPTY_REF,
  type InnerNode,
  KIND_EMPTY,
  KIND_INNER,
  KIND_LEAF,
  type LeafNode,
  type NodeRef,
  type PendingInner,
  type PendingLeaf,
  type StoredRef,
} from "./treeNodes.js";

/** One change to the tree: set keyHash to valueHash, or remove it (valueHash undefined). */
export interface TreeOp {
  readonly keyHash: Uint8Array;
  readonly valueHash: Uint8Array | undefined;
}

/**
 * Where stored nodes come from, and where the update reports the stored nodes it replaces. A node
 * is named by its reference plus its position: depth and any key hash whose first `depth` bits are
 * the node's path (the store builds a path key from them only when it needs one).
 */
export interface TreeContext {
  loadLeaf(ref: StoredRef, probe: Uint8Array, depth: number): LeafNode;
  loadInner(ref: StoredRef, probe: Uint8Array, depth: number): InnerNode;
  /** A stored node is no longer part of the new tree. */
  retire(ref: StoredRef, probe: Uint8Array, depth: number): void;
}

/**
 * Applies `ops` (sorted by keyHash, unique keyHashes) to the tree under `root`; returns the new root.
 * Every unchanged subtree keeps its reference, so hashing and node I/O are O(changes · depth).
 */
export function updateTree(root: NodeRef, ops: readonly TreeOp[], ctx: TreeContext): NodeRef {
  return update(root, 0, ops, 0, ops.length, ctx);
}

function update(
  ref: NodeRef,
  depth: number,
  ops: readonly TreeOp[],
  lo: number,
  hi: number,
  ctx: TreeContext,
): NodeRef {
  if (lo === hi) return ref;
  const probe = (ops[lo] as TreeOp).keyHash;
  if (ref.kind === KIND_EMPTY) return build(depth, collectSets(ops, lo, hi, undefined));
  if (ref.kind === KIND_LEAF) {
    const leaf: LeafNode = ref.pending ? ref : ctx.loadLeaf(ref, probe, depth);
    let touchesLeaf = false;
    let anySet = false;
    for (let i = lo; i < hi; i++) {
      const op = ops[i] as TreeOp;
      if (sameHash(op.keyHash, leaf.keyHash)) {
        touchesLeaf = true;
        // Setting the same value again leaves this subtree as it is.
        if (op.valueHash !== undefined && sameHash(op.valueHash, leaf.valueHash) && hi - lo === 1) return ref;
      }
      if (op.valueHash !== undefined) anySet = true;
    }
    if (!touchesLeaf && !anySet) return ref; // only deletions of absent keys
    if (!ref.pending) ctx.retire(ref, probe, depth);
    const keep: LeafEntry | undefined = touchesLeaf ? undefined : { ...leaf, hash: ref.hash };
    return build(depth, collectSets(ops, lo, hi, keep));
  }
  const node: InnerNode | PendingInner = ref.pending ? ref : ctx.loadInner(ref, probe, depth);
  let mid = lo;
  while (mid < hi && pathBit((ops[mid] as TreeOp).keyHash, depth) === 0) mid++;
  const left = update(node.left, depth + 1, ops, lo, mid, ctx);
  const right = update(node.right, depth + 1, ops, mid, hi, ctx);
  if (left === node.left && right === node.right) return ref;
  if (!ref.pending) ctx.retire(ref, probe, depth);
  return combine(left, right, depth, probe, ctx);
}

/** The node for a subtree at `depth` whose children are left/right, applying the lone-leaf lifting rule. */
function combine(left: NodeRef, right: NodeRef, depth: number, probe: Uint8Array, ctx: TreeContext): NodeRef {
  if (left.kind === KIND_EMPTY && right.kind === KIND_EMPTY) return EMPTY_REF;
  if (left.kind === KIND_EMPTY && right.kind === KIND_LEAF) return lift(right, depth, probe, 1, ctx);
  if (right.kind === KIND_EMPTY && left.kind === KIND_LEAF) return lift(left, depth, probe, 0, ctx);
  return inner(left, right);
}

/** Moves a lone leaf from depth+1 up to depth: a stored leaf is rewritten at its new path. */
function lift(ref: NodeRef, depth: number, probe: Uint8Array, side: 0 | 1, ctx: TreeContext): NodeRef {
  if (ref.kind !== KIND_LEAF) throw new Error("lift of a non-leaf");
  if (ref.pending) return ref;
  const bits = probe.slice();
  const byte = depth >>> 3;
  const mask = 0x80 >>> (depth & 7);
  bits[byte] = side === 1 ? (bits[byte] as number) | mask : (bits[byte] as number) & ~mask;
  const leaf = ctx.loadLeaf(ref, bits, depth + 1);
  ctx.retire(ref, bits, depth + 1);
  return { kind: KIND_LEAF, pending: true, keyHash: leaf.keyHash, valueHash: leaf.valueHash, hash: ref.hash };
}

function inner(left: NodeRef, right: NodeRef): PendingInner {
  return { kind: KIND_INNER, pending: true, left, right, hash: innerHash(left.hash, right.hash) };
}

function newLeaf(keyHash: Uint8Array, valueHash: Uint8Array, hash?: Uint8Array): PendingLeaf {
  return { kind: KIND_LEAF, pending: true, keyHash, valueHash, hash: hash ?? leafHash(keyHash, valueHash) };
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A leaf to place; `hash` is known when the leaf already existed. */
interface LeafEntry extends LeafNode {
  readonly hash?: Uint8Array;
}

/** The sets among ops[lo, hi) plus an existing leaf, as leaves sorted by keyHash. */
function collectSets(ops: readonly TreeOp[], lo: number, hi: number, keep: LeafEntry | undefined): LeafEntry[] {
  const out: LeafEntry[] = [];
  let kept = keep === undefined;
  for (let i = lo; i < hi; i++) {
    const op = ops[i] as TreeOp;
    if (!kept && Buffer.compare((keep as LeafEntry).keyHash, op.keyHash) < 0) {
      out.push(keep as LeafEntry);
      kept = true;
    }
    if (op.valueHash !== undefined) out.push({ keyHash: op.keyHash, valueHash: op.valueHash });
  }
  if (!kept) out.push(keep as LeafEntry);
  return out;
}

/** Builds a fresh subtree at `depth` from leaves sorted by keyHash (all sharing the first depth bits). */
function build(depth: number, leaves: readonly LeafEntry[], lo = 0, hi = leaves.length): NodeRef {
  if (hi === lo) return EMPTY_REF;
  if (hi - lo === 1) {
    const l = leaves[lo] as LeafEntry;
    return newLeaf(l.keyHash, l.valueHash, l.hash);
  }
  let mid = lo;
  while (mid < hi && pathBit((leaves[mid] as LeafEntry).keyHash, depth) === 0) mid++;
  return inner(build(depth + 1, leaves, lo, mid), build(depth + 1, leaves, mid, hi));
}
