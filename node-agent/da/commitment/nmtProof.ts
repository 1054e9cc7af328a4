/**
 * @module Namespaced Merkle tree range proofs (celestiaorg/nmt `ProveRange` / `VerifyInclusion`, sha256,
 * 29-byte namespaces, IgnoreMaxNamespace): the proof that shares sit at [start, end) under a row root.
 */
import { bytesEqual, concatBytes } from "../../../common/hash.js";
import { NAMESPACE_SIZE } from "./namespace.js";
import { NMT_NODE_SIZE, nmtInnerNode, nmtLeafNode } from "./nmt.js";

/** nmt.Proof for an inclusion (no leaf_hash: that field is only for absence proofs). */
export interface NmtProof {
  readonly start: number;
  readonly end: number;
  /** Roots of the subtrees left and right of the range, in the order the verifier consumes them. */
  readonly nodes: readonly Uint8Array[];
}

const minNs = (n: Uint8Array) => n.subarray(0, NAMESPACE_SIZE);
const maxNs = (n: Uint8Array) => n.subarray(NAMESPACE_SIZE, 2 * NAMESPACE_SIZE);

/** nmt getSplitPoint: largest power of two below n; 0 for n = 1. */
function splitPoint(n: number): number {
  if (n < 2) return 0;
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function subtreeRoot(leaves: readonly Uint8Array[], start: number, end: number): Uint8Array {
  if (end - start === 1) return nmtLeafNode(leaves[start] as Uint8Array);
  const k = splitPoint(end - start);
  return nmtInnerNode(subtreeRoot(leaves, start, start + k), subtreeRoot(leaves, start + k, end));
}

/** Range proof for leaves [start, end) of an NMT over namespace-prefixed `leaves` (a power-of-two row). */
export function proveNmtRange(leaves: readonly Uint8Array[], start: number, end: number): NmtProof {
  if (!(start >= 0 && start < end && end <= leaves.length)) throw new RangeError(`bad range [${start}, ${end})`);
  const nodes: Uint8Array[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi <= start || lo >= end) {
      nodes.push(subtreeRoot(leaves, lo, hi));
      return;
    }
    if (hi - lo === 1) return;
    const k = splitPoint(hi - lo);
    walk(lo, lo + k);
    walk(lo + k, hi);
  };
  walk(0, leaves.length);
  return { start, end, nodes };
}

/** HashNode with nmt's checks: well-formed children in namespace order (left max ≤ right min). */
function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length !== NMT_NODE_SIZE || right.length !== NMT_NODE_SIZE) throw new RangeError("malformed NMT node");
  if (Buffer.compare(minNs(left), maxNs(left)) > 0 || Buffer.compare(minNs(right), maxNs(right)) > 0)
    throw new RangeError("NMT node with min namespace above max");
  if (Buffer.compare(maxNs(left), minNs(right)) > 0) throw new RangeError("NMT siblings out of namespace order");
  return nmtInnerNode(left, right);
}

/**
 * True when `shares` (each already starting with its namespace, as in the data square) are exactly the
 * leaves [start, end) of the NMT with root `root`, all in namespace `namespace` (nmt VerifyInclusion).
 */
export function verifyNmtInclusion(
  proof: NmtProof,
  namespace: Uint8Array,
  shares: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const { start, end } = proof;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start < end)) return false;
  if (shares.length !== end - start || root.length !== NMT_NODE_SIZE || proof.nodes.length > 256) return false;
  const leafHashes = shares.map((s) => nmtLeafNode(concatBytes(namespace, s)));
  const nodes = [...proof.nodes];
  try {
    const pop = (list: Uint8Array[]): Uint8Array | undefined => list.shift();
    const computeRoot = (lo: number, hi: number): Uint8Array | undefined => {
      if (hi - lo === 1) return lo >= start && lo < end ? pop(leafHashes) : pop(nodes);
      if (hi <= start || lo >= end) return pop(nodes);
      const k = splitPoint(hi - lo);
      const left = computeRoot(lo, lo + k);
      const right = computeRoot(lo + k, hi);
      if (left === undefined) throw new RangeError("proof too short");
      return right === undefined ? left : hashNode(left, right);
    };
    let rootHash = computeRoot(0, Math.max(1, splitPoint(end) * 2));
    if (rootHash === undefined) return false;
    for (const n of nodes) rootHash = hashNode(rootHash, n);
    return leafHashes.length === 0 && bytesEqual(rootHash, root);
  } catch {
    return false;
  }
}
