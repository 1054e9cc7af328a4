/** @module subsidy params (Tahap 24.1): target per node per month, the declining schedule, eligibility bars, sunset. */
import { parseIntParams } from "../../common/params.js";

export interface SubsidyParams {
  /** 500 NUSA per node per month. */
  readonly targetPerMonth: bigint;
  /** A month is this much block time (30 days). */
  readonly monthSeconds: bigint;
  /** Shares of the target for months 1–6, 7–12, 13–18, 19–24 (ppm); 0 from month 25. */
  readonly schedule1Ppm: bigint;
  readonly schedule2Ppm: bigint;
  readonly schedule3Ppm: bigint;
  readonly schedule4Ppm: bigint;
  /** Months per schedule step. */
  readonly scheduleStepMonths: bigint;
  readonly minUptimePpm: bigint;
  readonly minUtilisationPpm: bigint;
  /** No subsidy after this month, whatever the schedule says. */
  readonly sunsetMonth: bigint;
  /** The subsidy ends for good once organic revenue exceeds this share of what nodes earn in a month. */
  readonly organicSunsetPpm: bigint;
  /** A liveness challenge opens every this much block time (1 h); each Active node must answer it. */
  readonly challengePeriodSeconds: bigint;
  /** An answer counts only up to this long after the challenge opened (10 min); less than the period. */
  readonly challengeDeadlineSeconds: bigint;
}

export const defaultSubsidyParams: SubsidyParams = {
  targetPerMonth: 500_000_000n,
  monthSeconds: 2_592_000n,
  schedule1Ppm: 700_000n,
  schedule2Ppm: 500_000n,
  schedule3Ppm: 300_000n,
  schedule4Ppm: 150_000n,
  scheduleStepMonths: 6n,
  minUptimePpm: 950_000n,
  minUtilisationPpm: 500_000n,
  sunsetMonth: 36n,
  organicSunsetPpm: 800_000n,
  challengePeriodSeconds: 3_600n,
  challengeDeadlineSeconds: 600n,
};

const ppm: readonly [bigint, bigint] = [0n, 1_000_000n];

/** Parses and validates (the shape gov's param-change hook calls); throws naming the field. */
export function validateSubsidyParams(raw: unknown): SubsidyParams {
  const p = parseIntParams("subsidy", raw, defaultSubsidyParams, {
    targetPerMonth: [0n, 10n ** 15n],
    monthSeconds: [1n, 366n * 86_400n],
    schedule1Ppm: ppm,
    schedule2Ppm: ppm,
    schedule3Ppm: ppm,
    schedule4Ppm: ppm,
    scheduleStepMonths: [1n, 120n],
    minUptimePpm: ppm,
    minUtilisationPpm: ppm,
    sunsetMonth: [0n, 1200n],
    organicSunsetPpm: ppm,
    challengePeriodSeconds: [2n, 7n * 86_400n],
    challengeDeadlineSeconds: [1n, 7n * 86_400n],
  });
  // Judged before the next period opens: one open challenge at a time.
  if (p.challengeDeadlineSeconds >= p.challengePeriodSeconds)
    throw new Error("subsidy.params.challengeDeadlineSeconds: must be less than challengePeriodSeconds");
  return p;
}
