/** @module MsgBondNode: bond (or top up) storage-node stake for a class; the nodes module re-derives status. */
import type { MsgDef } from "../../chain-app/module.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { MsgBondNode, MsgBondNodeResponse } from "../../proto/gen/dsdn/stake/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { parsePositiveAmount } from "./amount.js";
import { StakeErrors } from "./errors.js";
import { bondNodeEvent } from "./events.js";
import { nodeClassName, type StakeKeeper } from "./keeper.js";

export const MSG_BOND_NODE_TYPE_URL = "/dsdn.stake.v1.MsgBondNode";

export function isNodeClass(c: number): c is NodeClass {
  return c === NodeClass.NODE_CLASS_REGULAR || c === NodeClass.NODE_CLASS_DATA_CENTER;
}

export function msgBondNode(keeper: StakeKeeper): MsgDef<MsgBondNode> {
  return {
    typeUrl: MSG_BOND_NODE_TYPE_URL,
    codec: MsgBondNode,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (!isNodeClass(m.class)) throw StakeErrors.InvalidClass.wrap(String(m.class));
      parsePositiveAmount(m.amount, "amount");
    },
    handle(ctx, m) {
      const amount = parsePositiveAmount(m.amount, "amount");
      const total = keeper.bondNode(ctx, addressBytesOf(m.signer), m.class, amount);
      ctx.emit(bondNodeEvent(m.signer, nodeClassName(m.class), amount, total));
      return {
        typeUrl: "/dsdn.stake.v1.MsgBondNodeResponse",
        value: MsgBondNodeResponse.encode({ total: total.toString() }).finish(),
      };
    },
  };
}
