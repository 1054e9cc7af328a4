/** @module MsgUnjail: a jailed validator's operator returns it to the set once the jail period has passed. */
import type { MsgDef } from "../../chain-app/module.js";
import { MsgUnjail, MsgUnjailResponse } from "../../proto/gen/dsdn/slashing/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SlashingErrors } from "./errors.js";
import { unjailEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import type { SlashingKeeper } from "./keeper.js";

export const MSG_UNJAIL_TYPE_URL = "/dsdn.slashing.v1.MsgUnjail";

export function msgUnjail(keeper: SlashingKeeper, stake: StakeKeeper): MsgDef<MsgUnjail> {
  return {
    typeUrl: MSG_UNJAIL_TYPE_URL,
    codec: MsgUnjail,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
    },
    handle(ctx, m) {
      const op = addressBytesOf(m.signer);
      const v = stake.getValidator(ctx, op);
      if (!v) throw SlashingErrors.NoValidator.wrap(m.signer);
      if (!v.jailed) throw SlashingErrors.NotJailed;
      keeper.unjail(ctx, op, v);
      ctx.emit(unjailEvent(m.signer));
      return { typeUrl: "/dsdn.slashing.v1.MsgUnjailResponse", value: MsgUnjailResponse.encode({}).finish() };
    },
  };
}
