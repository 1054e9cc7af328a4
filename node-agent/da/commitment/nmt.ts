/** @module Namespaced Merkle tree root (celestiaorg/nmt with sha256, 29-byte namespaces, IgnoreMaxNamespace). */
import { createHash } from "node:crypto";
import { NAMESPACE_SIZE, PARITY_SHARE_NAMESPACE } from "./namespace.js";

/** A node is `minNs(29) ‖ maxNs(29) ‖ sha256(...)(32)` = 90 bytes. */
export const NMT_NODE_SIZE = 2 * NAMESPACE_SIZE + 32;

function compare(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

function isParity(ns: Uint8Array): boolean {
  return compare(ns, PARITY_SHARE_NAMESPACE) === 0;
}

/** Leaf node: `ns ‖ ns ‖ sha256(0x00 ‖ leaf)` where `leaf = ns ‖ data` (namespace-prefixed). */
export function nmtLeafNode(leaf: Uint8Array): Uint8Array {
  const ns = leaf.subarray(0, NAMESPACE_SIZE);
  const out = new Uint8Array(NMT_NODE_SIZE);
  out.set(ns, 0);
  out.set(ns, NAMESPACE_SIZE);
  out.set(createHash("sha256").update(Uint8Array.of(0)).update(leaf).digest(), 2 * NAMESPACE_SIZE);
  return out;
}

/**
 * Inner node: `min ‖ max ‖ sha256(0x01 ‖ left ‖ right)`. With IgnoreMaxNamespace the parity
 * namespace on the right does not widen the range, as in celestia's NMT wrapper.
 */
export function nmtInnerNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  const lMin = left.subarray(0, NAMESPACE_SIZE);
  const lMax = left.subarray(NAMESPACE_SIZE, 2 * NAMESPACE_SIZE);
  const rMin = right.subarray(0, NAMESPACE_SIZE);
  const rMax = right.subarray(NAMESPACE_SIZE, 2 * NAMESPACE_SIZE);
  const min = compare(lMin, rMin) <= 0 ? lMin : rMin;
  let max: Uint8Array;
  if (isParity(lMin)) max = PARITY_SHARE_NAMESPACE;
  else if (isParity(rMin)) max = lMax;
  else max = compare(lMax, rMax) >= 0 ? lMax : rMax;
  const out = new Uint8Array(NMT_NODE_SIZE);
  out.set(min, 0);
  out.set(max, NAMESPACE_SIZE);
  out.set(createHash("sha256").update(Uint8Array.of(1)).update(left).update(right).digest(), 2 * NAMESPACE_SIZE);
  return out;
}

/** Root of an NMT over namespace-prefixed leaves, which must be in namespace order. Empty → zero ns ‖ sha256(""). */
export function nmtRoot(leaves: readonly Uint8Array[]): Uint8Array {
  if (leaves.length === 0) {
    const out = new Uint8Array(NMT_NODE_SIZE);
    out.set(createHash("sha256").digest(), 2 * NAMESPACE_SIZE);
    return out;
  }
  for (let i = 1; i < leaves.length; i++) {
    const prev = (leaves[i - 1] as Uint8Array).subarray(0, NAMESPACE_SIZE);
    if (compare(prev, (leaves[i] as Uint8Array).subarray(0, NAMESPACE_SIZE)) > 0) {
      throw new RangeError("NMT leaves must be pushed in namespace order");
    }
  }
  return subtree(leaves, 0, leaves.length);
}

// Same split rule as RFC 6962 (largest power of two below n) — the nmt library uses it too.
function subtree(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  const n = end - start;
  if (n === 1) return nmtLeafNode(leaves[start] as Uint8Array);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return nmtInnerNode(subtree(leaves, start, start + k), subtree(leaves, start + k, end));
}
