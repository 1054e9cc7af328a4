/**
 * @module distribution keeper: F1-style lazy fee distribution by voting power. Each end block adds
 * `amount · SCALE / totalPower` to one cumulative reward-per-power figure; a validator's reward is
 * `power · (cumulative − its snapshot)`, settled only when its power changes or it withdraws — so a block
 * costs O(1) whatever the number of validators. All amounts are exact bigints in units of 10^-18 unusa
 * (the SDK's Dec precision); the division remainder is carried to the next block, so nothing is lost:
 * Σ validator rewards (paid + outstanding) + carry = Σ collected − community tax, at every height.
 */
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readAddrKey, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import { consensusAddress } from "../stake/keeper.js";
import { communityTaxEvent, rewardsEvent, withdrawEvent } from "./events.js";
import type { BankKeeper, StakeKeeper } from "./expectedKeepers.js";
import { MODULE_NAME, Prefix, paramsKey, poolKey, validatorKey } from "./keys.js";
import { type DistributionParams, defaultDistributionParams, parseDistributionParams } from "./params.js";

/** Fixed-point scale of reward figures: 10^18, the SDK's LegacyDec precision (DecCoin amounts use it). */
export const SCALE = 10n ** 18n;
const PPM = 1_000_000n;

/** The module-wide accounting (all amounts in the reward denom). */
export interface RewardPool {
  /** Cumulative reward per unit of power since genesis, scaled by SCALE (floor of each block's share). */
  readonly rewardPerPower: bigint;
  /** Σ tracked validator powers (CometBFT's voting powers). */
  readonly totalPower: bigint;
  /** Scaled remainder not yet distributed: division dust and blocks in which no validator had power. */
  readonly carry: bigint;
  /** Σ fees collected from fee_collector (whole units). */
  readonly collected: bigint;
  /** Σ community tax sent to the treasury (whole units). */
  readonly community: bigint;
  /** Σ rewards paid out by withdrawals (whole units). */
  readonly paid: bigint;
}

/** One validator's lazily settled rewards. */
export interface ValidatorRewards {
  readonly power: bigint;
  /** `rewardPerPower` when this record was last settled. */
  readonly snapshot: bigint;
  /** Settled, not yet withdrawn rewards, scaled by SCALE. */
  readonly accrued: bigint;
}

const ZERO_POOL: RewardPool = { rewardPerPower: 0n, totalPower: 0n, carry: 0n, collected: 0n, community: 0n, paid: 0n };

