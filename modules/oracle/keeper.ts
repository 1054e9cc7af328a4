/** @module oracle keeper: the accepted NUSA/USD price, the open window's reports, and the per-window aggregation. */
import type { ExtendedVoteInfo } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { fromHex, toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { PriceVote } from "../../proto/gen/dsdn/oracle/v1/oracle.js";
import { OracleErrors } from "./errors.js";
import { missPenaltyEvent, priceStaleEvent, priceUpdateEvent } from "./events.js";
import type { OracleSlasher, StakeKeeper } from "./expectedKeepers.js";
import { MODULE_NAME, missKey, missPrefix, paramsKey, reportKey, reportPrefix, stateKey } from "./keys.js";
import { belowMinValid, isValidReport, type MissCounter } from "./misses.js";
import { defaultOracleParams, type OracleParams, validateOracleParams } from "./params.js";
import { boundedPrice, clampChange, isStale, usdToUnusa, weightedMedian } from "./price.js";

export interface PriceState {
  /** The accepted price (nano-USD per NUSA); 0 = none yet. */
  readonly priceNanoUsd: bigint;
  /** Block time of the last accepted update (the genesis time for the genesis price). */
  readonly updatedAt: bigint;
  /** Origin of the window grid (the genesis time): window k = [start + k·W, start + (k+1)·W). */
  readonly start: bigint;
  /** A stale event was emitted for the current outage (emit once, not every block). */
  readonly staleSignalled: boolean;
  /** The window of the last block seen: when a block of a later window comes, this one is judged for misses. */
  readonly openWindow: bigint;
  /** Block time the open slash window began (miss counters are judged and reset when it ends). */
  readonly slashWindowStart: bigint;
}

export interface Report {
  readonly address: Uint8Array;
  readonly priceNanoUsd: bigint;
  readonly power: bigint;
  /** The window the report belongs to. */
  readonly window: bigint;
}

const emptyState: PriceState = {
  priceNanoUsd: 0n,
  updatedAt: 0n,
  start: 0n,
  staleSignalled: false,
  openWindow: 0n,
  slashWindowStart: 0n,
};

function parseState(raw: Record<string, unknown>): PriceState {
  return {
    priceNanoUsd: BigInt(String(raw.priceNanoUsd ?? 0)),
    updatedAt: BigInt(String(raw.updatedAt ?? 0)),
    start: BigInt(String(raw.start ?? 0)),
    staleSignalled: raw.staleSignalled === true,
    openWindow: BigInt(String(raw.openWindow ?? 0)),
    slashWindowStart: BigInt(String(raw.slashWindowStart ?? 0)),
  };
}

/** Why `ext` is not a sane price vote (empty = "no price this time", which is allowed). */
export function checkPriceVote(ext: Uint8Array, p: OracleParams): string | undefined {
  if (ext.length === 0) return undefined;
  if (ext.length > 16) return "price vote too large";
  let v: PriceVote;
  try {
    v = decodeCanonical(PriceVote, ext, "price vote");
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
  if (v.priceNanoUsd <= 0n) return "price must be positive";
  if (v.priceNanoUsd > p.maxReportNanoUsd) return "price above the sane maximum";
  return undefined;
}

export function encodePriceVote(priceNanoUsd: bigint): Uint8Array {
  return PriceVote.encode({ priceNanoUsd }).finish();
}

/** A validator's miss counter, keyed by its CometBFT (consensus) address. */
export interface ValidatorMisses extends MissCounter {
  readonly address: Uint8Array;
}

export class OracleKeeper {
  /**
   * `stake` names the validators expected to report and `slasher` punishes those that do not; without
   * them (unit tests of the price alone) no misses are counted.
   */
  constructor(
    private readonly stake?: Pick<StakeKeeper, "activeValidators">,
    private readonly slasher?: OracleSlasher,
  ) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): OracleParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? validateOracleParams(JSON.parse(fromUtf8(raw))) : defaultOracleParams;
  }

  setParams(ctx: Context, p: OracleParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getState(ctx: Context): PriceState {
    const raw = this.store(ctx).get(stateKey);
    return raw ? parseState(JSON.parse(fromUtf8(raw))) : emptyState;
  }

  setState(ctx: Context, s: PriceState): void {
    this.store(ctx).set(stateKey, utf8(canonicalJson(s)));
  }

  setReport(ctx: Context, r: Report): void {
    if (r.address.length !== 20) return;
    const v = { priceNanoUsd: r.priceNanoUsd, power: r.power, window: r.window };
    this.store(ctx).set(reportKey(r.address), utf8(canonicalJson(v)));
  }

  /** Reports not yet aggregated, in address order (deterministic). */
  reports(ctx: Context): Report[] {
    const out: Report[] = [];
    const end = Uint8Array.of(reportPrefix[0]! + 1);
    for (const [k, v] of this.store(ctx).iterate({ start: reportPrefix, end })) {
      const j = JSON.parse(fromUtf8(v)) as Record<string, string>;
      out.push({
        address: k.slice(1),
        priceNanoUsd: BigInt(j.priceNanoUsd!),
        power: BigInt(j.power!),
        window: BigInt(j.window ?? "0"),
      });
    }
    return out;
  }

  /** The window `time` falls in (a fixed grid from the genesis time, so idle blocks write nothing). */
  windowOf(ctx: Context, time: bigint): bigint {
    const s = this.getState(ctx);
    return time > s.start ? (time - s.start) / this.getParams(ctx).windowSeconds : 0n;
  }

  windowStart(ctx: Context, time: bigint): bigint {
    return this.getState(ctx).start + this.windowOf(ctx, time) * this.getParams(ctx).windowSeconds;
  }

  /**
   * Records the verified extensions of the previous height: each committing validator's latest price
   * in the current window, weighted by the power CometBFT reported for it (its stake).
   */
  applyVotes(ctx: Context, votes: readonly ExtendedVoteInfo[]): void {
    this.closeEndedWindows(ctx);
    const p = this.getParams(ctx);
    const window = this.windowOf(ctx, ctx.block.timeSeconds);
    for (const v of votes) {
      if (v.blockIdFlag !== BlockIDFlag.BLOCK_ID_FLAG_COMMIT || v.voteExtension.length === 0) continue;
      // Verified in ProcessProposal; a replayed block is trusted, yet a bad value is still only skipped.
      if (checkPriceVote(v.voteExtension, p) !== undefined) continue;
      const price = PriceVote.decode(v.voteExtension).priceNanoUsd;
      const address = v.validator?.address ?? new Uint8Array();
      this.setReport(ctx, { address, priceNanoUsd: price, power: v.validator?.power ?? 0n, window });
    }
  }

  /**
   * Reports of windows that have ended: their stake-weighted median, moved at most ±maxChangePpm from
   * the last accepted price, becomes the price. A window without reports keeps the last good price
   * (stale after staleSeconds). The first block of a new window also judges the previous one for
   * misses, and closes the slash window when it is over. A block with nothing to close writes nothing.
   */
  private closeEndedWindows(ctx: Context): void {
    const now = this.windowOf(ctx, ctx.block.timeSeconds);
    const ended = this.reports(ctx).filter((r) => r.window < now);
    const s0 = this.getState(ctx);
    if (ended.length === 0 && now <= s0.openWindow) return;
    const p = this.getParams(ctx);
    let s = s0;
    const median = weightedMedian(ended.map((r) => ({ price: r.priceNanoUsd, weight: r.power })));
    if (median !== undefined) {
      const accepted = clampChange(s.priceNanoUsd, median, p.maxChangePpm);
      const windowStart = s.start + (ended[0]?.window ?? 0n) * p.windowSeconds;
      ctx.emit(priceUpdateEvent(median, accepted, ended.length, windowStart));
      s = { ...s, priceNanoUsd: accepted, updatedAt: ctx.block.timeSeconds, staleSignalled: false };
    }
    if (now > s.openWindow) {
      this.judgeWindow(
        ctx,
        p,
        ended.filter((r) => r.window === s.openWindow),
        median,
      );
      s = { ...s, openWindow: now };
      if (ctx.block.timeSeconds - s.slashWindowStart >= p.slashWindowSeconds) {
        this.closeSlashWindow(ctx, p);
        s = { ...s, slashWindowStart: ctx.block.timeSeconds };
      }
    }
    this.setState(ctx, s);
    for (const r of ended) this.store(ctx).delete(reportKey(r.address));
  }

  /**
   * One window's misses: every validator of the active set (at most maxValidators) either reported a price
   * within the outlier band of the window's median, or missed. Only windows in which blocks were made are
   * judged (the first block of the next window does it), so a halted chain makes nobody miss.
   */
  private judgeWindow(ctx: Context, p: OracleParams, reports: readonly Report[], median: bigint | undefined): void {
    if (!this.stake) return;
    const byAddr = new Map(reports.map((r) => [toHex(r.address), r.priceNanoUsd]));
    for (const [, v] of this.stake.activeValidators(ctx)) {
      if (v.jailed) continue;
      const cons = fromHex(v.consensusAddress.toLowerCase());
      if (cons.length !== 20) continue;
      const c = this.getMissCounter(ctx, cons);
      const valid = isValidReport(byAddr.get(toHex(cons)), median, p.outlierBandPpm);
      this.setMissCounter(ctx, cons, { windows: c.windows + 1n, misses: c.misses + (valid ? 0n : 1n) });
    }
  }

  /** End of a slash window: validators below the minimum valid share are punished; every counter restarts. */
  private closeSlashWindow(ctx: Context, p: OracleParams): void {
    for (const c of this.missCounters(ctx)) {
      if (belowMinValid(c, p.minValidPerWindowPpm) && this.slasher) {
        const r = this.slasher.punishOracleMiss(ctx, c.address, p.missSlashFractionPpm, p.missJailSeconds);
        if (r)
          ctx.emit(missPenaltyEvent(toHex(c.address).toUpperCase(), c.windows, c.misses, r.slashed, r.jailedUntil));
      }
      this.store(ctx).delete(missKey(c.address));
    }
  }

  getMissCounter(ctx: Context, cons: Uint8Array): MissCounter {
    const raw = this.store(ctx).get(missKey(cons));
    if (!raw) return { windows: 0n, misses: 0n };
    const j = JSON.parse(fromUtf8(raw)) as Record<string, string>;
    return { windows: BigInt(j.windows ?? "0"), misses: BigInt(j.misses ?? "0") };
  }

  setMissCounter(ctx: Context, cons: Uint8Array, c: MissCounter): void {
    if (cons.length !== 20) return;
    this.store(ctx).set(missKey(cons), utf8(canonicalJson({ windows: c.windows, misses: c.misses })));
  }

  /** Miss counters of the open slash window, in address order (deterministic). */
  missCounters(ctx: Context): ValidatorMisses[] {
    const out: ValidatorMisses[] = [];
    const end = Uint8Array.of(missPrefix[0]! + 1);
    for (const [k, v] of this.store(ctx).iterate({ start: missPrefix, end })) {
      const j = JSON.parse(fromUtf8(v)) as Record<string, string>;
      out.push({ address: k.slice(1), windows: BigInt(j.windows ?? "0"), misses: BigInt(j.misses ?? "0") });
    }
    return out;
  }

  /** Once per block: closes ended windows, and signals (once per outage) that the price went stale. */
  endBlock(ctx: Context): void {
    this.closeEndedWindows(ctx);
    const s = this.getState(ctx);
    const stale = isStale(s.updatedAt, ctx.block.timeSeconds, this.getParams(ctx).staleSeconds);
    if (s.priceNanoUsd > 0n && !s.staleSignalled && stale) {
      ctx.emit(priceStaleEvent(s.priceNanoUsd, s.updatedAt));
      this.setState(ctx, { ...s, staleSignalled: true });
    }
  }

  /** Stale as of `ctx`'s block time; a query right after a restart (time unknown) says not stale. */
  isStale(ctx: Context): boolean {
    const s = this.getState(ctx);
    const now = ctx.block.timeSeconds;
    return now > 0n && isStale(s.updatedAt, now, this.getParams(ctx).staleSeconds);
  }

  /** The price conversions use: the last good price, within the floor and ceiling. */
  effectivePrice(ctx: Context): bigint {
    const s = this.getState(ctx);
    if (s.priceNanoUsd <= 0n) throw OracleErrors.NoPrice.wrap("no accepted NUSA/USD price");
    const p = this.getParams(ctx);
    return boundedPrice(s.priceNanoUsd, p.floorPriceNanoUsd, p.ceilingPriceNanoUsd);
  }

  /** USD (nano) -> unusa at the effective price, rounded up. */
  usdToUnusa(ctx: Context, usdNano: bigint): bigint {
    return usdToUnusa(usdNano, this.effectivePrice(ctx));
  }
}
