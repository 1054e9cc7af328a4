/** @module MsgCreateValidator: bond self-stake behind an ed25519 consensus key; power reaches CometBFT at end block. */
import type { MsgDef } from "../../chain-app/module.js";
import { MsgCreateValidator, MsgCreateValidatorResponse } from "../../proto/gen/dsdn/stake/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { parsePositiveAmount } from "./amount.js";
import { StakeErrors } from "./errors.js";
import { createValidatorEvent } from "./events.js";
import type { StakeKeeper } from "./keeper.js";

const hasControlChars = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20);

export const MSG_CREATE_VALIDATOR_TYPE_URL = "/dsdn.stake.v1.MsgCreateValidator";

export function msgCreateValidator(keeper: StakeKeeper): MsgDef<MsgCreateValidator> {
  return {
    typeUrl: MSG_CREATE_VALIDATOR_TYPE_URL,
    codec: MsgCreateValidator,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.consensusPubkey.length !== 32)
        throw StakeErrors.InvalidConsensusKey.wrap(`${m.consensusPubkey.length} bytes`);
      if (m.moniker.length === 0 || m.moniker.length > 70 || hasControlChars(m.moniker))
        throw StakeErrors.InvalidMoniker.wrap("1..70 printable characters");
      parsePositiveAmount(m.amount, "amount");
    },
    handle(ctx, m) {
      const op = addressBytesOf(m.signer);
      const amount = parsePositiveAmount(m.amount, "amount");
      const v = keeper.createValidator(ctx, op, m.consensusPubkey, m.moniker, amount);
      const power = keeper.powerOf(ctx, v);
      ctx.emit(createValidatorEvent(m.signer, v.consensusAddress, amount, power));
      return {
        typeUrl: "/dsdn.stake.v1.MsgCreateValidatorResponse",
        value: MsgCreateValidatorResponse.encode({ consensusAddress: v.consensusAddress, power }).finish(),
      };
    },
  };
}
