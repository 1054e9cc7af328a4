/** @module MsgUnbond: start unbonding validator or node stake; paid out at end block once the period has passed. */
import type { MsgDef } from "../../chain-app/module.js";
import { BondKind } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { MsgUnbond, MsgUnbondResponse } from "../../proto/gen/dsdn/stake/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { parsePositiveAmount } from "./amount.js";
import { StakeErrors } from "./errors.js";
import type { StakeKeeper } from "./keeper.js";

export const MSG_UNBOND_TYPE_URL = "/dsdn.stake.v1.MsgUnbond";

export function msgUnbond(keeper: StakeKeeper): MsgDef<MsgUnbond> {
  return {
    typeUrl: MSG_UNBOND_TYPE_URL,
    codec: MsgUnbond,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.kind !== BondKind.BOND_KIND_VALIDATOR && m.kind !== BondKind.BOND_KIND_NODE)
        throw StakeErrors.InvalidKind.wrap(String(m.kind));
      parsePositiveAmount(m.amount, "amount");
    },
    handle(ctx, m) {
      const e = keeper.unbond(ctx, addressBytesOf(m.signer), m.kind, parsePositiveAmount(m.amount, "amount"));
      return {
        typeUrl: "/dsdn.stake.v1.MsgUnbondResponse",
        value: MsgUnbondResponse.encode({ unbondingId: e.id, completionTime: e.completionTime }).finish(),
      };
    },
  };
}
