/** @module compliance queries on `/dsdn.compliance.v1.Query/<Method>`: is a pointer blocked and why, the blocked list, the decision record. */

import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { ChainError } from "../../chain-app/errors.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage, type MessageCodec } from "../../common/protobuf.js";
import {
  QueryBlockedRequest,
  QueryBlockedResponse,
  QueryBlocksRequest,
  QueryBlocksResponse,
  QueryDecisionsRequest,
  QueryDecisionsResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/compliance/v1/query.js";
import { APPEAL_PATH } from "./decide.js";
import { ComplianceErrors } from "./errors.js";
import type { ComplianceKeeper } from "./keeper.js";
import { checkPointer } from "./pointer.js";

function decode<T>(codec: MessageCodec<T>, data: Uint8Array, what: string): T {
  try {
    return decodeMessage(codec, data, what);
  } catch (e) {
    throw e instanceof ChainError ? e : ComplianceErrors.InvalidRequest.wrap((e as Error).message);
  }
}

function pageSize(keeper: ComplianceKeeper, ctx: Context, limit: number): number {
  const p = keeper.getParams(ctx);
  if (BigInt(limit) > p.maxPage) throw ComplianceErrors.InvalidRequest.wrap(`limit is at most ${p.maxPage}`);
  return limit === 0 ? Number(p.defaultPage) : limit;
}

export function complianceQueries(keeper: ComplianceKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.compliance.v1.Query/Blocked",
      handle(ctx, data) {
        const req = decode(QueryBlockedRequest, data, "QueryBlockedRequest");
        const block = keeper.getBlock(ctx, checkPointer(req.pointer));
        return QueryBlockedResponse.encode(
          block ? { blocked: true, block, appeal: APPEAL_PATH } : { blocked: false, block: undefined, appeal: "" },
        ).finish();
      },
    },
    {
      path: "/dsdn.compliance.v1.Query/Blocks",
      handle(ctx, data) {
        const req = decode(QueryBlocksRequest, data, "QueryBlocksRequest");
        const limit = pageSize(keeper, ctx, req.limit);
        const after = req.startAfter && req.startAfter.value !== "" ? checkPointer(req.startAfter) : undefined;
        // One more than asked tells whether a next page exists.
        const page = keeper.blocks(ctx, after, limit + 1);
        const blocks = page.slice(0, limit);
        return QueryBlocksResponse.encode({
          blocks,
          next: page.length > limit ? blocks.at(-1)!.pointer : undefined,
        }).finish();
      },
    },
    {
      path: "/dsdn.compliance.v1.Query/Decisions",
      handle(ctx, data) {
        const req = decode(QueryDecisionsRequest, data, "QueryDecisionsRequest");
        const pointer = req.pointer && req.pointer.value !== "" ? checkPointer(req.pointer) : undefined;
        const r = keeper.decisions(ctx, req.startId, pageSize(keeper, ctx, req.limit), pointer);
        return QueryDecisionsResponse.encode(r).finish();
      },
    },
    {
      path: "/dsdn.compliance.v1.Query/Params",
      handle(ctx, data) {
        decode(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
