/**
 * @module MsgWithdrawDelegatorReward (`/cosmos.distribution.v1beta1`): a validator's operator withdraws its
 * rewards. DSDN validators are self-bonded only, so the one delegation is operator → own validator; the
 * validator address may be given as `nusavaloper1…` (what wallets show) or as the operator's `nusa1…`.
 */
import {
  MsgWithdrawDelegatorReward,
  MsgWithdrawDelegatorRewardResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import type { MsgDef } from "../../chain-app/module.js";
import { fromBech32Address } from "../../common/secp256k1.js";
import { addressBytesOf } from "../auth/keeper.js";
import { DistributionErrors } from "./errors.js";
import type { DistributionKeeper } from "./keeper.js";

export const MSG_WITHDRAW_DELEGATOR_REWARD_TYPE_URL = "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward";
export const VALOPER_PREFIX = "nusavaloper";

/** A validator address in either form, as the operator's account bytes. */
export function validatorBytesOf(address: string): Uint8Array {
  try {
    return address.toLowerCase().startsWith(`${VALOPER_PREFIX}1`)
      ? fromBech32Address(address, VALOPER_PREFIX)
      : fromBech32Address(address);
  } catch (e) {
    throw DistributionErrors.InvalidValidatorAddress.wrap((e as Error).message);
  }
}

export function msgWithdrawDelegatorReward(keeper: DistributionKeeper): MsgDef<MsgWithdrawDelegatorReward> {
  return {
    typeUrl: MSG_WITHDRAW_DELEGATOR_REWARD_TYPE_URL,
    codec: MsgWithdrawDelegatorReward,
    signers: (m) => [m.delegatorAddress],
    validateBasic(m) {
      const del = addressBytesOf(m.delegatorAddress);
      if (Buffer.compare(del, validatorBytesOf(m.validatorAddress)) !== 0)
        throw DistributionErrors.NotSelfDelegation.wrap(m.validatorAddress);
    },
    handle(ctx, m) {
      const op = addressBytesOf(m.delegatorAddress);
      if (!keeper.getValidatorRewards(ctx, op)) throw DistributionErrors.NoValidator.wrap(m.delegatorAddress);
      const paid = keeper.withdraw(ctx, op);
      const amount = paid > 0n ? [{ denom: keeper.getParams(ctx).denom, amount: paid.toString() }] : [];
      return {
        typeUrl: "/cosmos.distribution.v1beta1.MsgWithdrawDelegatorRewardResponse",
        value: MsgWithdrawDelegatorRewardResponse.encode({ amount }).finish(),
      };
    },
  };
}
