/** @module subsidy queries on `/dsdn.subsidy.v1.Query/<Method>`: each node's eligibility and why, the schedule's state. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { isValidAddress } from "../../common/secp256k1.js";
import {
  QueryChallengeRequest,
  QueryChallengeResponse,
  QueryNodeSubsidyRequest,
  QueryNodeSubsidyResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryStatusRequest,
  QueryStatusResponse,
} from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SubsidyErrors } from "./errors.js";
import type { NodesKeeper } from "./expectedKeepers.js";
import type { SubsidyKeeper } from "./keeper.js";
import { schedulePpm } from "./schedule.js";

export function subsidyQueries(keeper: SubsidyKeeper, nodes: NodesKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.subsidy.v1.Query/Challenge",
      handle(ctx, data) {
        const req = decodeMessage(QueryChallengeRequest, data, "QueryChallengeRequest");
        const c = keeper.getChallenge(ctx);
        const node = req.nodeId.length === 32 ? nodes.getNode(ctx, req.nodeId) : undefined;
        const answered =
          c !== undefined && node !== undefined && keeper.lastAnswered(ctx, addressBytesOf(node.operator)) >= c.period;
        return QueryChallengeResponse.encode({
          period: c?.period ?? 0n,
          seed: Buffer.from(c?.seed ?? new Uint8Array()),
          openedAt: c?.openedAt ?? 0n,
          deadline: c?.deadline ?? 0n,
          judged: c?.judged ?? false,
          answered,
        }).finish();
      },
    },
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
