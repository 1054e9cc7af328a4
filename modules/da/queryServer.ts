/** @module da queries on `/dsdn.da.v1.Query/<Method>`: blobs of a height (with bytes while retained), head, params. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { bytesEqual } from "../../common/hash.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryBlobsAtHeightRequest,
  QueryBlobsAtHeightResponse,
  QueryHeadRequest,
  QueryHeadResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/da/v1/query.js";
import { namespaceProblem } from "./commitment.js";
import { DAErrors } from "./errors.js";
import type { DAKeeper } from "./keeper.js";

export function daQueries(keeper: DAKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.da.v1.Query/BlobsAtHeight",
      handle(ctx, data) {
        const req = decodeMessage(QueryBlobsAtHeightRequest, data, "QueryBlobsAtHeightRequest");
        const problem = namespaceProblem(req.namespace);
        if (problem) throw DAErrors.InvalidNamespace.wrap(problem);
        const rows = keeper.blobsAt(ctx, req.height).filter((b) => bytesEqual(b.record.namespace, req.namespace));
        return QueryBlobsAtHeightResponse.encode({
          records: rows.map((r) => r.record),
          data: rows.map((r) => Buffer.from(r.data ?? new Uint8Array())),
          pruned: rows.some((r) => r.data === undefined),
        }).finish();
      },
    },
    {
      path: "/dsdn.da.v1.Query/Head",
      handle(ctx, data) {
        decodeMessage(QueryHeadRequest, data, "QueryHeadRequest");
        return QueryHeadResponse.encode({ height: ctx.block.height, blobCount: keeper.total(ctx) }).finish();
      },
    },
    {
      path: "/dsdn.da.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
