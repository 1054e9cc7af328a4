/**
 * @module Distribution read routes a wallet calls to show and claim staking rewards
 * (cosmos/distribution/v1beta1/query.proto gateway paths). DSDN validators are self-bond only, so a
 * delegator's rewards are its own validator's.
 */
import * as Q from "cosmjs-types/cosmos/distribution/v1beta1/query";
import type { FastifyInstance } from "fastify";
import { toBech32Address } from "../../../common/secp256k1.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { accountAddress, VALOPER_PREFIX, valoperAddress } from "../params.js";
import { gatewayJson, scaledDec } from "../protoJson.js";

const BASE = "/cosmos/distribution/v1beta1";
const SVC = "/cosmos.distribution.v1beta1.Query";

/**
 * DecCoin amounts and Dec params travel in protobuf as the integer scaled by 10^18; the gateway prints them as
 * decimals ("1.500000000000000000"), so every `amount` of a `{denom, amount}` and `community_tax` is rewritten.
 */
function decimals(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decimals);
  if (v === null || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const isCoin = typeof o.denom === "string" && typeof o.amount === "string";
  for (const [k, x] of Object.entries(o))
    out[k] = (isCoin && k === "amount") || k === "community_tax" ? scaledDec(String(x)) : decimals(x);
  return out;
}

export function distributionRoutes(app: FastifyInstance, rpc: CometRpc): void {
  const ask = async <Res>(method: string, reqCodec: unknown, req: object, resCodec: { toJSON(m: Res): unknown }) => {
    const { value } = await abciQuery(rpc, `${SVC}/${method}`, reqCodec as never, req, resCodec as never);
    return decimals(gatewayJson(resCodec.toJSON(value as Res)));
  };
  const acc = (name: string, v: unknown) => toBech32Address(accountAddress(name, v));
  const val = (name: string, v: unknown) => toBech32Address(valoperAddress(name, v), VALOPER_PREFIX);
  app.get(`${BASE}/params`, async () => ask("Params", Q.QueryParamsRequest, {}, Q.QueryParamsResponse));
  app.get(`${BASE}/community_pool`, async () =>
    ask("CommunityPool", Q.QueryCommunityPoolRequest, {}, Q.QueryCommunityPoolResponse),
  );
  app.get<{ Params: { addr: string } }>(`${BASE}/delegators/:addr/rewards`, async (req) =>
    ask(
      "DelegationTotalRewards",
      Q.QueryDelegationTotalRewardsRequest,
      { delegatorAddress: acc("delegator_address", req.params.addr) },
      Q.QueryDelegationTotalRewardsResponse,
    ),
  );
  app.get<{ Params: { addr: string; val: string } }>(`${BASE}/delegators/:addr/rewards/:val`, async (req) =>
    ask(
      "DelegationRewards",
      Q.QueryDelegationRewardsRequest,
      {
        delegatorAddress: acc("delegator_address", req.params.addr),
        validatorAddress: val("validator_address", req.params.val),
      },
      Q.QueryDelegationRewardsResponse,
    ),
  );
  app.get<{ Params: { addr: string } }>(`${BASE}/delegators/:addr/validators`, async (req) =>
    ask(
      "DelegatorValidators",
      Q.QueryDelegatorValidatorsRequest,
      { delegatorAddress: acc("delegator_address", req.params.addr) },
      Q.QueryDelegatorValidatorsResponse,
    ),
  );
  app.get<{ Params: { addr: string } }>(`${BASE}/delegators/:addr/withdraw_address`, async (req) =>
    ask(
      "DelegatorWithdrawAddress",
      Q.QueryDelegatorWithdrawAddressRequest,
      { delegatorAddress: acc("delegator_address", req.params.addr) },
      Q.QueryDelegatorWithdrawAddressResponse,
    ),
  );
  app.get<{ Params: { val: string } }>(`${BASE}/validators/:val/outstanding_rewards`, async (req) =>
    ask(
      "ValidatorOutstandingRewards",
      Q.QueryValidatorOutstandingRewardsRequest,
      { validatorAddress: val("validator_address", req.params.val) },
      Q.QueryValidatorOutstandingRewardsResponse,
    ),
  );
}
