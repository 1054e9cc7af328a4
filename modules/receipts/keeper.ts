/** @module receipts keeper: claims and the replay set, the compute challenge queue, wallet affinity, payouts. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { bytesEqual } from "../../common/hash.js";
import { Claim, ClaimStatus } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import { ReceiptsErrors } from "./errors.js";
import { challengedEvent, paidEvent } from "./events.js";
import type { BankKeeper, StakeKeeper } from "./expectedKeepers.js";
import { claimKey, funderKey, MODULE_NAME, Prefix, paramsKey, pendingKey, replayKeyOf, transferKey } from "./keys.js";
import { defaultReceiptsParams, parseReceiptsParams, type ReceiptsParams } from "./params.js";
import { type Split, splitReward } from "./reward.js";

/** Why two addresses count as one economic party (undefined when they do not). */
export type Affinity = "same_address" | "direct_transfer" | "same_funder" | undefined;

/** The hook a fraud module drives: freeze a pending compute claim, then settle it either way. */
export interface ReceiptChallengeHook {
  challenge(ctx: Context, receiptId: Uint8Array, challenger: string): Claim;
  resolveChallenge(ctx: Context, receiptId: Uint8Array, fraudProven: boolean): Claim;
}

export class ReceiptsKeeper implements ReceiptChallengeHook {
  constructor(
    private readonly bank: BankKeeper,
    private readonly stake: StakeKeeper,
  ) {}

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

  enqueue(ctx: Context, c: Claim): void {
    this.store(ctx).set(pendingKey(c.payableHeight, c.receiptId), new Uint8Array());
  }

  private dequeue(ctx: Context, c: Claim): void {
    this.store(ctx).delete(pendingKey(c.payableHeight, c.receiptId));
  }

  /** Pending compute claims in payable-height order (up to `maxHeight` inclusive when given). */
  pending(ctx: Context, maxHeight?: bigint): Claim[] {
    const start = Uint8Array.of(Prefix.Pending);
    const end =
      maxHeight === undefined ? Uint8Array.of(Prefix.Pending + 1) : pendingKey(maxHeight + 1n, new Uint8Array());
    const out: Claim[] = [];
    for (const [k] of this.store(ctx).iterate({ start, end })) {
      const c = this.getClaim(ctx, k.slice(9));
      if (c) out.push(c);
    }
    return out;
  }

  // ---- wallet affinity ----------------------------------------------------------------------------

  /** Called after every successful MsgSend (see affinity.ts): remembers the pair and the recipient's first funder. */
  recordTransfer(ctx: Context, from: Uint8Array, to: Uint8Array): void {
    if (bytesEqual(from, to)) return;
    const s = this.store(ctx);
    const k = transferKey(from, to);
    if (!s.has(k)) s.set(k, u64be(ctx.block.height));
    if (!s.has(funderKey(to))) s.set(funderKey(to), from);
  }

  setTransfer(ctx: Context, a: Uint8Array, b: Uint8Array, height: bigint): void {
    this.store(ctx).set(transferKey(a, b), u64be(height));
  }

  setFunder(ctx: Context, a: Uint8Array, funder: Uint8Array): void {
    this.store(ctx).set(funderKey(a), funder);
  }

  funderOf(ctx: Context, a: Uint8Array): Uint8Array | undefined {
    return this.store(ctx).get(funderKey(a));
  }

  /**
   * Affinity between two addresses: the same address; any direct MsgSend between them in either
   * direction (which covers one having funded the other); or the same funding source (the sender of
   * each one's first MsgSend). Genesis balances name no funder.
   */
  affinity(ctx: Context, a: Uint8Array, b: Uint8Array): Affinity {
    if (bytesEqual(a, b)) return "same_address";
    if (this.store(ctx).has(transferKey(a, b))) return "direct_transfer";
    const fa = this.funderOf(ctx, a);
    const fb = this.funderOf(ctx, b);
    if (fa && fb && bytesEqual(fa, fb)) return "same_funder";
    return undefined;
  }

