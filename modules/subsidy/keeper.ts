/**
 * @module subsidy keeper: per-month node activity (liveness challenges, storage receipts, self-dealing), monthly
 * settlement from the subsidy pool, sunset.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readAddrKey, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { fromHex, toHex } from "../../common/hash.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { NodeSubsidy } from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import {
  challengeAnsweredEvent,
  challengeMissedEvent,
  challengeOpenedEvent,
  ineligibleEvent,
  paidEvent,
  selfDealingEvent,
  sunsetEvent,
} from "./events.js";
import type { BankKeeper, NodesKeeper, SlashingKeeper } from "./expectedKeepers.js";
import {
  activityKey,
  answeredKey,
  challengeKey,
  MODULE_NAME,
  Prefix,
  paramsKey,
  recordKey,
  recordPrefix,
  revenueKey,
  stateKey,
} from "./keys.js";
import { challengeSeed, periodOf } from "./liveness.js";
import { defaultSubsidyParams, type SubsidyParams, validateSubsidyParams } from "./params.js";
import { type Activity, amountFor, judge, monthOf, proRated, sunsetReason } from "./schedule.js";

export const DENOM = "unusa";

/** A month's chain-wide figures. */
export interface MonthRevenue {
  /** Receipt income paid to nodes. */
  readonly organic: bigint;
  /** Subsidy paid at the month's settlement. */
  readonly subsidy: bigint;
  /** Liveness challenges judged in the month (the base of a late joiner's pro-rated share). */
  readonly periods: bigint;
}

export interface SubsidyState {
  /** Block time month 1 starts (the genesis time). */
  readonly start: bigint;
  /** Months up to this one are settled (paid or refused). */
  readonly settledMonth: bigint;
  readonly sunset: boolean;
  readonly sunsetReason: string;
}

/** The open (or last) liveness challenge. */
export interface Challenge {
  readonly period: bigint;
  readonly seed: Uint8Array;
  readonly openedAt: bigint;
  /** The height of the block that opened it (0 = unknown, from an older export): nodes registered after it are not judged. */
  readonly openedHeight: bigint;
  /** Answers are accepted while block time ≤ deadline; the first block after it records the misses. */
  readonly deadline: bigint;
  readonly judged: boolean;
}

const noActivity: Activity = {
  challenges: 0n,
  passed: 0n,
  usedBytes: 0n,
  capacityBytes: 0n,
  selfDealing: false,
  usageEpoch: 0n,
  epochBytes: 0n,
  organic: 0n,
};

