/** @module auth genesis: params and pre-created accounts. */

import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { isValidAddress, normalizeAddress } from "../../common/secp256k1.js";
import { type AuthKeeper, addressBytesOf } from "./keeper.js";
import { defaultAuthParams, parseAuthParams } from "./params.js";

export interface AuthGenesis {
  params: Record<string, string>;
  accounts: { address: string }[];
}

export function defaultAuthGenesis(): AuthGenesis {
  return { params: JSON.parse(canonicalJson(defaultAuthParams)), accounts: [] };
}

export function validateAuthGenesis(raw: unknown): AuthGenesis {
  const g = (raw ?? defaultAuthGenesis()) as AuthGenesis;
  parseAuthParams(g.params);
  const seen = new Set<string>();
  for (const [i, a] of (g.accounts ?? []).entries()) {
    if (!isValidAddress(a.address)) throw new Error(`auth.accounts[${i}].address: invalid address "${a.address}"`);
    // Compared in canonical form: "NUSA1…" and "nusa1…" are the same account.
    const canonical = normalizeAddress(a.address);
    if (seen.has(canonical)) throw new Error(`auth.accounts[${i}].address: duplicate ${a.address}`);
    seen.add(canonical);
  }
  return g;
}

export function initAuthGenesis(ctx: Context, keeper: AuthKeeper, raw: unknown): void {
  const g = validateAuthGenesis(raw);
  keeper.setParams(ctx, parseAuthParams(g.params));
  for (const a of g.accounts ?? []) keeper.ensureAccount(ctx, addressBytesOf(a.address));
}

export function exportAuthGenesis(ctx: Context, keeper: AuthKeeper): AuthGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    accounts: [...keeper.accounts(ctx)].map((a) => ({ address: a.address })),
  };
}
