/** @module stake queries on `/dsdn.stake.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import { SdkErrors } from "../../chain-app/errors.js";
import type { QueryDef } from "../../chain-app/module.js";
import { fromHex } from "../../common/hash.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryGetStakeRequest,
  QueryGetStakeResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "../../proto/gen/dsdn/stake/v1/query.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { StakeKeeper } from "./keeper.js";
import { validatorKey } from "./keys.js";

export const DEFAULT_PAGE_LIMIT = 100n;
export const MAX_PAGE_LIMIT = 1000n;

export function pageLimit(limit: bigint | undefined): number {
  const l = !limit || limit === 0n ? DEFAULT_PAGE_LIMIT : limit;
  if (l > MAX_PAGE_LIMIT) throw SdkErrors.InvalidRequest.wrap(`pagination.limit at most ${MAX_PAGE_LIMIT}`);
  return Number(l);
}

export function stakeQueries(keeper: StakeKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.stake.v1.Query/GetStake",
      handle(ctx, data) {
        const req = decodeMessage(QueryGetStakeRequest, data, "QueryGetStakeRequest");
        const op = addressBytesOf(req.address);
        const v = keeper.getValidator(ctx, op);
        const ns = keeper.getNodeStake(ctx, op);
        const unbondings = keeper.unbondingsOf(ctx, op);
        const cls = ns && BigInt(ns.amount) > 0n ? ns.class : NodeClass.NODE_CLASS_UNSPECIFIED;
        const nodeStake = ns ? BigInt(ns.amount) : 0n;
        const min = keeper.minNodeStake(ctx, cls);
        return QueryGetStakeResponse.encode({
          address: req.address,
          validatorTokens: v ? v.tokens : "0",
          nodeStake: nodeStake.toString(),
          nodeClass: cls,
          unbonding: unbondings.reduce((a, e) => a + BigInt(e.amount), 0n).toString(),
          minNodeStake: min.toString(),
          meetsNodeMinimum: min > 0n && nodeStake >= min,
          stakeWeight: keeper.nodeStakeWeight(ctx, op).toString(),
          unbondings,
        }).finish();
      },
    },
    {
      path: "/dsdn.stake.v1.Query/Validators",
      handle(ctx, data) {
        const req = decodeMessage(QueryValidatorsRequest, data, "QueryValidatorsRequest");
        const limit = pageLimit(req.pagination?.limit);
        // nextKey is the next operator address; its store key is length-prefixed.
        const from = req.pagination?.key?.length ? validatorKey(req.pagination.key) : undefined;
        const validators = [];
        let nextKey = Buffer.alloc(0);
        for (const [op, v] of keeper.validators(ctx, from)) {
          if (validators.length === limit) {
            nextKey = Buffer.from(op);
            break;
          }
          validators.push(v);
        }
        return QueryValidatorsResponse.encode({ validators, pagination: { nextKey } }).finish();
      },
    },
    {
      path: "/dsdn.stake.v1.Query/Validator",
      handle(ctx, data) {
        const req = decodeMessage(QueryValidatorRequest, data, "QueryValidatorRequest");
        const v = /^[0-9a-fA-F]{40}$/.test(req.address)
          ? keeper.getValidatorByConsAddr(ctx, fromHex(req.address.toLowerCase()))
          : keeper.getValidator(ctx, addressBytesOf(req.address));
        if (!v) throw SdkErrors.KeyNotFound.wrap(`validator ${req.address}`);
        return QueryValidatorResponse.encode({ validator: v }).finish();
      },
    },
    {
      path: "/dsdn.stake.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
