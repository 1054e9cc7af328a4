/** @module oracle params (Tahap 24.2): window, staleness, per-period clamp, conversion floor/ceiling; prices in nano-USD per NUSA. */
import { parseIntParams } from "../../common/params.js";

export interface OracleParams {
  /** Length of one aggregation window (block time): the stake-weighted median is taken per window. */
  readonly windowSeconds: bigint;
  /** With no accepted update for longer than this the price is stale; fees keep the last good price. */
  readonly staleSeconds: bigint;
  /** The accepted price moves at most this share per window (ppm; 200 000 = ±20%). */
  readonly maxChangePpm: bigint;
  /** Conversions USD -> NUSA never use a price below the floor or above the ceiling. */
  readonly floorPriceNanoUsd: bigint;
  readonly ceilingPriceNanoUsd: bigint;
  /** A vote extension above this is not a sane price and is refused (VerifyVoteExtension). */
  readonly maxReportNanoUsd: bigint;
  /**
   * Miss accounting (as Terra's/Kujira's x/oracle): each window an active validator either has a valid
   * report or a miss; at the end of each slash window (block time) one below `minValidPerWindowPpm`
   * valid windows is slashed `missSlashFractionPpm` and jailed `missJailSeconds` (0 = not jailed).
   */
  readonly slashWindowSeconds: bigint;
  readonly minValidPerWindowPpm: bigint;
  readonly missSlashFractionPpm: bigint;
  readonly missJailSeconds: bigint;
  /** A report farther than this from the window's median counts as a miss (ppm of the median; 0 = off). */
  readonly outlierBandPpm: bigint;
}

export const defaultOracleParams: OracleParams = {
  windowSeconds: 900n,
  staleSeconds: 3_600n,
  maxChangePpm: 200_000n,
  floorPriceNanoUsd: 1_000_000n, // $0.001
  ceilingPriceNanoUsd: 1_000_000_000_000n, // $1000
  maxReportNanoUsd: 1_000_000_000_000_000n, // $1 000 000
  slashWindowSeconds: 604_800n, // one week, Terra's SlashWindow
  minValidPerWindowPpm: 50_000n, // 5%, Terra's MinValidPerWindow
  missSlashFractionPpm: 100n, // 0.01%, Terra's SlashFraction (= downtime's here)
  missJailSeconds: 600n, // as downtime's jail
  outlierBandPpm: 100_000n, // ±10% of the median
};

/** Parses and validates (the shape gov's param-change hook calls); throws naming the field. */
export function validateOracleParams(raw: unknown): OracleParams {
  const p = parseIntParams("oracle", raw, defaultOracleParams, {
    windowSeconds: [1n, 86_400n],
    staleSeconds: [1n, 30n * 86_400n],
    maxChangePpm: [0n, 1_000_000n],
    floorPriceNanoUsd: [1n, undefined],
    ceilingPriceNanoUsd: [1n, undefined],
    maxReportNanoUsd: [1n, 18_446_744_073_709_551_615n],
    slashWindowSeconds: [1n, 366n * 86_400n],
    minValidPerWindowPpm: [0n, 1_000_000n],
    missSlashFractionPpm: [0n, 1_000_000n],
    missJailSeconds: [0n, 366n * 86_400n],
    outlierBandPpm: [0n, 1_000_000n],
  });
  // A slash window shorter than one price window would judge validators on nothing.
  if (p.slashWindowSeconds < p.windowSeconds)
    throw new Error("oracle.params.slashWindowSeconds: must be at least windowSeconds");
  if (p.floorPriceNanoUsd > p.ceilingPriceNanoUsd)
    throw new Error("oracle.params.floorPriceNanoUsd: must not exceed ceilingPriceNanoUsd");
  return p;
}
