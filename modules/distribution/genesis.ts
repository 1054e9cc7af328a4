/** @module distribution genesis: params, the reward pool accounting and each validator's lazily settled rewards. */
import type { Context } from "../../chain-app/context.js";
import { paramsJson } from "../../chain-app/params.js";
import { isValidAddress, toBech32Address } from "../../common/secp256k1.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { DistributionKeeper, RewardPool, ValidatorRewards } from "./keeper.js";
import { type DistributionParams, defaultDistributionParams, parseDistributionParams } from "./params.js";

export interface DistributionGenesis {
  params: Record<string, unknown>;
  /** Absent on a new chain: the pool starts at zero and tracks the genesis validators' powers. */
  pool?: Record<keyof RewardPool, string>;
  validators?: ({ operator: string } & Record<keyof ValidatorRewards, string>)[];
}

export function defaultDistributionGenesis(): DistributionGenesis {
  return { params: paramsJson(defaultDistributionParams) };
}

const nat = (where: string, v: unknown): bigint => {
  if (typeof v !== "string" || !/^(0|[1-9][0-9]{0,77})$/.test(v))
    throw new Error(`${where}: expected a non-negative integer string`);
  return BigInt(v);
};

export function validateDistributionGenesis(raw: unknown): {
  params: DistributionParams;
  pool?: RewardPool;
  validators: { op: Uint8Array; r: ValidatorRewards }[];
} {
  const g = (raw ?? defaultDistributionGenesis()) as DistributionGenesis;
  const params = parseDistributionParams(g.params);
  const pool: RewardPool | undefined = g.pool && {
    rewardPerPower: nat("distribution.pool.rewardPerPower", g.pool.rewardPerPower),
    totalPower: nat("distribution.pool.totalPower", g.pool.totalPower),
    carry: nat("distribution.pool.carry", g.pool.carry),
    collected: nat("distribution.pool.collected", g.pool.collected),
    community: nat("distribution.pool.community", g.pool.community),
    paid: nat("distribution.pool.paid", g.pool.paid),
  };
  const seen = new Set<string>();
  let sumPower = 0n;
  const validators = (g.validators ?? []).map((v, i) => {
    const at = `distribution.validators[${i}]`;
    if (!isValidAddress(v.operator)) throw new Error(`${at}.operator: invalid address "${v.operator}"`);
    const op = addressBytesOf(v.operator);
    if (seen.has(toBech32Address(op))) throw new Error(`${at}.operator: duplicate ${v.operator}`);
    seen.add(toBech32Address(op));
    const r = {
      power: nat(`${at}.power`, v.power),
      snapshot: nat(`${at}.snapshot`, v.snapshot),
      accrued: nat(`${at}.accrued`, v.accrued),
    };
    if (pool && r.snapshot > pool.rewardPerPower) throw new Error(`${at}.snapshot: beyond the pool's rewardPerPower`);
    sumPower += r.power;
    return { op, r };
  });
  if (validators.length > 0 && !pool) throw new Error("distribution.pool: required with validators");
  if (pool && pool.totalPower !== sumPower)
    throw new Error("distribution.pool.totalPower: differs from Σ validators' power");
  return { params, pool, validators };
}

export function initDistributionGenesis(ctx: Context, keeper: DistributionKeeper, raw: unknown): void {
  const g = validateDistributionGenesis(raw);
  keeper.setParams(ctx, g.params);
  if (!g.pool) {
    keeper.syncFromStake(ctx);
    return;
  }
  keeper.setPool(ctx, g.pool);
  for (const v of g.validators) keeper.setValidatorRewards(ctx, v.op, v.r);
}

export function exportDistributionGenesis(ctx: Context, keeper: DistributionKeeper): DistributionGenesis {
  return paramsJson({
    params: keeper.getParams(ctx),
    pool: keeper.getPool(ctx),
    validators: [...keeper.allValidatorRewards(ctx)].map(([op, r]) => ({ operator: toBech32Address(op), ...r })),
  }) as unknown as DistributionGenesis;
}
