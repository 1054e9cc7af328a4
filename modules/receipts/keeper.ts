/** @module receipts keeper: claims and the replay set, wallet affinity, payouts, the dispute hook fraud fills. */
import type { Context } from "../../chain-app/context.js";
import {
  canonicalJson,
  decodeAmount,
  encodeAmount,
  fromUtf8,
  readAddrKey,
  readU64be,
  u64be,
  utf8,
} from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { bytesEqual } from "../../common/hash.js";
import { Claim, ClaimStatus } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import { ReceiptsErrors } from "./errors.js";
import { paidEvent, validatorRewardsEvent } from "./events.js";
import type { BankKeeper, ReceiptDisputes, SelfDealingSink } from "./expectedKeepers.js";
import { claimKey, MODULE_NAME, Prefix, paramsKey, replayKeyOf, transferKey, validatorPotKey } from "./keys.js";
import { defaultReceiptsParams, parseReceiptsParams, type ReceiptsParams } from "./params.js";
import { splitReward } from "./reward.js";

/** No disputes: what the keeper answers until the app wires the fraud module in. */
const NO_DISPUTES: ReceiptDisputes = { isDisputed: () => false, isVoid: () => false };

export class ReceiptsKeeper {
  private disputes: ReceiptDisputes = NO_DISPUTES;
  private selfDealing: SelfDealingSink | undefined;

  constructor(private readonly bank: BankKeeper) {}

  /** App wiring: the fraud module answers whether a receipt is under dispute or void (receipts never imports it). */
  setDisputes(d: ReceiptDisputes): void {
    this.disputes = d;
  }

  /** App wiring: where a proven self-dealing receipt is recorded (the subsidy module). */
  setSelfDealingSink(s: SelfDealingSink): void {
    this.selfDealing = s;
  }

  reportSelfDealing(ctx: Context, operator: Uint8Array): void {
    this.selfDealing?.recordSelfDealing(ctx, operator);
  }

  isDisputed(ctx: Context, receiptId: Uint8Array): boolean {
    return this.disputes.isDisputed(ctx, receiptId);
  }

