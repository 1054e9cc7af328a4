/**
 * @module subsidy genesis: params, start time, settlement and sunset state, the running months' activity, the
 * liveness challenge and each node's last answered period.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromHex, toHex } from "../../common/hash.js";
import { isValidAddress } from "../../common/secp256k1.js";
import { NodeSubsidy } from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { SubsidyKeeper } from "./keeper.js";
import { defaultSubsidyParams, validateSubsidyParams } from "./params.js";

export interface SubsidyGenesis {
  params: Record<string, string>;
  /** Block time month 1 starts; 0 = the genesis time. */
  start: string;
  settledMonth: string;
  sunset: boolean;
  sunsetReason: string;
  /** Activity of the running month (earlier months are settled and need not travel). */
  activity: {
    operator: string;
    month: string;
    challenges: string;
    passed: string;
    usedBytes: string;
    capacityBytes: string;
    selfDealing: boolean;
    /** Absent in older files: "0". */
    usageEpoch?: string;
    epochBytes?: string;
    /** The operator's organic income that month (unusa); absent in older files: "0". */
    organic?: string;
  }[];
  /** `periods` (challenges judged that month) absent in older files: "0". */
  revenue: { month: string; organic: string; subsidy: string; periods?: string }[];
  /** NodeSubsidy.toJSON: each node's last settled month. */
  records: unknown[];
  /** The current liveness challenge (seed hex), if one was opened. */
  challenge?: {
    period: string;
    seed: string;
    openedAt: string;
    openedHeight?: string;
    deadline: string;
    judged: boolean;
  };
  /** Each node operator's last answered challenge period. */
  answered?: { operator: string; period: string }[];
}

const uint = (v: unknown, field: string): bigint => {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v))
    throw new Error(`subsidy.${field}: expected an unsigned integer string`);
  return BigInt(v);
};

export function defaultSubsidyGenesis(): SubsidyGenesis {
  return {
    params: JSON.parse(canonicalJson(defaultSubsidyParams)),
    start: "0",
    settledMonth: "0",
    sunset: false,
    sunsetReason: "",
    activity: [],
    revenue: [],
    records: [],
  };
}

export function validateSubsidyGenesis(raw: unknown): SubsidyGenesis {
  const g = { ...defaultSubsidyGenesis(), ...((raw ?? {}) as Partial<SubsidyGenesis>) } as SubsidyGenesis;
  validateSubsidyParams(g.params);
  uint(g.start, "start");
  uint(g.settledMonth, "settledMonth");
  if (typeof g.sunset !== "boolean") throw new Error("subsidy.sunset: expected a boolean");
  for (const [i, a] of g.activity.entries()) {
    if (!isValidAddress(a.operator)) throw new Error(`subsidy.activity[${i}].operator: invalid address`);
    for (const f of ["month", "challenges", "passed", "usedBytes", "capacityBytes"] as const)
      uint(a[f], `activity[${i}].${f}`);
    for (const f of ["usageEpoch", "epochBytes", "organic"] as const) uint(a[f] ?? "0", `activity[${i}].${f}`);
    if (BigInt(a.passed) > BigInt(a.challenges)) throw new Error(`subsidy.activity[${i}].passed: exceeds challenges`);
  }
  for (const [i, r] of g.revenue.entries()) {
    for (const f of ["month", "organic", "subsidy"] as const) uint(r[f], `revenue[${i}].${f}`);
    uint(r.periods ?? "0", `revenue[${i}].periods`);
  }
  if (g.challenge) {
    for (const f of ["period", "openedAt", "deadline"] as const) uint(g.challenge[f], `challenge.${f}`);
    uint(g.challenge.openedHeight ?? "0", "challenge.openedHeight");
    if (!/^[0-9a-f]{64}$/.test(String(g.challenge.seed))) throw new Error("subsidy.challenge.seed: expected 64 hex");
  }
  for (const [i, a] of (g.answered ?? []).entries()) {
    if (!isValidAddress(a.operator)) throw new Error(`subsidy.answered[${i}].operator: invalid address`);
    uint(a.period, `answered[${i}].period`);
  }
  for (const [i, r] of g.records.entries())
    if (!isValidAddress(NodeSubsidy.fromJSON(r).operator))
      throw new Error(`subsidy.records[${i}].operator: invalid address`);
  return g;
}

