/**
 * @module distribution queries on the SDK's `/cosmos.distribution.v1beta1.Query/<Method>` paths (what
 * wallets and CosmJS's distribution extension call). DecCoin amounts are the SDK's protobuf Dec form: the
 * integer scaled by 10^18, which is exactly how rewards are kept.
 */
import type { DecCoin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import {
  QueryCommunityPoolRequest,
  QueryCommunityPoolResponse,
  QueryDelegationRewardsRequest,
  QueryDelegationRewardsResponse,
  QueryDelegationTotalRewardsRequest,
  QueryDelegationTotalRewardsResponse,
  QueryDelegatorValidatorsRequest,
  QueryDelegatorValidatorsResponse,
  QueryDelegatorWithdrawAddressRequest,
  QueryDelegatorWithdrawAddressResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import type { BankKeeper } from "./expectedKeepers.js";
import { type DistributionKeeper, SCALE } from "./keeper.js";
import { VALOPER_PREFIX, validatorBytesOf } from "./withdrawRewards.js";

const PKG = "/cosmos.distribution.v1beta1.Query";
const dec = (denom: string, scaled: bigint): DecCoin[] => (scaled > 0n ? [{ denom, amount: scaled.toString() }] : []);

export function distributionQueries(keeper: DistributionKeeper, bank: BankKeeper): QueryDef[] {
  const rewardsOf = (ctx: Parameters<QueryDef["handle"]>[0], op: Uint8Array) =>
    dec(keeper.getParams(ctx).denom, keeper.outstanding(ctx, op));
  return [
    {
      path: `${PKG}/Params`,
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        const p = keeper.getParams(ctx);
        return QueryParamsResponse.encode({
          params: {
            communityTax: ((p.communityTaxPpm * SCALE) / 1_000_000n).toString(),
            baseProposerReward: "0",
            bonusProposerReward: "0",
            withdrawAddrEnabled: false,
          },
        }).finish();
      },
    },
    {
      path: `${PKG}/DelegationRewards`,
      handle(ctx, data) {
        const req = decodeMessage(QueryDelegationRewardsRequest, data, "QueryDelegationRewardsRequest");
        const del = addressBytesOf(req.delegatorAddress);
        const val = validatorBytesOf(req.validatorAddress);
        const rewards = Buffer.compare(del, val) === 0 ? rewardsOf(ctx, del) : [];
        return QueryDelegationRewardsResponse.encode({ rewards }).finish();
      },
    },
    {
      path: `${PKG}/DelegationTotalRewards`,
      handle(ctx, data) {
        const req = decodeMessage(QueryDelegationTotalRewardsRequest, data, "QueryDelegationTotalRewardsRequest");
        const del = addressBytesOf(req.delegatorAddress);
        const has = keeper.getValidatorRewards(ctx, del) !== undefined;
        const total = rewardsOf(ctx, del);
        return QueryDelegationTotalRewardsResponse.encode({
          rewards: has ? [{ validatorAddress: toBech32Address(del, VALOPER_PREFIX), reward: total }] : [],
          total,
        }).finish();
      },
    },
    {
      path: `${PKG}/ValidatorOutstandingRewards`,
      handle(ctx, data) {
        const req = decodeMessage(
          QueryValidatorOutstandingRewardsRequest,
          data,
          "QueryValidatorOutstandingRewardsRequest",
        );
        return QueryValidatorOutstandingRewardsResponse.encode({
          rewards: { rewards: rewardsOf(ctx, validatorBytesOf(req.validatorAddress)) },
        }).finish();
      },
    },
    {
      path: `${PKG}/DelegatorValidators`,
      handle(ctx, data) {
        const req = decodeMessage(QueryDelegatorValidatorsRequest, data, "QueryDelegatorValidatorsRequest");
        const del = addressBytesOf(req.delegatorAddress);
        const validators = keeper.getValidatorRewards(ctx, del) ? [toBech32Address(del, VALOPER_PREFIX)] : [];
        return QueryDelegatorValidatorsResponse.encode({ validators }).finish();
      },
    },
    {
      path: `${PKG}/DelegatorWithdrawAddress`,
      handle(_ctx, data) {
        const req = decodeMessage(QueryDelegatorWithdrawAddressRequest, data, "QueryDelegatorWithdrawAddressRequest");
        addressBytesOf(req.delegatorAddress);
        return QueryDelegatorWithdrawAddressResponse.encode({ withdrawAddress: req.delegatorAddress }).finish();
      },
    },
    {
      // The community pool is the treasury module account (receipts' 10% share and the fee community tax).
      path: `${PKG}/CommunityPool`,
      handle(ctx, data) {
        decodeMessage(QueryCommunityPoolRequest, data, "QueryCommunityPoolRequest");
        const denom = keeper.getParams(ctx).denom;
        const bal = bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.Treasury), denom);
        return QueryCommunityPoolResponse.encode({ pool: dec(denom, bal * SCALE) }).finish();
      },
    },
  ];
}
