/** @module Pure miss accounting of the oracle (bigint only): what counts as a valid report, and who falls below the minimum share. */
import { PPM } from "./price.js";

/** Windows an active validator was judged in during the open slash window, and how many of them it missed. */
export interface MissCounter {
  readonly windows: bigint;
  readonly misses: bigint;
}

/**
 * A report is valid when it exists and lies within ±bandPpm of the window's stake-weighted median
 * (bandPpm 0 = any price counts). Outliers are misses, as in Terra's reward band: a feeder that reports a
 * constant or garbage is as useless to the median as one that reports nothing, and must not escape the
 * penalty by sending something.
 */
export function isValidReport(price: bigint | undefined, median: bigint | undefined, bandPpm: bigint): boolean {
  if (price === undefined || price <= 0n) return false;
  if (bandPpm === 0n || median === undefined) return true;
  const diff = price > median ? price - median : median - price;
  return diff * PPM <= median * bandPpm;
}

/** Strictly fewer than minValidPpm of the judged windows valid (a validator judged in no window is never below). */
export function belowMinValid(c: MissCounter, minValidPpm: bigint): boolean {
  if (c.windows <= 0n) return false;
  const valid = c.windows - c.misses;
  return valid * PPM < minValidPpm * c.windows;
}
