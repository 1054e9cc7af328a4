/** @module MsgDeposit (v1 and v1beta1): anyone adds to a proposal's deposit, held in escrow and always refunded. */
import { MsgDeposit, MsgDepositResponse } from "cosmjs-types/cosmos/gov/v1/tx";
import {
  MsgDepositResponse as MsgDepositResponseV1beta1,
  MsgDeposit as MsgDepositV1beta1,
} from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { coinsString, parseCoins } from "../../chain-app/coins.js";
import type { MsgDef } from "../../chain-app/module.js";
import { addressBytesOf } from "../auth/keeper.js";
import { GovErrors } from "./errors.js";
import { depositEvent } from "./events.js";
import type { GovKeeper } from "./keeper.js";

export const MSG_DEPOSIT_TYPE_URL = "/cosmos.gov.v1.MsgDeposit";
export const MSG_DEPOSIT_V1BETA1_TYPE_URL = "/cosmos.gov.v1beta1.MsgDeposit";

function depositDef<T extends MsgDeposit>(
  keeper: GovKeeper,
  typeUrl: string,
  codec: MsgDef<T>["codec"],
  response: Uint8Array,
  responseUrl: string,
): MsgDef<T> {
  return {
    typeUrl,
    codec,
    signers: (m) => [m.depositor],
    validateBasic(m) {
      addressBytesOf(m.depositor);
      try {
        if (parseCoins(m.amount).length === 0) throw new Error("empty deposit");
      } catch (e) {
        throw GovErrors.InvalidDeposit.wrap((e as Error).message);
      }
    },
    handle(ctx, m) {
      keeper.addDeposit(ctx, m.proposalId, m.depositor, m.amount);
      ctx.emit(depositEvent(m.proposalId, m.depositor, coinsString(parseCoins(m.amount))));
      return { typeUrl: responseUrl, value: response };
    },
  };
}

export const msgDeposit = (keeper: GovKeeper) =>
  depositDef(
    keeper,
    MSG_DEPOSIT_TYPE_URL,
    MsgDeposit,
    MsgDepositResponse.encode({}).finish(),
    "/cosmos.gov.v1.MsgDepositResponse",
  );
export const msgDepositV1beta1 = (keeper: GovKeeper) =>
  depositDef(
    keeper,
    MSG_DEPOSIT_V1BETA1_TYPE_URL,
    MsgDepositV1beta1,
    MsgDepositResponseV1beta1.encode({}).finish(),
    "/cosmos.gov.v1beta1.MsgDepositResponse",
  );