  *transfers(ctx: Context): Generator<{ a: Uint8Array; b: Uint8Array; height: bigint }> {
    const start = Uint8Array.of(Prefix.Transfer);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Transfer + 1) }))
      yield { a: k.slice(1, 21), b: k.slice(21, 41), height: readU64be(v) };
  }

  *funders(ctx: Context): Generator<{ address: Uint8Array; funder: Uint8Array }> {
    const start = Uint8Array.of(Prefix.Funder);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Funder + 1) }))
      yield { address: k.slice(1), funder: v };
  }

  // ---- payouts ----------------------------------------------------------------------------------

  /** The split of `reward` among the node operator, validators by current power, and the treasury. */
  splitFor(ctx: Context, reward: bigint): Split {
    const vals: { operator: string; power: bigint }[] = [];
    for (const [, v] of this.stake.validators(ctx))
      vals.push({ operator: v.operator, power: this.stake.powerOf(ctx, v) });
    return splitReward(reward, this.getParams(ctx), vals);
  }

  /** Whether the reward pool holds `amount`. */
  poolCovers(ctx: Context, amount: bigint): boolean {
    return this.bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.RewardPool), this.getParams(ctx).denom) >= amount;
  }

  /** Pays a claim from the reward pool (checked to cover it first, so a payout is all or nothing). */
  pay(ctx: Context, c: Claim): Claim {
    const reward = BigInt(c.reward);
    if (!this.poolCovers(ctx, reward))
      throw ReceiptsErrors.RewardPoolEmpty.wrap(`${reward}${this.getParams(ctx).denom} needed`);
    const denom = this.getParams(ctx).denom;
    const coins = (amount: bigint) => [{ denom, amount }];
    const s = this.splitFor(ctx, reward);
    if (s.node > 0n)
      this.bank.sendFromModuleToAccount(ctx, ModuleAccount.RewardPool, addressBytesOf(c.operator), coins(s.node));
    for (const v of s.perValidator)
      if (v.amount > 0n)
        this.bank.sendFromModuleToAccount(ctx, ModuleAccount.RewardPool, addressBytesOf(v.operator), coins(v.amount));
    if (s.treasury > 0n)
      this.bank.sendFromModuleToModule(ctx, ModuleAccount.RewardPool, ModuleAccount.Treasury, coins(s.treasury));
    const paid: Claim = {
      ...c,
      status: ClaimStatus.CLAIM_STATUS_PAID,
      nodeAmount: s.node.toString(),
      validatorsAmount: s.validatorsTotal.toString(),
      treasuryAmount: s.treasury.toString(),
      paidHeight: ctx.block.height,
    };
    this.setClaim(ctx, paid);
    ctx.emit(paidEvent(c.receiptId, s.node, s.validatorsTotal, s.treasury));
    return paid;
  }

  /**
   * End block: pays every compute claim whose challenge window has closed. A claim the pool cannot pay
   * yet stays queued and is retried next block (nothing is lost, nothing is paid twice).
   */
  payMatured(ctx: Context): void {
    for (const c of this.pending(ctx, ctx.block.height)) {
      if (!this.poolCovers(ctx, BigInt(c.reward))) continue;
      this.dequeue(ctx, c);
      this.pay(ctx, c);
    }
  }

  // ---- the fraud hook -----------------------------------------------------------------------------

  challenge(ctx: Context, receiptId: Uint8Array, challenger: string): Claim {
    const c = this.getClaim(ctx, receiptId);
    if (!c) throw ReceiptsErrors.UnknownClaim;
    if (c.status !== ClaimStatus.CLAIM_STATUS_PENDING || ctx.block.height >= c.payableHeight)
      throw ReceiptsErrors.NotPending;
    this.dequeue(ctx, c);
    const frozen: Claim = { ...c, status: ClaimStatus.CLAIM_STATUS_CHALLENGED };
    this.setClaim(ctx, frozen);
    ctx.emit(challengedEvent(receiptId, challenger));
    return frozen;
  }

  /** Fraud proven: the claim stays refused forever (its replay key stays used). Not proven: it pays now. */
  resolveChallenge(ctx: Context, receiptId: Uint8Array, fraudProven: boolean): Claim {
    const c = this.getClaim(ctx, receiptId);
    if (!c || c.status !== ClaimStatus.CLAIM_STATUS_CHALLENGED) throw ReceiptsErrors.NotPending;
    if (fraudProven) return c;
    return this.pay(ctx, c);
  }
}
