/** @module receipts queries on `/dsdn.receipts.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryAffinityRequest,
  QueryAffinityResponse,
  QueryClaimRequest,
  QueryClaimResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPendingRequest,
  QueryPendingResponse,
} from "../../proto/gen/dsdn/receipts/v1/query.js";
import { addressBytesOf } from "../auth/keeper.js";
import { affinityBetween } from "./affinity.js";
import { ReceiptsErrors } from "./errors.js";
import type { ReceiptsKeeper } from "./keeper.js";

const SERVICE = "/dsdn.receipts.v1.Query";
/** Pending answers from the head of the queue: 100 claims unless asked for up to 1000. */
const DEFAULT_PENDING_LIMIT = 100;
const MAX_PENDING_LIMIT = 1000;

export function receiptsQueries(keeper: ReceiptsKeeper): QueryDef[] {
  return [
    {
      path: `${SERVICE}/Params`,
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
    {
      path: `${SERVICE}/Claim`,
      handle(ctx, data) {
        const req = decodeMessage(QueryClaimRequest, data, "QueryClaimRequest");
        const c = keeper.getClaim(ctx, req.receiptId);
        if (!c) throw ReceiptsErrors.UnknownClaim.wrap(toHex(req.receiptId));
        return QueryClaimResponse.encode({ claim: c }).finish();
      },
    },
    {
      path: `${SERVICE}/Pending`,
      handle(ctx, data) {
        const req = decodeMessage(QueryPendingRequest, data, "QueryPendingRequest");
        const limit = req.limit === 0 ? DEFAULT_PENDING_LIMIT : Math.min(req.limit, MAX_PENDING_LIMIT);
        return QueryPendingResponse.encode({ claims: keeper.pending(ctx, undefined, limit) }).finish();
      },
    },
    {
      path: `${SERVICE}/Affinity`,
      handle(ctx, data) {
        const req = decodeMessage(QueryAffinityRequest, data, "QueryAffinityRequest");
        const a = affinityBetween(keeper, ctx, addressBytesOf(req.a), addressBytesOf(req.b));
        return QueryAffinityResponse.encode({ affinity: a !== undefined, reason: a ?? "" }).finish();
      },
    },
  ];
}
