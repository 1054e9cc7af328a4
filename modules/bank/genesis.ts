/** @module bank genesis: params and initial balances; supply is derived, never trusted from the file. */
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { parseCoins, toWireCoins } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import { isValidAddress, normalizeAddress, toBech32Address } from "../../common/secp256k1.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ALL_MODULE_ACCOUNTS, ModuleAccount } from "../auth/moduleAccounts.js";
import type { BankKeeper, BankParams } from "./keeper.js";

export interface BankGenesis {
  params: BankParams;
  balances: { address: string; coins: Coin[] }[];
}

export function defaultBankGenesis(): BankGenesis {
  return {
    // Module accounts other than the treasury cannot be credited by users; the treasury takes donations.
    params: {
      sendEnabled: true,
      blockedModuleAccounts: ALL_MODULE_ACCOUNTS.filter((m) => m !== ModuleAccount.Treasury),
    },
    balances: [],
  };
}

export function validateBankGenesis(raw: unknown): BankGenesis {
  const g = (raw ?? defaultBankGenesis()) as BankGenesis;
  if (typeof g.params?.sendEnabled !== "boolean") throw new Error("bank.params.sendEnabled: expected a boolean");
  const seen = new Set<string>();
  for (const [i, b] of (g.balances ?? []).entries()) {
    if (!isValidAddress(b.address)) throw new Error(`bank.balances[${i}].address: invalid address "${b.address}"`);
    // Compared in canonical form: "NUSA1…" and "nusa1…" are the same account.
    const canonical = normalizeAddress(b.address);
    if (seen.has(canonical)) throw new Error(`bank.balances[${i}].address: duplicate ${b.address}`);
    seen.add(canonical);
    try {
      parseCoins(b.coins);
    } catch (e) {
      throw new Error(`bank.balances[${i}].coins: ${(e as Error).message}`);
    }
  }
  return g;
}

export function initBankGenesis(ctx: Context, keeper: BankKeeper, raw: unknown): void {
  const g = validateBankGenesis(raw);
  keeper.setParams(ctx, g.params);
  const sorted = [...(g.balances ?? [])].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  for (const b of sorted) keeper.initBalance(ctx, addressBytesOf(b.address), parseCoins(b.coins));
}

export function exportBankGenesis(ctx: Context, keeper: BankKeeper): BankGenesis {
  const byAddr = new Map<string, { denom: string; amount: bigint }[]>();
  for (const e of keeper.allBalances(ctx)) {
    const a = toBech32Address(e.addr);
    byAddr.set(a, [...(byAddr.get(a) ?? []), { denom: e.denom, amount: e.amount }]);
  }
  return {
    params: keeper.getParams(ctx),
    balances: [...byAddr.entries()].map(([address, coins]) => ({ address, coins: toWireCoins(coins) })),
  };
}
