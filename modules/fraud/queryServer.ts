/** @module fraud queries on `/dsdn.fraud.v1.Query/<Method>`: a game, the games on a receipt (≤ 100), params. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryGameRequest,
  QueryGameResponse,
  QueryGamesByReceiptRequest,
  QueryGamesByReceiptResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/fraud/v1/query.js";
import { FraudErrors } from "./errors.js";
import type { FraudKeeper } from "./keeper.js";

const SERVICE = "/dsdn.fraud.v1.Query";

export function fraudQueries(keeper: FraudKeeper): QueryDef[] {
  return [
    {
      path: `${SERVICE}/Params`,
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
    {
      path: `${SERVICE}/Game`,
      handle(ctx, data) {
        const req = decodeMessage(QueryGameRequest, data, "QueryGameRequest");
        const g = keeper.getGame(ctx, req.id);
        if (!g) throw FraudErrors.UnknownGame.wrap(req.id.toString());
        return QueryGameResponse.encode({ game: g }).finish();
      },
    },
    {
      path: `${SERVICE}/GamesByReceipt`,
      handle(ctx, data) {
        const req = decodeMessage(QueryGamesByReceiptRequest, data, "QueryGamesByReceiptRequest");
        if (req.receiptId.length !== 32) throw FraudErrors.InvalidReceipt.wrap("receipt_id must be 32 bytes");
        return QueryGamesByReceiptResponse.encode({ games: keeper.gamesByReceipt(ctx, req.receiptId) }).finish();
      },
    },
  ];
}
