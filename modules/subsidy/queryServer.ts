/** @module subsidy queries on `/dsdn.subsidy.v1.Query/<Method>`: each node's eligibility and why, the schedule's state. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { isValidAddress } from "../../common/secp256k1.js";
import {
  QueryNodeSubsidyRequest,
  QueryNodeSubsidyResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryStatusRequest,
  QueryStatusResponse,
} from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SubsidyErrors } from "./errors.js";
import type { SubsidyKeeper } from "./keeper.js";
import { schedulePpm } from "./schedule.js";

export function subsidyQueries(keeper: SubsidyKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.subsidy.v1.Query/NodeSubsidy",
      handle(ctx, data) {
        const req = decodeMessage(QueryNodeSubsidyRequest, data, "QueryNodeSubsidyRequest");
        if (!isValidAddress(req.operator)) throw SubsidyErrors.InvalidAddress.wrap(req.operator);
        const op = addressBytesOf(req.operator);
        const month = keeper.currentMonth(ctx);
        return QueryNodeSubsidyResponse.encode({
          current: keeper.evaluate(ctx, op, month),
          lastPaid: keeper.getRecord(ctx, op),
        }).finish();
      },
    },
    {
      path: "/dsdn.subsidy.v1.Query/Status",
      handle(ctx, data) {
        decodeMessage(QueryStatusRequest, data, "QueryStatusRequest");
        const s = keeper.getState(ctx);
        const month = keeper.currentMonth(ctx);
        return QueryStatusResponse.encode({
          month,
          schedulePpm: (s.sunset ? 0n : schedulePpm(keeper.getParams(ctx), month)).toString(),
          sunset: s.sunset,
          sunsetReason: s.sunsetReason,
          poolBalance: keeper.poolBalance(ctx).toString(),
          lastSettledMonth: s.settledMonth,
        }).finish();
      },
    },
    {
      path: "/dsdn.subsidy.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
