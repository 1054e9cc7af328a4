/**
 * @module Wallet affinity recording: wraps bank's MsgSend so every successful transfer is remembered by the
 * receipts keeper (pair and first funder). Wired in buildApp, so bank itself stays unaware of receipts.
 */
import type { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import type { AppModule, MsgDef } from "../../chain-app/module.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { ReceiptsKeeper } from "./keeper.js";

export const MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend";

export function observeTransfers(bank: AppModule, keeper: ReceiptsKeeper): AppModule {
  const msgs = (bank.msgs ?? []).map((def): MsgDef => {
    if (def.typeUrl !== MSG_SEND_TYPE_URL) return def;
    const send = def as MsgDef<MsgSend>;
    return {
      ...send,
      handle(ctx, msg) {
        const res = send.handle(ctx, msg);
        keeper.recordTransfer(ctx, addressBytesOf(msg.fromAddress), addressBytesOf(msg.toAddress));
        return res;
      },
    };
  });
  return { ...bank, msgs };
}
