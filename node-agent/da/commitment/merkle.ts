/** @module RFC 6962 binary Merkle root and the mountain-range / subtree-width rules of ADR-013. */
import { createHash } from "node:crypto";

const LEAF_PREFIX = Uint8Array.of(0);
const INNER_PREFIX = Uint8Array.of(1);

function digest(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** Largest power of two strictly below n (n ≥ 2): the RFC 6962 split point. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 Merkle tree hash (CometBFT `merkle.HashFromByteSlices`): empty → sha256(""). */
export function merkleRoot(items: readonly Uint8Array[]): Uint8Array {
  if (items.length === 0) return digest();
  if (items.length === 1) return digest(LEAF_PREFIX, items[0] as Uint8Array);
  const k = splitPoint(items.length);
  return digest(INNER_PREFIX, merkleRoot(items.slice(0, k)), merkleRoot(items.slice(k)));
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
