/**
 * @module `dsdnd tx gov …` and `dsdnd query gov …`: param-change proposals, votes, deposits, the foundation's
 * approve/veto, and proposal queries (CosmJS's gov extension over `/cosmos.gov.v1beta1`, plus DSDN's
 * execution record).
 */

import { QueryClient, setupGovExtension } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { MsgDeposit, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import {
  ProposalStatus,
  proposalStatusToJSON,
  VoteOption,
  voteOptionToJSON,
} from "cosmjs-types/cosmos/gov/v1beta1/gov";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { outputOption, toJson } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { executionStatusToJSON } from "../../../proto/gen/dsdn/gov/v1/gov.js";
import { blockPointerMsg, cidPointer, routePointer, unblockPointerMsg } from "../../sdk/compliance.js";
import {
  foundationApproveMsg,
  foundationVetoMsg,
  paramChangeProposalMsg,
  setupDsdnGovExtension,
} from "../../sdk/gov.js";
import { nodeOption } from "../home.js";
import { broadcast, parseUnusa } from "./stake.js";
import { txOptions } from "./tx.js";

const proposalId = (text: string | undefined): bigint => {
  if (!text || !/^[1-9][0-9]{0,18}$/.test(text))
    throw new InvalidArgumentError("<proposal-id> must be a positive integer");
  return BigInt(text);
};

const OPTIONS: Record<string, VoteOption> = {
  yes: VoteOption.VOTE_OPTION_YES,
  no: VoteOption.VOTE_OPTION_NO,
  abstain: VoteOption.VOTE_OPTION_ABSTAIN,
  no_with_veto: VoteOption.VOTE_OPTION_NO_WITH_VETO,
};

/** The compliance pointers a proposal blocks or unblocks (the appeal path), from the --block-…/--unblock-… flags. */
function complianceMessages(values: Record<string, unknown>) {
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === "string" ? [v] : []);
  const msgs = [
    ...list(values["block-cid"]).map((v) => ["block", cidPointer(v)] as const),
    ...list(values["block-route"]).map((v) => ["block", routePointer(v)] as const),
    ...list(values["unblock-cid"]).map((v) => ["unblock", cidPointer(v)] as const),
    ...list(values["unblock-route"]).map((v) => ["unblock", routePointer(v)] as const),
  ];
  if (msgs.length > 0 && typeof values.reason !== "string")
    throw new InvalidArgumentError("--reason is required to block or unblock (the chain records why)");
  return msgs.map(([action, p]) =>
    action === "block" ? blockPointerMsg(p, String(values.reason)) : unblockPointerMsg(p, String(values.reason)),
  );
}

const submitProposal: Command = {
  summary:
    "propose a param change of one module, or to block/unblock a CID or ingress route (validators only; --text for advisory text)",
  usage:
    "<from> (--module NAME --changes JSON | --block-cid CID | --block-route /PATH | --unblock-cid CID | --unblock-route /PATH --reason WHY | --text) --title T [--summary S] [--deposit unusa] [--node URL]",
  options: {
    ...txOptions,
    module: { type: "string" },
    changes: { type: "string" },
    "block-cid": { type: "string", multiple: true },
    "block-route": { type: "string", multiple: true },
    "unblock-cid": { type: "string", multiple: true },
    "unblock-route": { type: "string", multiple: true },
    reason: { type: "string" },
    text: { type: "boolean" },
    title: { type: "string" },
    summary: { type: "string" },
    deposit: { type: "string" },
  },
  async run({ positionals, values, out }) {
    const from = positionals[0];
    if (!from)
      throw new InvalidArgumentError(
        "usage: dsdnd tx gov submit-proposal <from> --module NAME --changes JSON --title T",
      );
    if (!values.title) throw new InvalidArgumentError("--title is required");
    let changes: Record<string, unknown> | undefined;
    const extraMessages = complianceMessages(values);
    if (!values.text && (extraMessages.length === 0 || values.module || values.changes)) {
      if (!values.module || !values.changes)
        throw new InvalidArgumentError("--module and --changes are required (or --block-…/--unblock-…, or --text)");
      try {
        changes = JSON.parse(String(values.changes));
      } catch {
        throw new InvalidArgumentError('--changes must be a JSON object, e.g. \'{"maxEntries":"9"}\'');
      }
    }
    const deposit = values.deposit ? parseUnusa(String(values.deposit)) : 0n;
    return broadcast(values, out, from, (proposer) => [
      paramChangeProposalMsg({
        proposer,
        title: String(values.title),
        summary: String(values.summary ?? ""),
        deposit,
        ...(values.text || !values.module ? {} : { module: String(values.module) }),
        ...(changes ? { changes } : {}),
        extraMessages,
      }),
    ]);
  },
};

const vote: Command = {
  summary: "vote on a proposal in its voting period (validators only; weight = voting power)",
  usage: "<from> <proposal-id> <yes|no|abstain|no_with_veto> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, id, option] = positionals;
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx gov vote <from> <proposal-id> <option>");
    const pid = proposalId(id);
    const o = OPTIONS[String(option).toLowerCase()];
    if (o === undefined) throw new InvalidArgumentError(`option must be one of ${Object.keys(OPTIONS).join(", ")}`);
    return broadcast(values, out, from, (voter) => [
      {
        typeUrl: "/cosmos.gov.v1.MsgVote",
        value: MsgVote.fromPartial({ proposalId: pid, voter, option: o as number }),
      },
    ]);
  },
};

