/** @module RFC 6962 binary Merkle root and the mountain-range / subtree-width rules of ADR-013. */
import { sha256OneShot } from "../../../common/hash.js";

/** Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 Merkle tree hash (CometBFT `merkle.HashFromByteSlices`): empty → sha256(""). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return new Uint8Array(sha256OneShot(new Uint8Array(0)));
  // Leaves hashed once each, then the tree folded by index ranges: no sub-array copies, one-shot hashes into
  // reused scratch buffers (a sealed batch of thousands of envelopes is hashed on every replay).
  let max = 0;
  for (const it of items) if (it.length > max) max = it.length;
  const leafBuf = Buffer.allocUnsafe(max + 1);
  leafBuf[0] = 0;
  const leaves: Buffer[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const it = items[i]!;
    leafBuf.set(it, 1);
    leaves[i] = sha256OneShot(leafBuf.subarray(0, it.length + 1));
  }
  const inner = Buffer.allocUnsafe(65);
  inner[0] = 1;
  const fold = (lo: number, hi: number): Buffer => {
    if (hi - lo === 1) return leaves[lo]!;
    const k = splitPoint(hi - lo);
    const left = fold(lo, lo + k);
    const right = fold(lo + k, hi);
    inner.set(left, 1);
    inner.set(right, 33);
    return sha256OneShot(inner);
  };
  return new Uint8Array(fold(0, items.length));
}

/** Smallest power of two ≥ n (1 for n ≤ 1). */
export function roundUpPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Largest power of two ≤ n (n ≥ 1). */
export function roundDownPowerOfTwo(n: number): number {
  if (n < 1) throw new RangeError(`input ${n} must be positive`);
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** Smallest square width that can hold `shareCount` shares. */
export function blobMinSquareSize(shareCount: number): number {
  return roundUpPowerOfTwo(Math.ceil(Math.sqrt(shareCount)));
}

/** Leaves per subtree root: grows only once a blob would need more than `threshold` roots. */
export function subtreeWidth(shareCount: number, threshold: number): number {
  const s = roundUpPowerOfTwo(Math.ceil(shareCount / threshold));
  return Math.min(s, blobMinSquareSize(shareCount));
}

/** Tree sizes of the mountain range: full trees of `maxTreeSize`, then descending powers of two. */
export function merkleMountainRangeSizes(totalSize: number, maxTreeSize: number): number[] {
  const sizes: number[] = [];
  let rest = totalSize;
  while (rest > 0) {
    const size = rest >= maxTreeSize ? maxTreeSize : roundDownPowerOfTwo(rest);
    sizes.push(size);
    rest -= size;
  }
  return sizes;
}
