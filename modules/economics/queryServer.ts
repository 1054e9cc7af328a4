/** @module economics queries on `/dsdn.economics.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryParamsRequest,
  QueryParamsResponse,
  QueryShadowRequest,
  QueryShadowResponse,
} from "../../proto/gen/dsdn/economics/v1/economics.js";
import type { EconomicsKeeper } from "./keeper.js";

export function economicsQueries(keeper: EconomicsKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.economics.v1.Query/Shadow",
      handle(ctx, data) {
        decodeMessage(QueryShadowRequest, data, "QueryShadowRequest");
        return QueryShadowResponse.encode({
          last: keeper.getLast(ctx),
          applyEnabled: keeper.getParams(ctx).applyEnabled === 1n,
        }).finish();
      },
    },
    {
      path: "/dsdn.economics.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
