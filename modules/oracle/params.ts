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
}

export const defaultOracleParams: OracleParams = {
  windowSeconds: 900n,
  staleSeconds: 3_600n,
  maxChangePpm: 200_000n,
  floorPriceNanoUsd: 1_000_000n, // $0.001
  ceilingPriceNanoUsd: 1_000_000_000_000n, // $1000
  maxReportNanoUsd: 1_000_000_000_000_000n, // $1 000 000
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
  });
  if (p.floorPriceNanoUsd > p.ceilingPriceNanoUsd)
    throw new Error("oracle.params.floorPriceNanoUsd: must not exceed ceilingPriceNanoUsd");
  return p;
}