  isVoid(ctx: Context, receiptId: Uint8Array): boolean {
    return this.disputes.isVoid(ctx, receiptId);
  }

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): ReceiptsParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseReceiptsParams(JSON.parse(fromUtf8(raw))) : defaultReceiptsParams;
  }

  setParams(ctx: Context, p: ReceiptsParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  // ---- claims and replay ------------------------------------------------------------------------

  getClaim(ctx: Context, id: Uint8Array): Claim | undefined {
    const raw = this.store(ctx).get(claimKey(id));
    return raw ? Claim.decode(raw) : undefined;
  }

  setClaim(ctx: Context, c: Claim): void {
    this.store(ctx).set(claimKey(c.receiptId), Claim.encode(c).finish());
    this.store(ctx).set(replayKeyOf(c.replayKey), c.receiptId);
  }

  replayUsed(ctx: Context, key: Uint8Array): boolean {
    return this.store(ctx).has(replayKeyOf(key));
  }

  *claims(ctx: Context): Generator<Claim> {
    const start = Uint8Array.of(Prefix.Claim);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Claim + 1) })) yield Claim.decode(v);
  }

  // ---- wallet affinity (the rule and its limits: affinity.ts) -------------------------------------

  /** Called after every successful MsgSend (affinity.ts): remembers that `from` signed a transfer to `to`. */
  recordTransfer(ctx: Context, from: Uint8Array, to: Uint8Array): void {
    if (bytesEqual(from, to)) return;
    const k = transferKey(from, to);
    if (!this.store(ctx).has(k)) this.store(ctx).set(k, u64be(ctx.block.height));
  }

  setTransfer(ctx: Context, a: Uint8Array, b: Uint8Array, height: bigint): void {
    this.store(ctx).set(transferKey(a, b), u64be(height));
  }

  /** Whether either address ever signed a MsgSend to the other. */
  hasTransfer(ctx: Context, a: Uint8Array, b: Uint8Array): boolean {
    return this.store(ctx).has(transferKey(a, b));
  }

  *transfers(ctx: Context): Generator<{ a: Uint8Array; b: Uint8Array; height: bigint }> {
    const start = Uint8Array.of(Prefix.Transfer);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Transfer + 1) })) {
      const a = readAddrKey(k, 1);
      yield { a: a.addr, b: readAddrKey(k, a.end).addr, height: readU64be(v) };
    }
  }

  // ---- payouts ----------------------------------------------------------------------------------

  /** Validators' shares of claims paid this block, held in reward_pool until end block splits them. */
  validatorPot(ctx: Context): bigint {
    const raw = this.store(ctx).get(validatorPotKey);
    return raw ? decodeAmount(raw) : 0n;
  }

  private setValidatorPot(ctx: Context, amount: bigint): void {
    if (amount === 0n) this.store(ctx).delete(validatorPotKey);
    else this.store(ctx).set(validatorPotKey, encodeAmount(amount));
  }

  /** What the reward pool can pay claims from: its balance less the validators' pot it holds. */
  poolAvailable(ctx: Context): bigint {
    const p = this.getParams(ctx);
    return this.bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.RewardPool), p.denom) - this.validatorPot(ctx);
  }

  /** Whether the reward pool can pay `amount`. */
  poolCovers(ctx: Context, amount: bigint): boolean {
    return this.poolAvailable(ctx) >= amount;
  }

  /** Adds coins to the reward pool (MsgFundRewardPool): anyone may fund it after genesis. */
  fundPool(ctx: Context, depositor: Uint8Array, amount: bigint): void {
    const denom = this.getParams(ctx).denom;
    this.bank.sendFromAccountToModule(ctx, depositor, ModuleAccount.RewardPool, [{ denom, amount }]);
  }

  /**
   * Pays a claim from the reward pool (checked to cover it first, so a payout is all or nothing): the node's
   * share to its operator and the treasury's at once; the validators' share joins this block's validator pot,
   * split once at end block — so a payout costs the same whatever the number of validators.
   */
  pay(ctx: Context, c: Claim): Claim {
    const reward = BigInt(c.reward);
    const p = this.getParams(ctx);
    if (!this.poolCovers(ctx, reward)) throw ReceiptsErrors.RewardPoolEmpty.wrap(`${reward}${p.denom} needed`);
    const coins = (amount: bigint) => [{ denom: p.denom, amount }];
    const s = splitReward(reward, p);
    if (s.node > 0n)
      this.bank.sendFromModuleToAccount(ctx, ModuleAccount.RewardPool, addressBytesOf(c.operator), coins(s.node));
    if (s.treasury > 0n)
      this.bank.sendFromModuleToModule(ctx, ModuleAccount.RewardPool, ModuleAccount.Treasury, coins(s.treasury));
    this.setValidatorPot(ctx, this.validatorPot(ctx) + s.validators);
    const paid: Claim = {
      ...c,
      status: ClaimStatus.CLAIM_STATUS_PAID,
      nodeAmount: s.node.toString(),
      validatorsAmount: s.validators.toString(),
      treasuryAmount: s.treasury.toString(),
      paidHeight: ctx.block.height,
    };
    this.setClaim(ctx, paid);
    ctx.emit(paidEvent(c.receiptId, s.node, s.validators, s.treasury));
    return paid;
  }

  /**
   * End block: hands the block's validator pot to fee_collector, from which the distribution module pays
   * validators by voting power in the same end block (lazily, F1-style), together with the tx fees.
   */
  distributeValidatorPot(ctx: Context): void {
    const pot = this.validatorPot(ctx);
    if (pot === 0n) return;
    const p = this.getParams(ctx);
    this.bank.sendFromModuleToModule(ctx, ModuleAccount.RewardPool, ModuleAccount.FeeCollector, [
      { denom: p.denom, amount: pot },
    ]);
    this.setValidatorPot(ctx, 0n);
    ctx.emit(validatorRewardsEvent(pot));
  }
}