export function initSubsidyGenesis(ctx: Context, keeper: SubsidyKeeper, raw: unknown): void {
  const g = validateSubsidyGenesis(raw);
  keeper.setParams(ctx, validateSubsidyParams(g.params));
  keeper.setState(ctx, {
    start: BigInt(g.start) === 0n ? ctx.block.timeSeconds : BigInt(g.start),
    settledMonth: BigInt(g.settledMonth),
    sunset: g.sunset,
    sunsetReason: g.sunsetReason,
  });
  for (const a of g.activity)
    keeper.setActivity(ctx, BigInt(a.month), addressBytesOf(a.operator), {
      challenges: BigInt(a.challenges),
      passed: BigInt(a.passed),
      usedBytes: BigInt(a.usedBytes),
      capacityBytes: BigInt(a.capacityBytes),
      selfDealing: a.selfDealing,
      usageEpoch: BigInt(a.usageEpoch ?? "0"),
      epochBytes: BigInt(a.epochBytes ?? "0"),
      organic: BigInt(a.organic ?? "0"),
    });
  if (g.challenge)
    keeper.setChallenge(ctx, {
      period: BigInt(g.challenge.period),
      seed: fromHex(g.challenge.seed),
      openedAt: BigInt(g.challenge.openedAt),
      openedHeight: BigInt(g.challenge.openedHeight ?? "0"),
      deadline: BigInt(g.challenge.deadline),
      judged: g.challenge.judged === true,
    });
  for (const a of g.answered ?? []) keeper.setAnswered(ctx, addressBytesOf(a.operator), BigInt(a.period));
  for (const r of g.revenue)
    keeper.importRevenue(ctx, BigInt(r.month), {
      organic: BigInt(r.organic),
      subsidy: BigInt(r.subsidy),
      periods: BigInt(r.periods ?? "0"),
    });
  for (const r of g.records) {
    const rec = NodeSubsidy.fromJSON(r);
    keeper.setRecord(ctx, addressBytesOf(rec.operator), rec);
  }
}

export function exportSubsidyGenesis(ctx: Context, keeper: SubsidyKeeper): SubsidyGenesis {
  const s = keeper.getState(ctx);
  const c = keeper.getChallenge(ctx);
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    start: s.start.toString(),
    settledMonth: s.settledMonth.toString(),
    sunset: s.sunset,
    sunsetReason: s.sunsetReason,
    activity: keeper.allActivity(ctx).map(({ month, op, a }) => ({
      operator: op,
      month: month.toString(),
      challenges: a.challenges.toString(),
      passed: a.passed.toString(),
      usedBytes: a.usedBytes.toString(),
      capacityBytes: a.capacityBytes.toString(),
      selfDealing: a.selfDealing,
      usageEpoch: a.usageEpoch.toString(),
      epochBytes: a.epochBytes.toString(),
      organic: a.organic.toString(),
    })),
    revenue: keeper.allRevenue(ctx).map((r) => ({
      month: r.month.toString(),
      organic: r.organic.toString(),
      subsidy: r.subsidy.toString(),
      ...(r.periods > 0n ? { periods: r.periods.toString() } : {}),
    })),
    records: keeper.allRecords(ctx).map((r) => NodeSubsidy.toJSON(r)),
    ...(c
      ? {
          challenge: {
            period: c.period.toString(),
            seed: toHex(c.seed),
            openedAt: c.openedAt.toString(),
            openedHeight: c.openedHeight.toString(),
            deadline: c.deadline.toString(),
            judged: c.judged,
          },
        }
      : {}),
    answered: keeper.allAnswered(ctx).map((a) => ({ operator: a.op, period: a.period.toString() })),
  };
}
