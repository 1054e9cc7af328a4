/** @module Coins: `{denom, amount}` lists with exact bigint amounts, validated the way the SDK does. */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { SdkErrors } from "./errors.js";

export interface Amount {
  readonly denom: string;
  readonly amount: bigint;
}

const DENOM = /^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/;
const INT = /^(0|[1-9][0-9]{0,76})$/;

export function validateDenom(denom: string): void {
  if (!DENOM.test(denom)) throw SdkErrors.InvalidCoins.wrap(`invalid denom: ${denom}`);
}

/** Parses wire coins: positive amounts, valid denoms, sorted, no duplicates (an empty list is fine). */
export function parseCoins(coins: readonly Coin[], allowZero = false): Amount[] {
  const out: Amount[] = [];
  for (const c of coins) {
    validateDenom(c.denom);
    if (!INT.test(c.amount)) throw SdkErrors.InvalidCoins.wrap(`invalid amount "${c.amount}${c.denom}"`);
    const amount = BigInt(c.amount);
    if (amount === 0n && !allowZero) throw SdkErrors.InvalidCoins.wrap(`zero amount ${c.denom}`);
    const prev = out[out.length - 1];
    if (prev && prev.denom >= c.denom) throw SdkErrors.InvalidCoins.wrap("coins must be sorted by denom and unique");
    out.push({ denom: c.denom, amount });
  }
  return out;
}

export function toWireCoins(amounts: readonly Amount[]): Coin[] {
  return amounts.map((a) => ({ denom: a.denom, amount: a.amount.toString() }));
}

/** "100unusa,5foo" — the SDK's string form, used in events. */
export function coinsString(amounts: readonly Amount[]): string {
  return amounts.map((a) => `${a.amount}${a.denom}`).join(",");
}

/** Parses "100unusa" or "1.5nusa"-free integer forms used by CLIs: `<int><denom>[,…]`. */
export function parseCoinsString(text: string): Amount[] {
  if (text.trim() === "") return [];
  const parts = text.split(",").map((p) => p.trim());
  const coins = parts.map((p) => {
    const m = /^(\d+)([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(p);
    if (!m) throw SdkErrors.InvalidCoins.wrap(`cannot parse coin "${p}" (expected e.g. 1000unusa)`);
    return { denom: m[2] as string, amount: m[1] as string };
  });
  coins.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  return parseCoins(coins);
}

/** A decimal gas price such as "0.025unusa" as an exact fraction. */
export interface GasPrice {
  readonly denom: string;
  readonly numerator: bigint;
  readonly denominator: bigint;
}

export function parseGasPrice(text: string): GasPrice {
  const m = /^(\d+)(?:\.(\d{1,18}))?([a-zA-Z][a-zA-Z0-9/:._-]{2,127})$/.exec(text.trim());
  if (!m) throw new TypeError(`invalid gas price "${text}" (expected e.g. 0.025unusa)`);
  const frac = m[2] ?? "";
  return { denom: m[3] as string, numerator: BigInt((m[1] as string) + frac), denominator: 10n ** BigInt(frac.length) };
}

/** Fee required for `gas` at `price`, rounded up. */
export function requiredFee(gas: bigint, price: GasPrice): bigint {
  return (gas * price.numerator + price.denominator - 1n) / price.denominator;
}
