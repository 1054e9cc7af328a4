/**
 * @module MsgFundRewardPool: anyone adds coins of the reward denom to the reward pool after genesis (as
 * x/distribution's MsgFundCommunityPool). Claims the empty pool deferred are then paid, in order, at end block.
 */
import type { MsgDef } from "../../chain-app/module.js";
import { MsgFundRewardPool, MsgFundRewardPoolResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ReceiptsErrors } from "./errors.js";
import { fundPoolEvent } from "./events.js";
import type { ReceiptsKeeper } from "./keeper.js";

export const MSG_FUND_REWARD_POOL_TYPE_URL = "/dsdn.receipts.v1.MsgFundRewardPool";

export function msgFundRewardPool(keeper: ReceiptsKeeper): MsgDef<MsgFundRewardPool> {
  return {
    typeUrl: MSG_FUND_REWARD_POOL_TYPE_URL,
    codec: MsgFundRewardPool,
    signers: (m) => [m.depositor],
    validateBasic(m) {
      addressBytesOf(m.depositor);
      if (!/^[1-9][0-9]{0,76}$/.test(m.amount))
        throw ReceiptsErrors.InvalidAmount.wrap(`amount must be a positive integer, got "${m.amount.slice(0, 80)}"`);
    },
    handle(ctx, m) {
      const amount = BigInt(m.amount);
      keeper.fundPool(ctx, addressBytesOf(m.depositor), amount);
      ctx.emit(fundPoolEvent(m.depositor, amount));
      return {
        typeUrl: "/dsdn.receipts.v1.MsgFundRewardPoolResponse",
        value: MsgFundRewardPoolResponse.encode({}).finish(),
      };
    },
  };
}
