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
        // Kept for clients: compute claims no longer wait in a queue (refused inside their window, paid at
        // once after it), so nothing is ever pending.
        decodeMessage(QueryPendingRequest, data, "QueryPendingRequest");
        return QueryPendingResponse.encode({ claims: [] }).finish();
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
