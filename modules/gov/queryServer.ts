/**
 * @module gov queries: `/cosmos.gov.v1.Query/*` and `/cosmos.gov.v1beta1.Query/*` (Proposal, Proposals, Vote,
 * Votes, Params, Deposit, Deposits, TallyResult) over the same state, plus DSDN's bootstrap view
 * (`/dsdn.gov.v1.Query/Execution`, `/dsdn.gov.v1.Query/Params`). Lists are paged by proposal id / bounded.
 */
import { ProposalStatus } from "cosmjs-types/cosmos/gov/v1/gov";
import * as Q1 from "cosmjs-types/cosmos/gov/v1/query";
import * as Q0 from "cosmjs-types/cosmos/gov/v1beta1/query";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, readU64be, u64be } from "../../chain-app/encoding.js";
import { SdkErrors } from "../../chain-app/errors.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryExecutionRequest,
  QueryExecutionResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/gov/v1/gov.js";
import { addressBytesOf } from "../auth/keeper.js";
import { GovErrors } from "./errors.js";
import { type GovKeeper, tallyResult } from "./keeper.js";
import { legacyDec, legacyProposal, legacyTally, legacyVote, ppmToDec } from "./legacy.js";

const MAX_PAGE = 100n;
const MAX_LIST = 500;

interface Page {
  key: Uint8Array;
  limit: bigint;
}

/** Proposals filtered as the SDK filters them, from the page key (a proposal id), at most `limit`. */
function listProposals(
  ctx: Context,
  k: GovKeeper,
  f: { status: number; voter: string; depositor: string },
  page: Page | undefined,
) {
  const limit = page && page.limit > 0n && page.limit < MAX_PAGE ? page.limit : MAX_PAGE;
  const start = page && page.key.length === 8 ? readU64be(page.key) : 0n;
  const out = [];
  let nextKey: Uint8Array = new Uint8Array();
  let scanned = 0;
  for (const p of k.proposals(ctx, start)) {
    if (BigInt(out.length) >= limit) {
      nextKey = u64be(p.id);
      break;
    }
    // A filter scans at most MAX_LIST proposals per call; the page key lets the client go on.
    if (++scanned > MAX_LIST) {
      nextKey = u64be(p.id);
      break;
    }
    if (f.status !== ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED && p.status !== f.status) continue;
    if (f.voter && !k.getVote(ctx, p.id, f.voter)) continue;
    if (f.depositor && !k.getDeposit(ctx, p.id, f.depositor)) continue;
    out.push(p);
  }
  return { proposals: out, pagination: { nextKey, total: 0n } };
}

/** The live tally of a proposal in its voting period, else the final one (as the SDK's TallyResult query). */
function currentTally(ctx: Context, k: GovKeeper, id: bigint) {
  const p = mustFind(k, ctx, id);
  if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD) return tallyResult(k.tally(ctx, id).tally);
  return p.finalTallyResult ?? tallyResult({ yes: 0n, abstain: 0n, no: 0n, veto: 0n });
}

/** An unknown proposal is NotFound (sdk/22), as the SDK's gRPC query answers it, so REST gives a 404. */
function mustFind(k: GovKeeper, ctx: Context, id: bigint) {
  const p = k.getProposal(ctx, id);
  if (!p) throw SdkErrors.KeyNotFound.wrap(`proposal ${id} doesn't exist`);
  return p;
}

const cap = <T>(it: Iterable<T>): T[] => {
  const out: T[] = [];
  for (const x of it) {
    if (out.length >= MAX_LIST) break;
    out.push(x);
  }
  return out;
};

