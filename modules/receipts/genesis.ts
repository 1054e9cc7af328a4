/**
 * @module receipts genesis: params, the reward pool's genesis funding (minted into reward_pool at init;
 * exported as "0" because the exported bank balances already hold it), claims, affinity.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromBech32Address, toBech32Address } from "../../common/secp256k1.js";
import { Claim } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import type { BankKeeper } from "./expectedKeepers.js";
import type { ReceiptsKeeper } from "./keeper.js";
import { defaultReceiptsParams, parseReceiptsParams } from "./params.js";

export interface ReceiptsGenesis {
  params: Record<string, string>;
  /** unusa minted into the reward pool at genesis (default 1 000 000 NUSA). */
  rewardPoolFunding: string;
  /** Claim.toJSON */
  claims: unknown[];
  transfers: { a: string; b: string; height: string }[];
  /** Retired (first-funder affinity, which third parties could forge): accepted for old files and ignored. */
  funders?: { address: string; funder: string }[];
}

export const DEFAULT_REWARD_POOL_FUNDING = 1_000_000n * 1_000_000n;

export function defaultReceiptsGenesis(): ReceiptsGenesis {
  return {
    params: JSON.parse(canonicalJson(defaultReceiptsParams)),
    rewardPoolFunding: DEFAULT_REWARD_POOL_FUNDING.toString(),
    claims: [],
    transfers: [],
  };
}

export function validateReceiptsGenesis(raw: unknown): ReceiptsGenesis {
  const g = { ...defaultReceiptsGenesis(), ...((raw ?? {}) as Partial<ReceiptsGenesis>) } as ReceiptsGenesis;
  parseReceiptsParams(g.params);
  if (!/^(0|[1-9][0-9]{0,76})$/.test(String(g.rewardPoolFunding)))
    throw new Error("receipts.rewardPoolFunding: expected a non-negative integer");
  for (const [i, c] of g.claims.entries()) {
    const cl = Claim.fromJSON(c);
    if (cl.receiptId.length !== 32 || cl.replayKey.length !== 32)
      throw new Error(`receipts.claims[${i}]: receiptId and replayKey must be 32 bytes`);
  }
  for (const [i, t] of g.transfers.entries()) {
    try {
      fromBech32Address(t.a);
      fromBech32Address(t.b);
    } catch {
      throw new Error(`receipts.transfers[${i}]: invalid address`);
    }
  }
  return g;
}

export function initReceiptsGenesis(ctx: Context, keeper: ReceiptsKeeper, bank: BankKeeper, raw: unknown): void {
  const g = validateReceiptsGenesis(raw);
  const p = parseReceiptsParams(g.params);
  keeper.setParams(ctx, p);
  const fund = BigInt(g.rewardPoolFunding);
  if (fund > 0n) bank.mintCoins(ctx, ModuleAccount.RewardPool, [{ denom: p.denom, amount: fund }]);
  for (const c of g.claims) keeper.setClaim(ctx, Claim.fromJSON(c));
  for (const t of g.transfers)
    keeper.setTransfer(ctx, fromBech32Address(t.a), fromBech32Address(t.b), BigInt(t.height));
}

export function exportReceiptsGenesis(ctx: Context, keeper: ReceiptsKeeper): ReceiptsGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    rewardPoolFunding: "0",
    claims: [...keeper.claims(ctx)].map((c) => Claim.toJSON(c)),
    transfers: [...keeper.transfers(ctx)].map((t) => ({
      a: toBech32Address(t.a),
      b: toBech32Address(t.b),
      height: t.height.toString(),
    })),
  };
}
