/**
 * @module Feeds the subsidy from receipt claims: the organic-revenue record (the sunset compares organic income with
 * the subsidy) and each node's utilisation (bytes of its paid storage receipts against its registered capacity).
 * Wraps the receipts module's MsgClaimReward, as receipts' observeTransfers wraps bank.
 */
import type { AppModule, MsgDef } from "../../chain-app/module.js";
import { decodeReceiptData } from "../../common/receipts/receiptBytes.js";
import { ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { MsgClaimReward } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { MsgClaimRewardResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { SubsidyKeeper } from "./keeper.js";

export const CLAIM_REWARD_TYPE_URL = "/dsdn.receipts.v1.MsgClaimReward";

/** Storage claims pay the node at once: their node share counts as organic income, their bytes as usage. */
export function observeRewards(receipts: AppModule, keeper: SubsidyKeeper): AppModule {
  const msgs = (receipts.msgs ?? []).map((def): MsgDef => {
    if (def.typeUrl !== CLAIM_REWARD_TYPE_URL) return def;
    return {
      ...def,
      handle(ctx, msg) {
        const res = def.handle(ctx, msg);
        const r = MsgClaimRewardResponse.decode(res.value);
        // The claim succeeded, so the receipt decoded and the claimant is the node's operator (who is paid).
        const m = msg as MsgClaimReward;
        // Compute claims pay after their challenge window (not counted: they may still be overturned).
        if (!r.pending && /^[0-9]{1,30}$/.test(r.nodeAmount))
          keeper.recordOrganic(ctx, addressBytesOf(m.claimant), BigInt(r.nodeAmount));
        const d = m.receipt ? decodeReceiptData(m.receipt.receiptData) : undefined;
        if (d?.kind === ReceiptKind.RECEIPT_KIND_STORAGE && d.usage)
          keeper.recordStorageReceipt(ctx, addressBytesOf(m.claimant), d.epoch, d.usage.bytes);
        return res;
      },
    };
  });
  return { ...receipts, msgs };
}
