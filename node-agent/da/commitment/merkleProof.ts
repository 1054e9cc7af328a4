/** @module RFC 6962 inclusion proofs in CometBFT's `merkle.Proof` form (total, index, leaf_hash, aunts): prove and verify. */
import { createHash } from "node:crypto";
import { bytesEqual } from "../../../common/hash.js";

/** CometBFT crypto/merkle.Proof. */
export interface MerkleProof {
  readonly total: number;
  readonly index: number;
  readonly leafHash: Uint8Array;
  readonly aunts: readonly Uint8Array[];
}

const leafHash = (leaf: Uint8Array) =>
  new Uint8Array(createHash("sha256").update(Uint8Array.of(0)).update(leaf).digest());
const innerHash = (l: Uint8Array, r: Uint8Array) =>
  new Uint8Array(createHash("sha256").update(Uint8Array.of(1)).update(l).update(r).digest());

/** Largest power of two strictly below n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function treeRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 1) return leafHash(items[0] as Uint8Array);
  const k = splitPoint(items.length);
  return innerHash(treeRoot(items.slice(0, k)), treeRoot(items.slice(k)));
}

/** The proof of `items[index]` (aunts bottom-up, as `merkle.ProofsFromByteSlices` makes them). */
export function merkleProof(items: readonly Uint8Array[], index: number): MerkleProof {
  if (!(index >= 0 && index < items.length)) throw new RangeError(`index ${index} outside 0..${items.length - 1}`);
  const aunts: Uint8Array[] = [];
  const walk = (lo: number, hi: number): void => {
    if (hi - lo === 1) return;
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      walk(lo, mid);
      aunts.push(treeRoot(items.slice(mid, hi)));
    } else {
      walk(mid, hi);
      aunts.push(treeRoot(items.slice(lo, mid)));
    }
  };
  walk(0, items.length);
  return { total: items.length, index, leafHash: leafHash(items[index] as Uint8Array), aunts };
}

function fromAunts(
  index: number,
  total: number,
  leaf: Uint8Array,
  aunts: readonly Uint8Array[],
): Uint8Array | undefined {
  if (index >= total || index < 0 || total <= 0) return undefined;
  if (total === 1) return aunts.length === 0 ? leaf : undefined;
  if (aunts.length === 0) return undefined;
  const last = aunts[aunts.length - 1] as Uint8Array;
  const rest = aunts.slice(0, -1);
  const k = splitPoint(total);
  if (index < k) {
    const left = fromAunts(index, k, leaf, rest);
    return left && innerHash(left, last);
  }
  const right = fromAunts(index - k, total - k, leaf, rest);
  return right && innerHash(last, right);
}

/** The root a proof of `leaf` leads to (CometBFT Proof.ComputeRootHash), or undefined when it is ill-formed. */
export function merkleProofRoot(proof: MerkleProof, leaf: Uint8Array): Uint8Array | undefined {
  if (!Number.isSafeInteger(proof.total) || !Number.isSafeInteger(proof.index)) return undefined;
  if (proof.aunts.length > 100) return undefined;
  const lh = leafHash(leaf);
  if (!bytesEqual(lh, proof.leafHash)) return undefined;
  return fromAunts(proof.index, proof.total, lh, proof.aunts);
}

/** True when `leaf` is item `proof.index` of a tree of `proof.total` items with root `root` (CometBFT Proof.Verify). */
export function verifyMerkleProof(proof: MerkleProof, root: Uint8Array, leaf: Uint8Array): boolean {
  const computed = merkleProofRoot(proof, leaf);
  return computed !== undefined && bytesEqual(computed, root);
}
