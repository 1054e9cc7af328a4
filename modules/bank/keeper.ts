/** @module bank keeper: balances and supply with exact bigint arithmetic; the only writer of balances. */

import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import {
  canonicalJson,
  decodeAmount,
  encodeAmount,
  fromUtf8,
  prefixEnd,
  readAddrKey,
  utf8,
} from "../../chain-app/encoding.js";
import { SdkErrors } from "../../chain-app/errors.js";
import { lastDecoded } from "../../chain-app/params.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { isModuleAddress, moduleAddressBytes } from "../auth/moduleAccounts.js";
import { BankErrors } from "./errors.js";
import { coinReceived, coinSpent, transfer } from "./events.js";
import type { AccountKeeper } from "./expectedKeepers.js";
import { balanceKey, balancesPrefix, MODULE_NAME, Prefix, paramsKey, supplyKey } from "./keys.js";

export interface BankParams {
  readonly sendEnabled: boolean;
  /** Addresses (module accounts) that MsgSend may not credit. */
  readonly blockedModuleAccounts: readonly string[];
}

const decodeParams = lastDecoded(
  (raw): BankParams =>
    raw ? (JSON.parse(fromUtf8(raw)) as BankParams) : { sendEnabled: true, blockedModuleAccounts: [] },
);

export class BankKeeper {
  constructor(private readonly accounts: AccountKeeper) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint {
    const raw = this.store(ctx).get(balanceKey(addr, denom));
    return raw ? decodeAmount(raw) : 0n;
  }

  /** All non-zero balances of an address, sorted by denom. */
  getAllBalances(ctx: Context, addr: Uint8Array): Amount[] {
    const prefix = balancesPrefix(addr);
    const out: Amount[] = [];
    for (const [k, v] of this.store(ctx).iterate({ start: prefix, end: prefixEnd(prefix) })) {
      out.push({ denom: fromUtf8(k.subarray(prefix.length)), amount: decodeAmount(v) });
    }
    return out;
  }

  private setBalance(ctx: Context, addr: Uint8Array, denom: string, amount: bigint): void {
    if (amount < 0n) throw new Error("negative balance");
    const key = balanceKey(addr, denom);
    if (amount === 0n) this.store(ctx).delete(key);
    else this.store(ctx).set(key, encodeAmount(amount));
  }

  /** `bech32` is `addr`'s address when the caller already has it (one checksum fewer per transfer). */
  private subCoins(ctx: Context, addr: Uint8Array, amounts: readonly Amount[], bech32?: string): void {
    for (const a of amounts) {
      const have = this.getBalance(ctx, addr, a.denom);
      if (have < a.amount) {
        throw SdkErrors.InsufficientFunds.wrap(
          `spendable balance ${have}${a.denom} is smaller than ${a.amount}${a.denom}`,
        );
      }
      this.setBalance(ctx, addr, a.denom, have - a.amount);
    }
    if (ctx.recordsEvents) ctx.emit(coinSpent(bech32 ?? toBech32Address(addr), amounts));
  }

  private addCoins(ctx: Context, addr: Uint8Array, amounts: readonly Amount[], bech32?: string): void {
    for (const a of amounts) this.setBalance(ctx, addr, a.denom, this.getBalance(ctx, addr, a.denom) + a.amount);
    if (ctx.recordsEvents) ctx.emit(coinReceived(bech32 ?? toBech32Address(addr), amounts));
  }

  /** Moves coins; creates the recipient account if it is new (as x/bank does). */
  sendCoins(ctx: Context, from: Uint8Array, to: Uint8Array, amounts: readonly Amount[]): void {
    if (!ctx.recordsEvents) {
      this.subCoins(ctx, from, amounts);
      this.accounts.ensureAccount(ctx, to);
      this.addCoins(ctx, to, amounts);
      return;
    }
    const fromAddress = toBech32Address(from);
    const toAddress = toBech32Address(to);
    this.subCoins(ctx, from, amounts, fromAddress);
    this.accounts.ensureAccount(ctx, to);
    this.addCoins(ctx, to, amounts, toAddress);
    ctx.emit(transfer(fromAddress, toAddress, amounts));
  }

  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void {
    this.sendCoins(ctx, moduleAddressBytes(module), to, amounts);
  }

  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void {
    this.sendCoins(ctx, from, moduleAddressBytes(module), amounts);
  }

  sendFromModuleToModule(ctx: Context, fromModule: string, toModule: string, amounts: readonly Amount[]): void {
    this.sendCoins(ctx, moduleAddressBytes(fromModule), moduleAddressBytes(toModule), amounts);
  }

  /** Creates coins in a module account and raises supply (genesis and reward minting only). */
  mintCoins(ctx: Context, module: string, amounts: readonly Amount[]): void {
    const addr = moduleAddressBytes(module);
    this.accounts.ensureAccount(ctx, addr);
    this.addCoins(ctx, addr, amounts);
    for (const a of amounts) this.setSupply(ctx, a.denom, this.getSupply(ctx, a.denom) + a.amount);
  }

  /** Destroys coins held by a module account and lowers supply (the economics module's adaptive burn). */
  burnCoins(ctx: Context, module: string, amounts: readonly Amount[]): void {
    this.subCoins(ctx, moduleAddressBytes(module), amounts);
    for (const a of amounts) this.setSupply(ctx, a.denom, this.getSupply(ctx, a.denom) - a.amount);
  }

  /** Credits an account at genesis and raises supply accordingly. */
  initBalance(ctx: Context, addr: Uint8Array, amounts: readonly Amount[]): void {
    this.accounts.ensureAccount(ctx, addr);
    for (const a of amounts) {
      this.setBalance(ctx, addr, a.denom, this.getBalance(ctx, addr, a.denom) + a.amount);
      this.setSupply(ctx, a.denom, this.getSupply(ctx, a.denom) + a.amount);
    }
  }

  getSupply(ctx: Context, denom: string): bigint {
    const raw = this.store(ctx).get(supplyKey(denom));
    return raw ? decodeAmount(raw) : 0n;
  }

  private setSupply(ctx: Context, denom: string, amount: bigint): void {
    this.store(ctx).set(supplyKey(denom), encodeAmount(amount));
  }

  getTotalSupply(ctx: Context): Amount[] {
    const start = Uint8Array.of(Prefix.Supply);
    const out: Amount[] = [];
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Supply + 1) })) {
      out.push({ denom: fromUtf8(k.subarray(1)), amount: decodeAmount(v) });
    }
    return out;
  }

  /** Every balance entry in key order (genesis export, invariants). */
  *allBalances(ctx: Context): Generator<{ addr: Uint8Array; denom: string; amount: bigint }> {
    const start = Uint8Array.of(Prefix.Balance);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Balance + 1) })) {
      const { addr, end } = readAddrKey(k, 1);
      yield { addr, denom: fromUtf8(k.subarray(end)), amount: decodeAmount(v) };
    }
  }

  getParams(ctx: Context): BankParams {
    return decodeParams(this.store(ctx).get(paramsKey));
  }

  setParams(ctx: Context, params: BankParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(params)));
  }

  isBlocked(ctx: Context, addr: Uint8Array): boolean {
    return this.getParams(ctx).blockedModuleAccounts.some((m) => isModuleAddress(m, addr));
  }

  assertSendAllowed(ctx: Context, to: Uint8Array, toAddress: string): void {
    if (!this.getParams(ctx).sendEnabled) throw BankErrors.SendDisabled;
    if (this.isBlocked(ctx, to)) throw BankErrors.BlockedAddress.wrap(toAddress);
  }
}