export class DistributionKeeper {
  constructor(
    private readonly bank: BankKeeper,
    private readonly stake: StakeKeeper,
  ) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): DistributionParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseDistributionParams(JSON.parse(fromUtf8(raw))) : defaultDistributionParams;
  }

  setParams(ctx: Context, p: DistributionParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getPool(ctx: Context): RewardPool {
    const raw = this.store(ctx).get(poolKey);
    if (!raw) return ZERO_POOL;
    const j = JSON.parse(fromUtf8(raw)) as Record<keyof RewardPool, string>;
    return {
      rewardPerPower: BigInt(j.rewardPerPower),
      totalPower: BigInt(j.totalPower),
      carry: BigInt(j.carry),
      collected: BigInt(j.collected),
      community: BigInt(j.community),
      paid: BigInt(j.paid),
    };
  }

  setPool(ctx: Context, p: RewardPool): void {
    this.store(ctx).set(poolKey, utf8(canonicalJson(p)));
  }

  getValidatorRewards(ctx: Context, op: Uint8Array): ValidatorRewards | undefined {
    const raw = this.store(ctx).get(validatorKey(op));
    if (!raw) return undefined;
    const j = JSON.parse(fromUtf8(raw)) as Record<keyof ValidatorRewards, string>;
    return { power: BigInt(j.power), snapshot: BigInt(j.snapshot), accrued: BigInt(j.accrued) };
  }

  setValidatorRewards(ctx: Context, op: Uint8Array, r: ValidatorRewards): void {
    this.store(ctx).set(validatorKey(op), utf8(canonicalJson(r)));
  }

  /** Every validator record in key order (genesis export, invariants). */
  *allValidatorRewards(ctx: Context): Generator<[Uint8Array, ValidatorRewards]> {
    const start = Uint8Array.of(Prefix.Validator);
    const keys: Uint8Array[] = [];
    for (const [k] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Validator + 1) }))
      keys.push(k.slice());
    for (const k of keys) yield [readAddrKey(k, 1).addr, this.getValidatorRewards(ctx, readAddrKey(k, 1).addr)!];
  }

  /** A validator's rewards settled to now (scaled); nothing is written. */
  outstanding(ctx: Context, op: Uint8Array): bigint {
    const r = this.getValidatorRewards(ctx, op);
    if (!r) return 0n;
    return r.accrued + r.power * (this.getPool(ctx).rewardPerPower - r.snapshot);
  }

  /**
   * Sets a validator's tracked power, settling what its old power earned first (the F1 period boundary).
   */
  setPower(ctx: Context, op: Uint8Array, power: bigint): void {
    const pool = this.getPool(ctx);
    const r = this.getValidatorRewards(ctx, op);
    const old = r?.power ?? 0n;
    // Unchanged power (e.g. the re-sent set after a genesis import): nothing to settle, nothing written.
    if (old === power) return;
    const accrued = (r?.accrued ?? 0n) + old * (pool.rewardPerPower - (r?.snapshot ?? pool.rewardPerPower));
    this.setValidatorRewards(ctx, op, { power, snapshot: pool.rewardPerPower, accrued });
    this.setPool(ctx, { ...pool, totalPower: pool.totalPower - old + power });
  }

  /** Applies the power changes stake hands to CometBFT (the only place a validator's voting power changes). */
  applyValidatorUpdates(ctx: Context, updates: readonly ValidatorUpdate[]): void {
    for (const u of updates) {
      const pk = u.pubKey?.ed25519;
      if (!pk) continue;
      const v = this.stake.getValidatorByConsAddr(ctx, consensusAddress(pk));
      if (v) this.setPower(ctx, addressBytesOf(v.operator), u.power);
    }
  }

  /** Genesis without distribution records: tracks the powers stake gave CometBFT. */
  syncFromStake(ctx: Context): void {
    for (const [op, v] of this.stake.activeValidators(ctx)) if (v.power > 0n) this.setPower(ctx, op, v.power);
  }

  /**
   * End block: moves every reward-denom coin in fee_collector (tx fees and the receipts' validator share) to
   * the distribution account, sends the community tax to the treasury and adds the rest to the cumulative
   * reward per power. One read and a few writes per block, however many validators.
   */
  allocate(ctx: Context): void {
    const p = this.getParams(ctx);
    const collected = this.bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.FeeCollector), p.denom);
    if (collected === 0n) return;
    const coins = (amount: bigint) => [{ denom: p.denom, amount }];
    const community = (collected * p.communityTaxPpm) / PPM;
    const rest = collected - community;
    if (community > 0n) {
      this.bank.sendFromModuleToModule(ctx, ModuleAccount.FeeCollector, ModuleAccount.Treasury, coins(community));
      ctx.emit(communityTaxEvent(community, p.denom));
    }
    if (rest > 0n)
      this.bank.sendFromModuleToModule(ctx, ModuleAccount.FeeCollector, ModuleAccount.Distribution, coins(rest));
    const pool = this.getPool(ctx);
    const amount = rest * SCALE + pool.carry;
    const perPower = pool.totalPower > 0n ? amount / pool.totalPower : 0n;
    this.setPool(ctx, {
      ...pool,
      rewardPerPower: pool.rewardPerPower + perPower,
      carry: amount - perPower * pool.totalPower,
      collected: pool.collected + collected,
      community: pool.community + community,
    });
    ctx.emit(rewardsEvent(collected, (perPower * pool.totalPower) / SCALE, pool.totalPower, p.denom));
  }

  /** Pays a validator's whole-unit rewards; the sub-unit fraction stays accrued. Returns the amount paid. */
  withdraw(ctx: Context, op: Uint8Array): bigint {
    const r = this.getValidatorRewards(ctx, op);
    if (!r) return 0n;
    const pool = this.getPool(ctx);
    const total = r.accrued + r.power * (pool.rewardPerPower - r.snapshot);
    const pay = total / SCALE;
    this.setValidatorRewards(ctx, op, { power: r.power, snapshot: pool.rewardPerPower, accrued: total - pay * SCALE });
    if (pay === 0n) return 0n;
    const denom = this.getParams(ctx).denom;
    this.setPool(ctx, { ...pool, paid: pool.paid + pay });
    this.bank.sendFromModuleToAccount(ctx, ModuleAccount.Distribution, op, [{ denom, amount: pay }]);
    ctx.emit(withdrawEvent(toBech32Address(op), pay, denom));
    return pay;
  }
}
