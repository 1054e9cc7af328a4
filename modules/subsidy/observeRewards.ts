/**
 * @module Feeds the subsidy's organic-revenue record from receipt claims (the sunset compares organic
 * income with the subsidy): wraps the receipts module's MsgClaimReward, as receipts' observeTransfers wraps bank.
 */
import type { AppModule, MsgDef } from "../../chain-app/module.js";
import { MsgClaimRewardResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import type { SubsidyKeeper } from "./keeper.js";

export const CLAIM_REWARD_TYPE_URL = "/dsdn.receipts.v1.MsgClaimReward";

/** Storage claims pay the node at once: their node share counts as organic income of the month. */
export function observeRewards(receipts: AppModule, keeper: SubsidyKeeper): AppModule {
  const msgs = (receipts.msgs ?? []).map((def): MsgDef => {
    if (def.typeUrl !== CLAIM_REWARD_TYPE_URL) return def;
    return {
      ...def,
      handle(ctx, msg) {
        const res = def.handle(ctx, msg);
        const r = MsgClaimRewardResponse.decode(res.value);
        // Compute claims pay after their challenge window (not counted: they may still be overturned).
        if (!r.pending && /^[0-9]{1,30}$/.test(r.nodeAmount)) keeper.recordOrganic(ctx, BigInt(r.nodeAmount));
        return res;
      },
    };
  });
  return { ...receipts, msgs };
}
