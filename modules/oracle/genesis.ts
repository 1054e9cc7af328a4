/** @module oracle genesis: params, the starting price (and its time), the open window and its reports. */
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
  windowStart: string;
  asOf: string;
  reports: { address: string; priceNanoUsd: string; power: string }[];
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
    windowStart: "0",
    asOf: "0",
    reports: [],
  };
}

export function validateOracleGenesis(raw: unknown): OracleGenesis {
  const g = { ...defaultOracleGenesis(), ...((raw ?? {}) as Partial<OracleGenesis>) } as OracleGenesis;
  const p = validateOracleParams(g.params);
  const price = uint(g.priceNanoUsd, "priceNanoUsd");
  if (price > p.maxReportNanoUsd) throw new Error("oracle.priceNanoUsd: above params.maxReportNanoUsd");
  uint(g.updatedAt, "updatedAt");
  uint(g.windowStart, "windowStart");
  uint(g.asOf, "asOf");
  if (!Array.isArray(g.reports)) throw new Error("oracle.reports: expected an array");
  for (const [i, r] of g.reports.entries()) {
    if (!/^[0-9a-f]{40}$/.test(r.address)) throw new Error(`oracle.reports[${i}].address: expected 40 hex characters`);
    if (uint(r.priceNanoUsd, `reports[${i}].priceNanoUsd`) === 0n)
      throw new Error(`oracle.reports[${i}].priceNanoUsd: must be positive`);
    uint(r.power, `reports[${i}].power`);
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
    windowStart: BigInt(g.windowStart),
    asOf: BigInt(g.asOf) === 0n ? ctx.block.timeSeconds : BigInt(g.asOf),
    staleSignalled: false,
  });
  for (const r of g.reports)
    keeper.setReport(ctx, {
      address: fromHex(r.address),
      priceNanoUsd: BigInt(r.priceNanoUsd),
      power: BigInt(r.power),
    });
}

export function exportOracleGenesis(ctx: Context, keeper: OracleKeeper): OracleGenesis {
  const s = keeper.getState(ctx);
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    priceNanoUsd: s.priceNanoUsd.toString(),
    updatedAt: s.updatedAt.toString(),
    windowStart: s.windowStart.toString(),
    asOf: s.asOf.toString(),
    reports: keeper.reports(ctx).map((r) => ({
      address: toHex(r.address),
      priceNanoUsd: r.priceNanoUsd.toString(),
      power: r.power.toString(),
    })),
  };
}
