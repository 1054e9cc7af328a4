/**
 * @module Governance read routes wallets and explorers call, for both `/cosmos/gov/v1beta1/…` and
 * `/cosmos/gov/v1/…` (cosmos/gov/{v1,v1beta1}/query.proto gateway paths), answered by the chain's gov
 * queries of the same version and printed as the SDK's gateway prints them.
 */
import * as Q1 from "cosmjs-types/cosmos/gov/v1/query";
import * as Q0 from "cosmjs-types/cosmos/gov/v1beta1/query";
import type { FastifyInstance } from "fastify";
import { toBech32Address } from "../../../common/secp256k1.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { accountAddress, pageRequest } from "../params.js";
import { gatewayJson, scaledDec } from "../protoJson.js";
import { RestError } from "../restError.js";

type Query = Record<string, unknown>;
const STATUSES = [
  "PROPOSAL_STATUS_UNSPECIFIED",
  "PROPOSAL_STATUS_DEPOSIT_PERIOD",
  "PROPOSAL_STATUS_VOTING_PERIOD",
  "PROPOSAL_STATUS_PASSED",
  "PROPOSAL_STATUS_REJECTED",
  "PROPOSAL_STATUS_FAILED",
];

function proposalId(v: unknown): bigint {
  if (typeof v !== "string" || !/^[1-9][0-9]{0,18}$/.test(v))
    throw new RestError(3, "proposal_id: expected a positive integer");
  return BigInt(v);
}

function status(v: unknown): number {
  if (v === undefined || v === "") return 0;
  const i = STATUSES.indexOf(String(v));
  const n = /^[0-5]$/.test(String(v)) ? Number(v) : i;
  if (n < 0) throw new RestError(3, `proposal_status: expected one of ${STATUSES.join(", ")}`);
  return n;
}

const optionalAccount = (name: string, v: unknown): string =>
  v === undefined || v === "" ? "" : toBech32Address(accountAddress(name, v));

/**
 * The codecs of one API version: v1 and v1beta1 differ only in their message types, not their paths (typed as
 * v1's: the routes only encode, decode and print them).
 */
const VERSIONS = { v1: Q1, v1beta1: Q0 as unknown as typeof Q1 } as const;

export function govRoutes(app: FastifyInstance, rpc: CometRpc): void {
  for (const [version, Q] of Object.entries(VERSIONS) as [keyof typeof VERSIONS, typeof Q1][]) {
    const base = `/cosmos/gov/${version}`;
    const svc = `/cosmos.gov.${version}.Query`;
    const ask = async <Res>(method: string, reqCodec: unknown, req: object, resCodec: { toJSON(m: Res): unknown }) => {
      const { value } = await abciQuery(rpc, `${svc}/${method}`, reqCodec as never, req, resCodec as never);
      return gatewayJson(resCodec.toJSON(value as Res));
    };
    app.get<{ Querystring: Query }>(`${base}/proposals`, async (req) => {
      const page = pageRequest(req.query);
      if (page.offset > 0) throw new RestError(3, "pagination.offset: page with pagination.key");
      return ask(
        "Proposals",
        Q.QueryProposalsRequest,
        {
          proposalStatus: status(req.query.proposal_status),
          voter: optionalAccount("voter", req.query.voter),
          depositor: optionalAccount("depositor", req.query.depositor),
          pagination: { key: page.key ?? new Uint8Array(), limit: BigInt(page.limit) },
        },
        Q.QueryProposalsResponse,
      );
    });
    app.get<{ Params: { id: string } }>(`${base}/proposals/:id`, async (req) =>
      ask("Proposal", Q.QueryProposalRequest, { proposalId: proposalId(req.params.id) }, Q.QueryProposalResponse),
    );
    app.get<{ Params: { id: string } }>(`${base}/proposals/:id/votes`, async (req) =>
      ask("Votes", Q.QueryVotesRequest, { proposalId: proposalId(req.params.id) }, Q.QueryVotesResponse),
    );
    app.get<{ Params: { id: string; voter: string } }>(`${base}/proposals/:id/votes/:voter`, async (req) =>
      ask(
        "Vote",
        Q.QueryVoteRequest,
        { proposalId: proposalId(req.params.id), voter: toBech32Address(accountAddress("voter", req.params.voter)) },
        Q.QueryVoteResponse,
      ),
    );
    app.get<{ Params: { id: string } }>(`${base}/proposals/:id/deposits`, async (req) =>
      ask("Deposits", Q.QueryDepositsRequest, { proposalId: proposalId(req.params.id) }, Q.QueryDepositsResponse),
    );
    app.get<{ Params: { id: string; depositor: string } }>(`${base}/proposals/:id/deposits/:depositor`, async (req) =>
      ask(
        "Deposit",
        Q.QueryDepositRequest,
        {
          proposalId: proposalId(req.params.id),
          depositor: toBech32Address(accountAddress("depositor", req.params.depositor)),
        },
        Q.QueryDepositResponse,
      ),
    );
    app.get<{ Params: { id: string } }>(`${base}/proposals/:id/tally`, async (req) =>
      ask(
        "TallyResult",
        Q.QueryTallyResultRequest,
        { proposalId: proposalId(req.params.id) },
        Q.QueryTallyResultResponse,
      ),
    );
    app.get<{ Params: { type: string } }>(`${base}/params/:type`, async (req) => {
      if (!["voting", "deposit", "tallying"].includes(req.params.type))
        throw new RestError(3, "params_type: expected voting, deposit or tallying");
      const r = (await ask("Params", Q.QueryParamsRequest, { paramsType: req.params.type }, Q.QueryParamsResponse)) as {
        tally_params?: Record<string, string>;
      };
      // v1beta1 carries tally ratios as LegacyDec bytes (the scaled integer's text); the gateway prints decimals.
      if (version === "v1beta1" && r.tally_params)
        for (const k of ["quorum", "threshold", "veto_threshold"]) {
          const text = Buffer.from(r.tally_params[k] ?? "", "base64").toString("utf8");
          r.tally_params[k] = text === "" ? "0.000000000000000000" : scaledDec(text);
        }
      return r;
    });
  }
}