const deposit: Command = {
  summary: "add to a proposal's deposit (refunded when the proposal ends)",
  usage: "<from> <proposal-id> <amount> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, id, amount] = positionals;
    if (!from || !amount) throw new InvalidArgumentError("usage: dsdnd tx gov deposit <from> <proposal-id> <amount>");
    const pid = proposalId(id);
    const a = parseUnusa(amount);
    return broadcast(values, out, from, (depositor) => [
      {
        typeUrl: "/cosmos.gov.v1.MsgDeposit",
        value: MsgDeposit.fromPartial({
          proposalId: pid,
          depositor,
          amount: [{ denom: "unusa", amount: a.toString() }],
        }),
      },
    ]);
  },
};

const foundationApprove: Command = {
  summary: "the foundation authority approves a passed proposal: its param changes apply now",
  usage: "<from> <proposal-id> [--node URL]",
  options: txOptions,
  async run({ positionals, values, out }) {
    const [from, id] = positionals;
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx gov foundation-approve <from> <proposal-id>");
    const pid = proposalId(id);
    return broadcast(values, out, from, (signer) => [foundationApproveMsg(signer, pid)]);
  },
};

const foundationVeto: Command = {
  summary: "the foundation authority vetoes a proposal that has not executed",
  usage: "<from> <proposal-id> [--reason TEXT] [--node URL]",
  options: { ...txOptions, reason: { type: "string" } },
  async run({ positionals, values, out }) {
    const [from, id] = positionals;
    if (!from) throw new InvalidArgumentError("usage: dsdnd tx gov foundation-veto <from> <proposal-id>");
    const pid = proposalId(id);
    return broadcast(values, out, from, (signer) => [foundationVetoMsg(signer, pid, String(values.reason ?? ""))]);
  },
};

export const govTx: CommandGroup = {
  summary: "governance transactions",
  commands: {
    "submit-proposal": async () => submitProposal,
    vote: async () => vote,
    deposit: async () => deposit,
    "foundation-approve": async () => foundationApprove,
    "foundation-veto": async () => foundationVeto,
  },
};

// ---- queries -----------------------------------------------------------------------------------

const qopts = { ...nodeOption, ...outputOption };

async function withGov<T>(
  values: Record<string, unknown>,
  fn: (q: QueryClient & ReturnType<typeof setupGovExtension> & ReturnType<typeof setupDsdnGovExtension>) => Promise<T>,
): Promise<T> {
  const comet = await connectComet(String(values.node));
  try {
    return await fn(QueryClient.withExtensions(comet, setupGovExtension, setupDsdnGovExtension));
  } finally {
    comet.disconnect();
  }
}

const STATUSES: Record<string, ProposalStatus> = {
  deposit: ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD,
  voting: ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD,
  passed: ProposalStatus.PROPOSAL_STATUS_PASSED,
  rejected: ProposalStatus.PROPOSAL_STATUS_REJECTED,
  failed: ProposalStatus.PROPOSAL_STATUS_FAILED,
};

const proposals: Command = {
  summary: "proposals (optionally by status: deposit|voting|passed|rejected|failed)",
  usage: "[--status S] [--node URL] [-o json]",
  options: { ...qopts, status: { type: "string" } },
  run: ({ values, out }) =>
    withGov(values, async (q) => {
      const s = values.status ? STATUSES[String(values.status)] : ProposalStatus.PROPOSAL_STATUS_UNSPECIFIED;
      if (s === undefined)
        throw new InvalidArgumentError(`--status must be one of ${Object.keys(STATUSES).join(", ")}`);
      const r = await q.gov.proposals(s, "", "");
      const rows = r.proposals.map((p) => ({
        id: p.proposalId.toString(),
        status: proposalStatusToJSON(p.status),
        content: p.content?.typeUrl ?? "",
        votingEndTime: p.votingEndTime.seconds.toString(),
        finalTally: p.finalTallyResult,
      }));
      if (values.output === "json") out(toJson(rows));
      else out(rows.map((p) => `${p.id}\t${p.status}\t${p.content}`).join("\n") || "no proposals");
      return 0;
    }),
};

const proposal: Command = {
  summary: "one proposal, its tally and its bootstrap execution record",
  usage: "<proposal-id> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withGov(values, async (q) => {
      const id = proposalId(positionals[0]);
      const p = (await q.gov.proposal(id.toString())).proposal;
      const tally = (await q.gov.tally(id.toString())).tally;
      const execution = await q.dsdnGov.execution(id).catch(() => undefined);
      const json = {
        id: p.proposalId.toString(),
        status: proposalStatusToJSON(p.status),
        content: p.content?.typeUrl ?? "",
        submitTime: p.submitTime.seconds.toString(),
        votingEndTime: p.votingEndTime.seconds.toString(),
        totalDeposit: p.totalDeposit,
        tally,
        execution: execution
          ? {
              status: executionStatusToJSON(execution.status),
              height: execution.height.toString(),
              reason: execution.reason,
            }
          : null,
      };
      out(toJson(json, values.output === "json" ? undefined : 2));
      return 0;
    }),
};

const votes: Command = {
  summary: "votes on a proposal (kept until it is tallied)",
  usage: "<proposal-id> [--node URL] [-o json]",
  options: qopts,
  run: ({ positionals, values, out }) =>
    withGov(values, async (q) => {
      const r = await q.gov.votes(proposalId(positionals[0]).toString());
      const rows = r.votes.map((v) => ({ voter: v.voter, option: voteOptionToJSON(v.options[0]?.option ?? v.option) }));
      if (values.output === "json") out(toJson(rows));
      else out(rows.map((v) => `${v.voter}\t${v.option}`).join("\n") || "no votes");
      return 0;
    }),
};

export const govQuery: CommandGroup = {
  summary: "governance queries",
  commands: { proposals: async () => proposals, proposal: async () => proposal, votes: async () => votes },
};
