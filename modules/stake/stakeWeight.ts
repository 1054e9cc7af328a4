/**
 * @module Stake weight `log2(stake / min)` (T17) in exact integer arithmetic, as a fixed-point integer
 * with scale 10^6 (STAKE_WEIGHT_SCALE): 1 000 000 means weight 1.0.
 */

export const STAKE_WEIGHT_SCALE = 1_000_000n;
/** Binary fraction bits computed before scaling to 10^6, and the working precision of each squaring. */
const FRACTION_BITS = 64;
const WORK_BITS = 256n;

/** Fraction bits of `log2Fixed`. */
export const LOG2_FRACTION_BITS = 64n;

/**
 * floor(2^64 · log2(num / den)) for num ≥ den > 0, in exact integer arithmetic.
 *
 * Integer part: the largest k with den·2^k <= num. Fraction: the classic bit-by-bit method —
 * square y = num/(den·2^k) ∈ [1, 2); each time y² >= 2 the next binary digit is 1 and y halves.
 * y is held with 256 fractional bits and truncated after each squaring, so the 64 binary digits
 * never exceed the true value and differ from it by less than 2^-60. Only bigint arithmetic: every
 * machine agrees (placement uses it off chain for the same reason).
 */
export function log2Fixed(num: bigint, den: bigint): bigint {
  if (den <= 0n || num < den) throw new RangeError("log2Fixed: need num >= den > 0");
  let k = 0n;
  while (den << (k + 1n) <= num) k++;
  const one = 1n << WORK_BITS;
  const two = one << 1n;
  let y = (num << WORK_BITS) / (den << k);
  let frac = 0n;
  for (let i = 0; i < FRACTION_BITS; i++) {
    y = (y * y) >> WORK_BITS;
    frac <<= 1n;
    if (y >= two) {
      frac |= 1n;
      y >>= 1n;
    }
  }
  return (k << LOG2_FRACTION_BITS) | frac;
}

/**
 * floor(STAKE_WEIGHT_SCALE · log2(stake / min)); 0 when stake < min (the node is not eligible).
 * Exact floor unless log2 lies within 2^-60 of a multiple of 10^-6 (see log2Fixed).
 */
export function stakeWeight(stake: bigint, min: bigint): bigint {
  if (min <= 0n) throw new RangeError("stake weight: minimum must be positive");
  if (stake < min) return 0n;
  return (log2Fixed(stake, min) * STAKE_WEIGHT_SCALE) >> LOG2_FRACTION_BITS;
}

/** "1.584962" — the fixed-point weight as a decimal string for display. */
export function formatStakeWeight(w: bigint): string {
  const int = w / STAKE_WEIGHT_SCALE;
  const frac = (w % STAKE_WEIGHT_SCALE).toString().padStart(6, "0");
  return `${int}.${frac}`;
}
