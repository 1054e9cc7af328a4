/** @module MsgSend: the one bank state transition users sign (`/cosmos.bank.v1beta1.MsgSend`). */
import { MsgSend, MsgSendResponse } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { parseCoins } from "../../chain-app/coins.js";
import { SdkErrors } from "../../chain-app/errors.js";
import type { MsgDef } from "../../chain-app/module.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { BankKeeper } from "./keeper.js";

export const MSG_SEND_TYPE_URL = "/cosmos.bank.v1beta1.MsgSend";

export function msgSend(keeper: BankKeeper): MsgDef<MsgSend> {
  return {
    typeUrl: MSG_SEND_TYPE_URL,
    codec: MsgSend,
    signers: (msg) => [msg.fromAddress],
    validateBasic(msg) {
      addressBytesOf(msg.fromAddress);
      addressBytesOf(msg.toAddress);
      const amounts = parseCoins(msg.amount);
      if (amounts.length === 0) throw SdkErrors.InvalidCoins.wrap("send amount is empty");
    },
    handle(ctx, msg) {
      const from = addressBytesOf(msg.fromAddress);
      const to = addressBytesOf(msg.toAddress);
      keeper.assertSendAllowed(ctx, to, msg.toAddress);
      keeper.sendCoins(ctx, from, to, parseCoins(msg.amount));
      return { typeUrl: "/cosmos.bank.v1beta1.MsgSendResponse", value: MsgSendResponse.encode({}).finish() };
    },
  };
}