export class SubsidyKeeper {
  constructor(
    private readonly bank: BankKeeper,
    private readonly nodes: NodesKeeper,
    private readonly slashing: SlashingKeeper,
  ) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): SubsidyParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? validateSubsidyParams(JSON.parse(fromUtf8(raw))) : defaultSubsidyParams;
  }

  setParams(ctx: Context, p: SubsidyParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getState(ctx: Context): SubsidyState {
    const raw = this.store(ctx).get(stateKey);
    if (!raw) return { start: 0n, settledMonth: 0n, sunset: false, sunsetReason: "" };
    const j = JSON.parse(fromUtf8(raw)) as Record<string, unknown>;
    return {
      start: BigInt(String(j.start)),
      settledMonth: BigInt(String(j.settledMonth)),
      sunset: j.sunset === true,
      sunsetReason: String(j.sunsetReason ?? ""),
    };
  }

  setState(ctx: Context, s: SubsidyState): void {
    this.store(ctx).set(stateKey, utf8(canonicalJson(s)));
  }

  /** The month of `ctx`'s block time; a query with no known time (just restarted) says the month after the last settled. */
  currentMonth(ctx: Context): bigint {
    const s = this.getState(ctx);
    if (ctx.block.timeSeconds === 0n) return s.settledMonth + 1n;
    return monthOf(s.start, ctx.block.timeSeconds, this.getParams(ctx).monthSeconds);
  }

  getActivity(ctx: Context, month: bigint, op: Uint8Array): Activity {
    const raw = this.store(ctx).get(activityKey(month, op));
    if (!raw) return noActivity;
    const j = JSON.parse(fromUtf8(raw)) as Record<string, unknown>;
    return {
      challenges: BigInt(String(j.challenges)),
      passed: BigInt(String(j.passed)),
      usedBytes: BigInt(String(j.usedBytes)),
      capacityBytes: BigInt(String(j.capacityBytes)),
      selfDealing: j.selfDealing === true,
      usageEpoch: BigInt(String(j.usageEpoch ?? 0)),
      epochBytes: BigInt(String(j.epochBytes ?? 0)),
      organic: BigInt(String(j.organic ?? 0)),
    };
  }

  setActivity(ctx: Context, month: bigint, op: Uint8Array, a: Activity): void {
    this.store(ctx).set(activityKey(month, op), utf8(canonicalJson(a)));
  }

  private update(ctx: Context, op: Uint8Array, f: (a: Activity) => Activity): void {
    const m = this.currentMonth(ctx);
    this.setActivity(ctx, m, op, f(this.getActivity(ctx, m, op)));
  }

  /** One liveness challenge outcome for the node of operator `op` (the input of uptime). */
  recordChallenge(ctx: Context, op: Uint8Array, passed: boolean): void {
    this.update(ctx, op, (a) => ({ ...a, challenges: a.challenges + 1n, passed: a.passed + (passed ? 1n : 0n) }));
  }

  /** Bytes the node holds for others this month (the highest reported counts) against its registered capacity. */
  recordUsage(ctx: Context, op: Uint8Array, usedBytes: bigint): void {
    const cap = this.nodes.getNodeByOperator(ctx, op)?.capacityBytes ?? 0n;
    this.update(ctx, op, (a) => ({
      ...a,
      usedBytes: usedBytes > a.usedBytes ? usedBytes : a.usedBytes,
      capacityBytes: cap,
    }));
  }

  /**
   * A paid storage receipt of the operator's node: its bytes add to its epoch's sum, and the best epoch's sum
   * of the month is the node's used bytes (one storage receipt per workload, node and epoch, so an epoch's sum
   * is what the node held for others then). A late claim for an older epoch counts alone (never overcounts).
   */
  recordStorageReceipt(ctx: Context, op: Uint8Array, epoch: bigint, bytes: bigint): void {
    const m = this.currentMonth(ctx);
    const a = this.getActivity(ctx, m, op);
    const sum = epoch === a.usageEpoch ? a.epochBytes + bytes : bytes;
    if (epoch >= a.usageEpoch) this.setActivity(ctx, m, op, { ...a, usageEpoch: epoch, epochBytes: sum });
    this.recordUsage(ctx, op, sum);
  }

  recordSelfDealing(ctx: Context, op: Uint8Array): void {
    this.update(ctx, op, (a) => ({ ...a, selfDealing: true }));
    ctx.emit(selfDealingEvent(toBech32Address(op), this.currentMonth(ctx)));
  }

  // ---- liveness challenges ----------------------------------------------------------------------

  getChallenge(ctx: Context): Challenge | undefined {
    const raw = this.store(ctx).get(challengeKey);
    if (!raw) return undefined;
    const j = JSON.parse(fromUtf8(raw)) as Record<string, unknown>;
    return {
      period: BigInt(String(j.period)),
      seed: fromHex(String(j.seed)),
      openedAt: BigInt(String(j.openedAt)),
      openedHeight: BigInt(String(j.openedHeight ?? "0")),
      deadline: BigInt(String(j.deadline)),
      judged: j.judged === true,
    };
  }

  setChallenge(ctx: Context, c: Challenge): void {
    this.store(ctx).set(challengeKey, utf8(canonicalJson({ ...c, seed: toHex(c.seed) })));
  }

  /** The last challenge period the operator's node answered (0 = never). */
  lastAnswered(ctx: Context, op: Uint8Array): bigint {
    const raw = this.store(ctx).get(answeredKey(op));
    return raw ? readU64be(raw) : 0n;
  }

  setAnswered(ctx: Context, op: Uint8Array, period: bigint): void {
    this.store(ctx).set(answeredKey(op), u64be(period));
  }

  allAnswered(ctx: Context): { op: string; period: bigint }[] {
    const out: { op: string; period: bigint }[] = [];
    const start = Uint8Array.of(Prefix.Answered);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Answered + 1) }))
      out.push({ op: toBech32Address(readAddrKey(k, 1).addr), period: readU64be(v) });
    return out;
  }

  /** A verified answer (livenessProof.ts checked it): counts as a passed challenge at once. */
  answerChallenge(ctx: Context, op: Uint8Array, period: bigint): void {
    this.setAnswered(ctx, op, period);
    this.recordChallenge(ctx, op, true);
    ctx.emit(challengeAnsweredEvent(toBech32Address(op), period));
  }

  /**
   * Once per block (end block, block time): after the open challenge's deadline, every Active node registered by
   * the block that opened it that did not answer it gets a failed challenge (one pass over the nodes per period, never per block); then, when a new
   * period has begun, its challenge opens with a seed from this block's hash.
   */
  advanceChallenges(ctx: Context): void {
    const now = ctx.block.timeSeconds;
    if (now === 0n) return;
    const p = this.getParams(ctx);
    let c = this.getChallenge(ctx);
    if (c && !c.judged && now > c.deadline) {
      for (const node of this.nodes.nodes(ctx)) {
        if (node.status !== NodeStatus.NODE_STATUS_ACTIVE) continue;
        // A node registered after the challenge opened could not count on the whole deadline: not judged.
        if (c.openedHeight > 0n && node.registeredHeight > c.openedHeight) continue;
        const op = addressBytesOf(node.operator);
        if (this.lastAnswered(ctx, op) === c.period) continue;
        this.recordChallenge(ctx, op, false);
        ctx.emit(challengeMissedEvent(node.operator, c.period));
      }
      // The month's count of judged challenges: a node judged in fewer is paid pro rata (it joined late).
      const m = this.currentMonth(ctx);
      const r = this.revenue(ctx, m);
      this.setRevenue(ctx, m, { ...r, periods: r.periods + 1n });
      c = { ...c, judged: true };
      this.setChallenge(ctx, c);
    }
    const period = periodOf(this.getState(ctx).start, now, p.challengePeriodSeconds);
    if (period > (c?.period ?? 0n)) {
      const seed = challengeSeed(ctx.block.chainId, period, ctx.block.hash ?? new Uint8Array());
      const deadline = now + p.challengeDeadlineSeconds;
      this.setChallenge(ctx, { period, seed, openedAt: now, openedHeight: ctx.block.height, deadline, judged: false });
      ctx.emit(challengeOpenedEvent(period, toHex(seed), deadline));
    }
  }

  /**
   * Organic (receipt) income paid to the node of operator `op` this month: the sunset compares the month's total with
   * the subsidy, and the node's own share lowers its subsidy to the shortfall (target − organic).
   */
  recordOrganic(ctx: Context, op: Uint8Array, amount: bigint): void {
    const m = this.currentMonth(ctx);
    const r = this.revenue(ctx, m);
    this.setRevenue(ctx, m, { ...r, organic: r.organic + amount });
    this.update(ctx, op, (a) => ({ ...a, organic: a.organic + amount }));
  }

  /** A month's chain-wide figures: organic and subsidy income paid to nodes, and the liveness challenges judged. */
  revenue(ctx: Context, month: bigint): MonthRevenue {
    const raw = this.store(ctx).get(revenueKey(month));
    if (!raw) return { organic: 0n, subsidy: 0n, periods: 0n };
    const j = JSON.parse(fromUtf8(raw)) as Record<string, string>;
    return { organic: BigInt(j.organic!), subsidy: BigInt(j.subsidy!), periods: BigInt(j.periods ?? "0") };
  }

  importRevenue(ctx: Context, month: bigint, r: MonthRevenue): void {
    this.setRevenue(ctx, month, r);
  }

  allRevenue(ctx: Context): ({ month: bigint } & MonthRevenue)[] {
    const out: ({ month: bigint } & MonthRevenue)[] = [];
    const start = Uint8Array.of(Prefix.Revenue);
    for (const [k] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Revenue + 1) })) {
      const month = readU64be(k.subarray(1, 9));
      out.push({ month, ...this.revenue(ctx, month) });
    }
    return out;
  }

  allActivity(ctx: Context): { month: bigint; op: string; a: Activity }[] {
    const out: { month: bigint; op: string; a: Activity }[] = [];
    const start = Uint8Array.of(Prefix.Activity);
    for (const [k] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Activity + 1) })) {
      const month = readU64be(k.subarray(1, 9));
      const { addr } = readAddrKey(k, 9);
      out.push({ month, op: toBech32Address(addr), a: this.getActivity(ctx, month, addr) });
    }
    return out;
  }

  allRecords(ctx: Context): NodeSubsidy[] {
    const out: NodeSubsidy[] = [];
    for (const [, v] of this.store(ctx).iterate({ start: recordPrefix, end: Uint8Array.of(Prefix.Record + 1) }))
      out.push(NodeSubsidy.decode(v));
    return out;
  }

  private setRevenue(ctx: Context, month: bigint, r: MonthRevenue): void {
    // `periods` written only once counted, so months recorded before it existed keep their bytes.
    const { periods, ...rest } = r;
    this.store(ctx).set(revenueKey(month), utf8(canonicalJson(periods > 0n ? r : rest)));
  }

  private slashedIn(ctx: Context, op: Uint8Array, month: bigint): boolean {
    const s = this.getState(ctx);
    const { monthSeconds } = this.getParams(ctx);
    const from = s.start + (month - 1n) * monthSeconds;
    const to = from + monthSeconds;
    return (this.slashing.getRecord(ctx, op)?.offences ?? []).some((o) => o.time >= from && o.time < to);
  }

  poolBalance(ctx: Context): bigint {
    return this.bank.getBalance(ctx, addressBytesOf(moduleAddress(ModuleAccount.SubsidyPool)), DENOM);
  }

  /** A node's judgement for `month` on what is recorded so far (the query's "current", and settlement). */
  evaluate(ctx: Context, op: Uint8Array, month: bigint): NodeSubsidy {
    const p = this.getParams(ctx);
    const node = this.nodes.getNodeByOperator(ctx, op);
    const j = judge(p, this.getActivity(ctx, month, op), {
      active: node?.status === NodeStatus.NODE_STATUS_ACTIVE,
      slashed: this.slashedIn(ctx, op, month),
      sunset: this.getState(ctx).sunset,
    });
    const a = this.getActivity(ctx, month, op);
    const pay = j.eligible
      ? proRated(p, amountFor(p, month, a.organic), a.challenges, this.revenue(ctx, month).periods)
      : { amount: 0n, reason: j.reason };
    return NodeSubsidy.fromPartial({
      operator: toBech32Address(op),
      month,
      eligible: j.eligible,
      reason: pay.reason,
      amount: pay.amount.toString(),
      uptimePpm: j.uptimePpm.toString(),
      utilisationPpm: j.utilisationPpm.toString(),
      organic: a.organic.toString(),
    });
  }

  getRecord(ctx: Context, op: Uint8Array): NodeSubsidy | undefined {
    const raw = this.store(ctx).get(recordKey(op));
    return raw ? NodeSubsidy.decode(raw) : undefined;
  }

  setRecord(ctx: Context, op: Uint8Array, r: NodeSubsidy): void {
    this.store(ctx).set(recordKey(op), NodeSubsidy.encode(r).finish());
  }

  /**
   * At the first block of a new month, settles the month before (one month per block, so a long halt
   * catches up block by block): judges every registered node once, pays the eligible from the pool,
   * then checks the sunset. Work is one pass over the nodes per month, never per block.
   */
  endBlock(ctx: Context): void {
    this.advanceChallenges(ctx);
    const s = this.getState(ctx);
    const month = this.currentMonth(ctx);
    if (month <= 1n || s.settledMonth >= month - 1n) return;
    const settling = s.settledMonth + 1n;
    let paid = 0n;
    if (!s.sunset) {
      for (const node of this.nodes.nodes(ctx)) {
        const op = addressBytesOf(node.operator);
        const r = this.evaluate(ctx, op, settling);
        const amount = BigInt(r.amount);
        if (r.eligible && amount > 0n) {
          if (this.poolBalance(ctx) < amount) {
            this.setRecord(ctx, op, { ...r, amount: "0", reason: "subsidy pool cannot cover the payment" });
            ctx.emit(ineligibleEvent(r.operator, settling, "subsidy pool cannot cover the payment"));
            continue;
          }
          this.bank.sendFromModuleToAccount(ctx, ModuleAccount.SubsidyPool, op, [{ denom: DENOM, amount }]);
          paid += amount;
          ctx.emit(paidEvent(r.operator, settling, amount));
        } else if (!r.eligible) ctx.emit(ineligibleEvent(r.operator, settling, r.reason));
        this.setRecord(ctx, op, r);
      }
    }
    const rev = this.revenue(ctx, settling);
    this.setRevenue(ctx, settling, { ...rev, subsidy: rev.subsidy + paid });
    let next: SubsidyState = { ...s, settledMonth: settling };
    const why = s.sunset ? undefined : sunsetReason(this.getParams(ctx), settling, rev.organic, rev.subsidy + paid);
    if (why) {
      next = { ...next, sunset: true, sunsetReason: why };
      ctx.emit(sunsetEvent(settling, why));
    }
    this.setState(ctx, next);
  }
}
