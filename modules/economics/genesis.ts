/** @module economics genesis: params (with the shadow-mode switch) and the last computed period. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { PeriodRecord } from "../../proto/gen/dsdn/economics/v1/economics.js";
import type { EconomicsKeeper } from "./keeper.js";
import { defaultEconomicsParams, validateEconomicsParams } from "./params.js";

export interface EconomicsGenesis {
  params: Record<string, string>;
  /** PeriodRecord.toJSON, or null before the first period. */
  last: unknown;
}

export function defaultEconomicsGenesis(): EconomicsGenesis {
  return { params: JSON.parse(canonicalJson(defaultEconomicsParams)), last: null };
}

export function validateEconomicsGenesis(raw: unknown): EconomicsGenesis {
  const g = { ...defaultEconomicsGenesis(), ...((raw ?? {}) as Partial<EconomicsGenesis>) } as EconomicsGenesis;
  validateEconomicsParams(g.params);
  if (g.last !== null) {
    const r = PeriodRecord.fromJSON(g.last);
    for (const f of ["nodeCostIndex", "currentStoragePrice", "adaptiveStoragePrice", "adaptiveBurn"] as const)
      if (!/^(0|[1-9][0-9]*)$/.test(r[f])) throw new Error(`economics.last.${f}: expected an unsigned integer string`);
    if (r.referenceCostUsdNano !== "" && !/^[1-9][0-9]*$/.test(r.referenceCostUsdNano))
      throw new Error("economics.last.referenceCostUsdNano: expected a positive integer string");
  }
  return g;
}

export function initEconomicsGenesis(ctx: Context, keeper: EconomicsKeeper, raw: unknown): void {
  const g = validateEconomicsGenesis(raw);
  keeper.setParams(ctx, validateEconomicsParams(g.params));
  if (g.last !== null) keeper.setLast(ctx, PeriodRecord.fromJSON(g.last));
}

export function exportEconomicsGenesis(ctx: Context, keeper: EconomicsKeeper): EconomicsGenesis {
  const last = keeper.getLast(ctx);
  return { params: JSON.parse(canonicalJson(keeper.getParams(ctx))), last: last ? PeriodRecord.toJSON(last) : null };
}
