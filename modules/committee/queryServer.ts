/** @module committee queries on `/dsdn.committee.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryCandidatesRequest,
  QueryCandidatesResponse,
  QueryCommitteeRequest,
  QueryCommitteeResponse,
  QueryEpochRequest,
  QueryEpochResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QuerySeedRequestRequest,
  QuerySeedRequestResponse,
} from "../../proto/gen/dsdn/committee/v1/query.js";
import { CommitteeErrors } from "./errors.js";
import type { CommitteeKeeper } from "./keeper.js";

const SERVICE = "/dsdn.committee.v1.Query";

export function committeeQueries(keeper: CommitteeKeeper): QueryDef[] {
  return [
    {
      path: `${SERVICE}/Params`,
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
    {
      path: `${SERVICE}/Committee`,
      handle(ctx, data) {
        const req = decodeMessage(QueryCommitteeRequest, data, "QueryCommitteeRequest");
        const epoch = req.epoch === 0n ? keeper.currentEpoch(ctx) : req.epoch;
        const c = epoch > 0n ? keeper.getCommittee(ctx, epoch) : undefined;
        if (!c) throw CommitteeErrors.UnknownCommittee.wrap(`epoch ${epoch}`);
        return QueryCommitteeResponse.encode({ committee: c }).finish();
      },
    },
    {
      path: `${SERVICE}/Epoch`,
      handle(ctx, data) {
        decodeMessage(QueryEpochRequest, data, "QueryEpochRequest");
        const cur = keeper.currentEpoch(ctx);
        const c = cur > 0n ? keeper.getCommittee(ctx, cur) : undefined;
        return QueryEpochResponse.encode({
          currentEpoch: cur,
          startHeight: c?.startHeight ?? 0n,
          endHeight: c?.endHeight ?? 0n,
          handoffEndHeight: keeper.handoffEnd(ctx) ?? 0n,
          previousEpoch: cur > 1n ? cur - 1n : 0n,
        }).finish();
      },
    },
    {
      path: `${SERVICE}/Candidates`,
      handle(ctx, data) {
        decodeMessage(QueryCandidatesRequest, data, "QueryCandidatesRequest");
        return QueryCandidatesResponse.encode({ candidates: [...keeper.candidates(ctx)] }).finish();
      },
    },
    {
      path: `${SERVICE}/SeedRequest`,
      handle(ctx, data) {
        decodeMessage(QuerySeedRequestRequest, data, "QuerySeedRequestRequest");
        const r = keeper.getSeedRequest(ctx);
        return QuerySeedRequestResponse.encode({ request: r }).finish();
      },
    },
  ];
}