export function govQueries(k: GovKeeper): QueryDef[] {
  const v1 = "/cosmos.gov.v1.Query";
  const v0 = "/cosmos.gov.v1beta1.Query";
  const params = (ctx: Context) => k.getParams(ctx);
  const duration = (s: bigint) => ({ seconds: s, nanos: 0 });
  const mustVote = (ctx: Context, id: bigint, voter: string) => {
    mustFind(k, ctx, id);
    const v = k.getVote(ctx, id, voter);
    if (!v) throw SdkErrors.KeyNotFound.wrap(`voter: ${voter} not found for proposal: ${id}`);
    return v;
  };
  const mustDeposit = (ctx: Context, id: bigint, depositor: string) => {
    mustFind(k, ctx, id);
    const d = k.getDeposit(ctx, id, depositor);
    if (!d) throw SdkErrors.KeyNotFound.wrap(`depositer: ${depositor} not found for proposal: ${id}`);
    return d;
  };
  return [
    // ---- v1 ----
    {
      path: `${v1}/Proposal`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryProposalRequest, data, "QueryProposalRequest");
        return Q1.QueryProposalResponse.encode({ proposal: mustFind(k, ctx, req.proposalId) }).finish();
      },
    },
    {
      path: `${v1}/Proposals`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryProposalsRequest, data, "QueryProposalsRequest");
        const r = listProposals(
          ctx,
          k,
          { status: req.proposalStatus, voter: req.voter, depositor: req.depositor },
          req.pagination,
        );
        return Q1.QueryProposalsResponse.encode(r).finish();
      },
    },
    {
      path: `${v1}/Vote`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryVoteRequest, data, "QueryVoteRequest");
        addressBytesOf(req.voter);
        return Q1.QueryVoteResponse.encode({ vote: mustVote(ctx, req.proposalId, req.voter) }).finish();
      },
    },
    {
      path: `${v1}/Votes`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryVotesRequest, data, "QueryVotesRequest");
        mustFind(k, ctx, req.proposalId);
        return Q1.QueryVotesResponse.encode({ votes: cap(k.votes(ctx, req.proposalId)) }).finish();
      },
    },
    {
      path: `${v1}/Params`,
      handle(ctx, data) {
        decodeMessage(Q1.QueryParamsRequest, data, "QueryParamsRequest");
        const p = params(ctx);
        const minDeposit = [{ denom: p.depositDenom, amount: p.minDeposit.toString() }];
        const tally = {
          quorum: ppmToDec(p.quorumPpm),
          threshold: ppmToDec(p.thresholdPpm),
          vetoThreshold: ppmToDec(p.vetoThresholdPpm),
        };
        return Q1.QueryParamsResponse.encode({
          votingParams: { votingPeriod: duration(p.votingPeriodSeconds) },
          depositParams: { minDeposit, maxDepositPeriod: duration(p.maxDepositPeriodSeconds) },
          tallyParams: tally,
          params: {
            minDeposit,
            maxDepositPeriod: duration(p.maxDepositPeriodSeconds),
            votingPeriod: duration(p.votingPeriodSeconds),
            ...tally,
            minInitialDepositRatio: "0.000000000000000000",
            proposalCancelRatio: "0.000000000000000000",
            proposalCancelDest: "",
            expeditedVotingPeriod: duration(p.votingPeriodSeconds),
            expeditedThreshold: ppmToDec(p.thresholdPpm),
            expeditedMinDeposit: minDeposit,
            burnVoteQuorum: false,
            burnProposalDepositPrevote: false,
            burnVoteVeto: false,
            minDepositRatio: "0.000000000000000000",
          },
        }).finish();
      },
    },
    {
      path: `${v1}/Deposit`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryDepositRequest, data, "QueryDepositRequest");
        addressBytesOf(req.depositor);
        return Q1.QueryDepositResponse.encode({ deposit: mustDeposit(ctx, req.proposalId, req.depositor) }).finish();
      },
    },
    {
      path: `${v1}/Deposits`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryDepositsRequest, data, "QueryDepositsRequest");
        mustFind(k, ctx, req.proposalId);
        return Q1.QueryDepositsResponse.encode({ deposits: cap(k.deposits(ctx, req.proposalId)) }).finish();
      },
    },
    {
      path: `${v1}/TallyResult`,
      handle(ctx, data) {
        const req = decodeMessage(Q1.QueryTallyResultRequest, data, "QueryTallyResultRequest");
        return Q1.QueryTallyResultResponse.encode({ tally: currentTally(ctx, k, req.proposalId) }).finish();
      },
    },
    // ---- v1beta1 ----
    {
      path: `${v0}/Proposal`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryProposalRequest, data, "QueryProposalRequest");
        return Q0.QueryProposalResponse.encode({
          proposal: legacyProposal(mustFind(k, ctx, req.proposalId)),
        }).finish();
      },
    },
    {
      path: `${v0}/Proposals`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryProposalsRequest, data, "QueryProposalsRequest");
        const r = listProposals(
          ctx,
          k,
          { status: req.proposalStatus, voter: req.voter, depositor: req.depositor },
          req.pagination,
        );
        return Q0.QueryProposalsResponse.encode({
          proposals: r.proposals.map(legacyProposal),
          pagination: r.pagination,
        }).finish();
      },
    },
    {
      path: `${v0}/Vote`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryVoteRequest, data, "QueryVoteRequest");
        addressBytesOf(req.voter);
        return Q0.QueryVoteResponse.encode({ vote: legacyVote(mustVote(ctx, req.proposalId, req.voter)) }).finish();
      },
    },
    {
      path: `${v0}/Votes`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryVotesRequest, data, "QueryVotesRequest");
        mustFind(k, ctx, req.proposalId);
        return Q0.QueryVotesResponse.encode({ votes: cap(k.votes(ctx, req.proposalId)).map(legacyVote) }).finish();
      },
    },
    {
      path: `${v0}/Params`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryParamsRequest, data, "QueryParamsRequest");
        const p = params(ctx);
        const enc = new TextEncoder();
        const d = (ppm: bigint) => enc.encode(legacyDec(ppmToDec(ppm)));
        const empty = { votingPeriod: duration(0n) };
        const res = {
          votingParams: req.paramsType === "voting" ? { votingPeriod: duration(p.votingPeriodSeconds) } : empty,
          depositParams:
            req.paramsType === "deposit"
              ? {
                  minDeposit: [{ denom: p.depositDenom, amount: p.minDeposit.toString() }],
                  maxDepositPeriod: duration(p.maxDepositPeriodSeconds),
                }
              : { minDeposit: [], maxDepositPeriod: duration(0n) },
          tallyParams:
            req.paramsType === "tallying"
              ? { quorum: d(p.quorumPpm), threshold: d(p.thresholdPpm), vetoThreshold: d(p.vetoThresholdPpm) }
              : { quorum: new Uint8Array(), threshold: new Uint8Array(), vetoThreshold: new Uint8Array() },
        };
        if (!["voting", "deposit", "tallying"].includes(req.paramsType))
          throw SdkErrors.InvalidRequest.wrap(`${req.paramsType} is not a valid parameter type`);
        return Q0.QueryParamsResponse.encode(res).finish();
      },
    },
    {
      path: `${v0}/Deposit`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryDepositRequest, data, "QueryDepositRequest");
        addressBytesOf(req.depositor);
        return Q0.QueryDepositResponse.encode({ deposit: mustDeposit(ctx, req.proposalId, req.depositor) }).finish();
      },
    },
    {
      path: `${v0}/Deposits`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryDepositsRequest, data, "QueryDepositsRequest");
        mustFind(k, ctx, req.proposalId);
        return Q0.QueryDepositsResponse.encode({ deposits: cap(k.deposits(ctx, req.proposalId)) }).finish();
      },
    },
    {
      path: `${v0}/TallyResult`,
      handle(ctx, data) {
        const req = decodeMessage(Q0.QueryTallyResultRequest, data, "QueryTallyResultRequest");
        return Q0.QueryTallyResultResponse.encode({
          tally: legacyTally(currentTally(ctx, k, req.proposalId)),
        }).finish();
      },
    },
    // ---- DSDN bootstrap view ----
    {
      path: "/dsdn.gov.v1.Query/Execution",
      handle(ctx, data) {
        const req = decodeMessage(QueryExecutionRequest, data, "QueryExecutionRequest");
        mustFind(k, ctx, req.proposalId);
        const execution = k.getExecution(ctx, req.proposalId);
        if (!execution)
          throw GovErrors.NotAwaitingFoundation.wrap(`proposal ${req.proposalId} has no execution record`);
        return QueryExecutionResponse.encode({ execution }).finish();
      },
    },
    {
      path: "/dsdn.gov.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(params(ctx)) }).finish();
      },
    },
  ];
}
