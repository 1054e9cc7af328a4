/** @module Pure subsidy rules: month of block time, the declining schedule, eligibility with its reason, sunset. */
import type { SubsidyParams } from "./params.js";

const PPM = 1_000_000n;

/** Month number of `time` (1 = the first `monthSeconds` after `start`); 0 before start. */
export function monthOf(start: bigint, time: bigint, monthSeconds: bigint): bigint {
  if (time < start) return 0n;
  return (time - start) / monthSeconds + 1n;
}

/** Share of the target paid for `month` (ppm): 70/50/30/15/0 % by 6-month steps; 0 after the sunset month. */
export function schedulePpm(p: SubsidyParams, month: bigint): bigint {
  if (month < 1n || month > p.sunsetMonth) return 0n;
  const step = (month - 1n) / p.scheduleStepMonths;
  return [p.schedule1Ppm, p.schedule2Ppm, p.schedule3Ppm, p.schedule4Ppm][Number(step)] ?? 0n;
}

/**
 * The month's subsidy for a node (roadmap 24.1 `calculate_monthly_subsidy`): the schedule's share of the shortfall
 * between the target and the organic (receipt) income its operator was paid that month — a node already earning
 * the target gets nothing, one earning nothing gets the share of the whole target.
 */
export function amountFor(p: SubsidyParams, month: bigint, organic = 0n): bigint {
  const shortfall = organic >= p.targetPerMonth ? 0n : p.targetPerMonth - organic;
  return (shortfall * schedulePpm(p, month)) / PPM;
}

/** What a node did in a month, as recorded on chain. */
export interface Activity {
  readonly challenges: bigint;
  readonly passed: bigint;
  readonly usedBytes: bigint;
  readonly capacityBytes: bigint;
  readonly selfDealing: boolean;
  /** The committee epoch whose storage receipts `epochBytes` sums (utilisation = the best epoch's sum). */
  readonly usageEpoch: bigint;
  readonly epochBytes: bigint;
  /** Organic (receipt) income paid to the node's operator this month, unusa: the subsidy covers target − this. */
  readonly organic: bigint;
}

export interface Judgement {
  readonly eligible: boolean;
  readonly reason: string;
  readonly uptimePpm: bigint;
  readonly utilisationPpm: bigint;
}

const pct = (v: bigint) => `${v / 10_000n}.${((v % 10_000n) / 100n).toString().padStart(2, "0")}%`;

/**
 * Eligibility in the roadmap's order; the first failing rule is the reason. Uptime is the share of
 * liveness challenges passed (no challenge = no evidence of uptime = not eligible).
 */
export function judge(
  p: SubsidyParams,
  a: Activity,
  state: { active: boolean; slashed: boolean; sunset: boolean },
): Judgement {
  const uptimePpm = a.challenges > 0n ? (a.passed * PPM) / a.challenges : 0n;
  const utilisationPpm = a.capacityBytes > 0n ? (a.usedBytes * PPM) / a.capacityBytes : 0n;
  const no = (reason: string): Judgement => ({ eligible: false, reason, uptimePpm, utilisationPpm });
  if (state.sunset) return no("subsidy has sunset");
  if (!state.active) return no("node is not active");
  if (a.challenges === 0n) return no("no liveness challenges recorded this month");
  if (uptimePpm < p.minUptimePpm) return no(`uptime ${pct(uptimePpm)} < ${pct(p.minUptimePpm)}`);
  if (utilisationPpm < p.minUtilisationPpm)
    return no(`utilisation ${pct(utilisationPpm)} < ${pct(p.minUtilisationPpm)}`);
  if (a.selfDealing) return no("self-dealing detected this month");
  if (state.slashed) return no("slashed this month");
  return { eligible: true, reason: "", uptimePpm, utilisationPpm };
}

/**
 * The amount for an eligible node judged in `judged` of the month's `periods` liveness challenges. Uptime
 * counts only the challenges a node was judged in, so a node that joined late (one challenge answered: 100%)
 * would earn a whole month: below `minUptimePpm` of the month's challenges it is paid that share (floor), with
 * the reason. At or above it (a challenge straddling the month's edge), or with no count kept: in full.
 */
export function proRated(
  p: SubsidyParams,
  full: bigint,
  judged: bigint,
  periods: bigint,
): { amount: bigint; reason: string } {
  if (periods === 0n || judged * PPM >= p.minUptimePpm * periods) return { amount: full, reason: "" };
  return {
    amount: (full * judged) / periods,
    reason: `pro-rated: judged in ${judged} of the month's ${periods} liveness challenges`,
  };
}

/** Why the subsidy ends for good at the end of `month`, if it does. */
export function sunsetReason(p: SubsidyParams, month: bigint, organic: bigint, subsidy: bigint): string | undefined {
  if (month >= p.sunsetMonth) return `month ${month} reached the sunset month ${p.sunsetMonth}`;
  const total = organic + subsidy;
  if (total > 0n && organic * PPM > p.organicSunsetPpm * total)
    return `organic revenue ${pct((organic * PPM) / total)} of node income > ${pct(p.organicSunsetPpm)}`;
  return undefined;
}
