/**
 * @module gov genesis: params (bootstrap flag and foundation authority included), the next proposal id, and
 * every proposal, vote, deposit and execution record (SDK JSON forms); the queues are rebuilt from the proposals.
 */
import { Deposit, Proposal, ProposalStatus, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import type { Context } from "../../chain-app/context.js";
import { paramsJson } from "../../chain-app/params.js";
import { Execution } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { GovKeeper } from "./keeper.js";
import {
  depositKey,
  depositQueueKey,
  executionKey as executionKeyOf,
  MODULE_NAME,
  voteKey,
  votingQueueKey,
} from "./keys.js";
import { defaultGovParams, type GovParams, parseGovParams } from "./params.js";

export interface GovGenesis {
  params: Record<string, unknown>;
  startingProposalId: string;
  proposals: unknown[];
  votes: unknown[];
  deposits: unknown[];
  executions: unknown[];
}

export function defaultGovGenesis(): GovGenesis {
  return {
    params: paramsJson(defaultGovParams),
    startingProposalId: "1",
    proposals: [],
    votes: [],
    deposits: [],
    executions: [],
  };
}

interface Parsed {
  params: GovParams;
  next: bigint;
  proposals: Proposal[];
  votes: Vote[];
  deposits: Deposit[];
  executions: Execution[];
}

export function validateGovGenesis(raw: unknown): Parsed {
  const g = { ...defaultGovGenesis(), ...((raw ?? {}) as Partial<GovGenesis>) };
  const params = parseGovParams(g.params);
  if (typeof g.startingProposalId !== "string" || !/^[1-9][0-9]{0,18}$/.test(g.startingProposalId))
    throw new Error("gov.startingProposalId: expected a positive integer string");
  const next = BigInt(g.startingProposalId);
  const list = <T>(name: string, v: unknown, from: (x: unknown) => T): T[] => {
    if (!Array.isArray(v)) throw new Error(`gov.${name}: expected a list`);
    return v.map((x, i) => {
      try {
        return from(x);
      } catch (e) {
        throw new Error(`gov.${name}[${i}]: ${(e as Error).message}`);
      }
    });
  };
  const proposals = list("proposals", g.proposals, (x) => Proposal.fromJSON(x));
  const ids = new Set<bigint>();
  for (const [i, p] of proposals.entries()) {
    if (p.id <= 0n || p.id >= next) throw new Error(`gov.proposals[${i}].id: must be 1..startingProposalId-1`);
    if (ids.has(p.id)) throw new Error(`gov.proposals[${i}].id: duplicate ${p.id}`);
    ids.add(p.id);
  }
  const known = (what: string) => (id: bigint) => {
    if (!ids.has(id)) throw new Error(`${what}: unknown proposal ${id}`);
  };
  const votes = list("votes", g.votes, (x) => {
    const v = Vote.fromJSON(x);
    known("vote")(v.proposalId);
    addressBytesOf(v.voter);
    return v;
  });
  const deposits = list("deposits", g.deposits, (x) => {
    const d = Deposit.fromJSON(x);
    known("deposit")(d.proposalId);
    addressBytesOf(d.depositor);
    return d;
  });
  const executions = list("executions", g.executions, (x) => {
    const e = Execution.fromJSON(x);
    known("execution")(e.proposalId);
    return e;
  });
  return { params, next, proposals, votes, deposits, executions };
}

export function initGovGenesis(ctx: Context, keeper: GovKeeper, raw: unknown): void {
  const g = validateGovGenesis(raw);
  keeper.setParams(ctx, g.params);
  keeper.setNextProposalId(ctx, g.next);
  const s = ctx.moduleStore(MODULE_NAME);
  for (const p of g.proposals) {
    keeper.setProposal(ctx, p);
    if (p.status === ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD && p.depositEndTime)
      s.set(depositQueueKey(p.depositEndTime.seconds, p.id), new Uint8Array());
    if (p.status === ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD && p.votingEndTime)
      s.set(votingQueueKey(p.votingEndTime.seconds, p.id), new Uint8Array());
  }
  for (const v of g.votes) s.set(voteKey(v.proposalId, addressBytesOf(v.voter)), Vote.encode(v).finish());
  for (const d of g.deposits) s.set(depositKey(d.proposalId, addressBytesOf(d.depositor)), Deposit.encode(d).finish());
  for (const e of g.executions) s.set(executionKeyOf(e.proposalId), Execution.encode(e).finish());
}

export function exportGovGenesis(ctx: Context, keeper: GovKeeper): GovGenesis {
  const proposals = [...keeper.proposals(ctx)];
  return {
    params: paramsJson(keeper.getParams(ctx)),
    startingProposalId: keeper.nextProposalId(ctx).toString(),
    proposals: proposals.map((p) => Proposal.toJSON(p)),
    votes: proposals.flatMap((p) => [...keeper.votes(ctx, p.id)].map((v) => Vote.toJSON(v))),
    deposits: proposals.flatMap((p) => [...keeper.deposits(ctx, p.id)].map((d) => Deposit.toJSON(d))),
    executions: [...keeper.executions(ctx)].map((e) => Execution.toJSON(e)),
  };
}
