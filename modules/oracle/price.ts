/** @module Pure oracle arithmetic (bigint only): weighted median, per-period clamp, staleness, USD -> NUSA conversion. */

/** Parts per million. */
export const PPM = 1_000_000n;
/** Prices are nano-USD per 1 NUSA. */
export const NANO_USD_PER_USD = 1_000_000_000n;
/** unusa per NUSA. */
export const UNUSA_PER_NUSA = 1_000_000n;

export interface WeightedPrice {
  readonly price: bigint;
  readonly weight: bigint;
}

/**
 * Lower weighted median: the smallest price at which the cumulative weight (prices ascending) reaches
 * half of the total. Reports with no weight do not count. Undefined when nothing has weight.
 * A coalition below half the weight can only move the result within the honest reports' range.
 */
export function weightedMedian(reports: readonly WeightedPrice[]): bigint | undefined {
  const live = reports.filter((r) => r.weight > 0n && r.price > 0n);
  if (live.length === 0) return undefined;
  const sorted = [...live].sort((a, b) => (a.price < b.price ? -1 : a.price > b.price ? 1 : 0));
  const total = sorted.reduce((s, r) => s + r.weight, 0n);
  let cum = 0n;
  for (const r of sorted) {
    cum += r.weight;
    if (cum * 2n >= total) return r.price;
  }
  return sorted[sorted.length - 1]?.price;
}

/**
 * The candidate limited to ±maxChangePpm of the last accepted price (no last price: taken as is). The band is
 * at least one unit wide when maxChangePpm > 0: below 5 nano-USD, 20% rounds to 0 and the price would freeze.
 */
export function clampChange(last: bigint, candidate: bigint, maxChangePpm: bigint): bigint {
  if (last <= 0n) return candidate;
  const scaled = (last * maxChangePpm) / PPM;
  const delta = scaled === 0n && maxChangePpm > 0n ? 1n : scaled;
  const lo = last - delta;
  const hi = last + delta;
  return candidate < lo ? lo : candidate > hi ? hi : candidate;
}

/** Stale when strictly more than `staleSeconds` passed since the last accepted update (exactly 1 h is still fresh). */
export function isStale(updatedAt: bigint, now: bigint, staleSeconds: bigint): boolean {
  return now - updatedAt > staleSeconds;
}

/** The price conversions use: the accepted (or last good) price held within [floor, ceiling]. */
export function boundedPrice(price: bigint, floor: bigint, ceiling: bigint): bigint {
  return price < floor ? floor : price > ceiling ? ceiling : price;
}

/** unusa for `usdNano` nano-USD at `priceNanoUsd` per NUSA, rounded up so a fee never undercharges. */
export function usdToUnusa(usdNano: bigint, priceNanoUsd: bigint): bigint {
  if (priceNanoUsd <= 0n) throw new Error("price must be positive");
  if (usdNano <= 0n) return 0n;
  const num = usdNano * UNUSA_PER_NUSA;
  return (num + priceNanoUsd - 1n) / priceNanoUsd;
}

/** nano-USD as a decimal string with 9 places ("0.050000000"), for people. */
export function formatUsd(nano: bigint): string {
  const neg = nano < 0n;
  const a = neg ? -nano : nano;
  return `${neg ? "-" : ""}${a / NANO_USD_PER_USD}.${(a % NANO_USD_PER_USD).toString().padStart(9, "0")}`;
}
