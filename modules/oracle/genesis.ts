/** @module oracle genesis: params, the starting price (and its time), the open window and its reports, the miss counters. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromHex, toHex } from "../../common/hash.js";
import type { OracleKeeper } from "./keeper.js";
import { defaultOracleParams, validateOracleParams } from "./params.js";

export interface OracleGenesis {
  params: Record<string, string>;
  /** Starting price, nano-USD per NUSA (default $0.05); 0 = no price until the first window closes. */
  priceNanoUsd: string;
  /** Block time of that price; 0 = the genesis time. */
  updatedAt: string;
  /** Origin of the window grid; 0 = the genesis time. */
  start: string;
  staleSignalled: boolean;
  /** Reports not yet aggregated, with their window. */
  reports: { address: string; priceNanoUsd: string; power: string; window: string }[];
  /** The window of the last block (judged for misses when a later one begins). */
  openWindow: string;
  /** Block time the open slash window began; 0 = the genesis time. */
  slashWindowStart: string;
  /** Miss counters of the open slash window, by consensus address (hex). */
  missCounters: { address: string; windows: string; misses: string }[];
}

const uint = (v: unknown, field: string): bigint => {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]*)$/.test(v))
    throw new Error(`oracle.${field}: expected an unsigned integer string`);
  return BigInt(v);
};

export function defaultOracleGenesis(): OracleGenesis {
  return {
    params: JSON.parse(canonicalJson(defaultOracleParams)),
    priceNanoUsd: "50000000",
    updatedAt: "0",
    start: "0",
    staleSignalled: false,
    reports: [],
    openWindow: "0",
    slashWindowStart: "0",
    missCounters: [],
  };
}

export function validateOracleGenesis(raw: unknown): OracleGenesis {
  const g = { ...defaultOracleGenesis(), ...((raw ?? {}) as Partial<OracleGenesis>) } as OracleGenesis;
  const p = validateOracleParams(g.params);
  const price = uint(g.priceNanoUsd, "priceNanoUsd");
  if (price > p.maxReportNanoUsd) throw new Error("oracle.priceNanoUsd: above params.maxReportNanoUsd");
  uint(g.updatedAt, "updatedAt");
  uint(g.start, "start");
  if (typeof g.staleSignalled !== "boolean") throw new Error("oracle.staleSignalled: expected a boolean");
  if (!Array.isArray(g.reports)) throw new Error("oracle.reports: expected an array");
  for (const [i, r] of g.reports.entries()) {
    if (!/^[0-9a-f]{40}$/.test(r.address)) throw new Error(`oracle.reports[${i}].address: expected 40 hex characters`);
    if (uint(r.priceNanoUsd, `reports[${i}].priceNanoUsd`) === 0n)
      throw new Error(`oracle.reports[${i}].priceNanoUsd: must be positive`);
    uint(r.power, `reports[${i}].power`);
    uint(r.window, `reports[${i}].window`);
  }
  uint(g.openWindow, "openWindow");
  uint(g.slashWindowStart, "slashWindowStart");
  if (!Array.isArray(g.missCounters)) throw new Error("oracle.missCounters: expected an array");
  const seen = new Set<string>();
  for (const [i, c] of g.missCounters.entries()) {
    if (!/^[0-9a-f]{40}$/.test(c.address))
      throw new Error(`oracle.missCounters[${i}].address: expected 40 hex characters`);
    if (seen.has(c.address)) throw new Error(`oracle.missCounters[${i}].address: duplicate`);
    seen.add(c.address);
    if (uint(c.misses, `missCounters[${i}].misses`) > uint(c.windows, `missCounters[${i}].windows`))
      throw new Error(`oracle.missCounters[${i}].misses: more than windows`);
  }
  return g;
}

export function initOracleGenesis(ctx: Context, keeper: OracleKeeper, raw: unknown): void {
  const g = validateOracleGenesis(raw);
  keeper.setParams(ctx, validateOracleParams(g.params));
  const updatedAt = BigInt(g.updatedAt);
  keeper.setState(ctx, {
    priceNanoUsd: BigInt(g.priceNanoUsd),
    updatedAt: updatedAt === 0n ? ctx.block.timeSeconds : updatedAt,
    start: BigInt(g.start) === 0n ? ctx.block.timeSeconds : BigInt(g.start),
    staleSignalled: g.staleSignalled,
    openWindow: BigInt(g.openWindow),
    slashWindowStart: BigInt(g.slashWindowStart) === 0n ? ctx.block.timeSeconds : BigInt(g.slashWindowStart),
  });
  for (const c of g.missCounters)
    keeper.setMissCounter(ctx, fromHex(c.address), { windows: BigInt(c.windows), misses: BigInt(c.misses) });
  for (const r of g.reports)
    keeper.setReport(ctx, {
      address: fromHex(r.address),
      priceNanoUsd: BigInt(r.priceNanoUsd),
      power: BigInt(r.power),
      window: BigInt(r.window),
    });
}

export function exportOracleGenesis(ctx: Context, keeper: OracleKeeper): OracleGenesis {
  const s = keeper.getState(ctx);
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    priceNanoUsd: s.priceNanoUsd.toString(),
    updatedAt: s.updatedAt.toString(),
    start: s.start.toString(),
    staleSignalled: s.staleSignalled,
    reports: keeper.reports(ctx).map((r) => ({
      address: toHex(r.address),
      priceNanoUsd: r.priceNanoUsd.toString(),
      power: r.power.toString(),
      window: r.window.toString(),
    })),
    openWindow: s.openWindow.toString(),
    slashWindowStart: s.slashWindowStart.toString(),
    missCounters: keeper.missCounters(ctx).map((c) => ({
      address: toHex(c.address),
      windows: c.windows.toString(),
      misses: c.misses.toString(),
    })),
  };
}
