import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as Q1 from "cosmjs-types/cosmos/gov/v1/query";
import { MsgDeposit, MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import * as Q0 from "cosmjs-types/cosmos/gov/v1beta1/query";
import { MsgSubmitProposal as MsgSubmitProposalV0, MsgVote as MsgVoteV0 } from "cosmjs-types/cosmos/gov/v1beta1/tx";
import { ParameterChangeProposal } from "cosmjs-types/cosmos/params/v1beta1/params";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  ExecutionStatus,
  MsgFoundationApprove,
  MsgFoundationVeto,
  MsgParamChange,
  QueryExecutionRequest,
  QueryExecutionResponse,
} from "../../proto/gen/dsdn/gov/v1/gov.js";
import * as NodesQ from "../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryParamsRequest, QueryParamsResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import { createValidatorMsg, NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";

const [a, b, c, user, foundation] = ["e1", "e2", "e3", "e4", "e5"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const [A, B, C, USER, F] = [a, b, c, user, foundation].map((k) => addressOf(k!)) as string[] as [
  string,
  string,
  string,
  string,
  string,
];
const GOV = moduleAddress(ModuleAccount.Gov);
const VOTING = 20n;
const FEE = 10_000n;

const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

/** Validators A (power 10), B (30), C (7): total 47. */
function start(): TestChain {
  const ch = TestChain.start({
    balances: [A, B, C, USER, F].map((address) => ({ address, amount: 1_000_000n * NUSA })),
    appState: {
      stake: { params: { minValidatorSelfBond: (1n * NUSA).toString() } },
      gov: {
        params: {
          foundation: F,
          votingPeriodSeconds: VOTING.toString(),
          minDeposit: "1000",
          maxDepositPeriodSeconds: "50",
          maxDepositors: "2",
        },
      },
    },
  });
  chains.push(ch);
  ch.block();
  for (const [k, addr, n] of [
    [a, A, 10n],
    [b, B, 30n],
    [c, C, 7n],
  ] as const)
    expect(ch.exec(k, [createValidatorMsg(addr, ed25519KeyPair().publicKey, n * NUSA)]).code).toBe(0);
  return ch;
}

const change = (module: string, params: unknown, authority = GOV): Any =>
  packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, { authority, module, paramsJson: JSON.stringify(params) });
const submit = (proposer: string, messages: Any[], deposit = 1000n) =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages,
    initialDeposit: deposit > 0n ? [{ denom: "unusa", amount: deposit.toString() }] : [],
    proposer,
    title: "change params",
    summary: "why",
    metadata: "",
  });
const vote = (voter: string, id: bigint, option: VoteOption) =>
  packAny("/cosmos.gov.v1.MsgVote", MsgVote, { proposalId: id, voter, option, metadata: "" });
const approve = (signer: string, id: bigint) =>
  packAny("/dsdn.gov.v1.MsgFoundationApprove", MsgFoundationApprove, { signer, proposalId: id });
const veto = (signer: string, id: bigint, reason = "no") =>
  packAny("/dsdn.gov.v1.MsgFoundationVeto", MsgFoundationVeto, { signer, proposalId: id, reason });

const proposal = (ch: TestChain, id: bigint) =>
  ch.query("/cosmos.gov.v1.Query/Proposal", Q1.QueryProposalRequest, { proposalId: id }, Q1.QueryProposalResponse)
    .proposal!;
const execution = (ch: TestChain, id: bigint) =>
  ch.query("/dsdn.gov.v1.Query/Execution", QueryExecutionRequest, { proposalId: id }, QueryExecutionResponse)
    .execution!;
const stakeParams = (ch: TestChain) =>
  JSON.parse(ch.query("/dsdn.stake.v1.Query/Params", QueryParamsRequest, {}, QueryParamsResponse).paramsJson) as Record<
    string,
    string
  >;
const endVoting = (ch: TestChain) => ch.block([], { dt: VOTING + 1n });

function passProposal(ch: TestChain, messages: Any[]): bigint {
  const r = ch.exec(a, [submit(A, messages)]);
  expect(r.code, r.log).toBe(0);
  const id = BigInt(
    r.events!.find((e) => e.type === "submit_proposal")!.attributes.find((x) => x.key === "proposal_id")!.value,
  );
  expect(ch.exec(b, [vote(B, id, VoteOption.VOTE_OPTION_YES)]).code).toBe(0);
  endVoting(ch);
  expect(proposal(ch, id).status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
  return id;
}

describe("bootstrap governance", () => {
  it("a passed param change waits for the foundation, then applies; only the foundation can approve", () => {
    const ch = start();
    const before = stakeParams(ch).maxEntries;
    const aBal = ch.balance(A);
    const r = ch.exec(a, [submit(A, [change("stake", { maxEntries: "9" })])]);
    expect(r.code, r.log).toBe(0);
    expect(ch.balance(A)).toBe(aBal - 1000n - FEE); // deposit in escrow
    expect(proposal(ch, 1n).status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    // Power-weighted votes: B 30 yes, A 10 no, C 7 abstain.
    expect(ch.exec(b, [vote(B, 1n, VoteOption.VOTE_OPTION_YES)]).code).toBe(0);
    expect(ch.exec(a, [vote(A, 1n, VoteOption.VOTE_OPTION_NO)]).code).toBe(0);
    expect(ch.exec(c, [vote(C, 1n, VoteOption.VOTE_OPTION_ABSTAIN)]).code).toBe(0);
    expect(ch.exec(user, [vote(USER, 1n, VoteOption.VOTE_OPTION_YES)])).toMatchObject({ code: 100, codespace: "gov" });
    const live = ch.query(
      "/cosmos.gov.v1.Query/TallyResult",
      Q1.QueryTallyResultRequest,
      { proposalId: 1n },
      Q1.QueryTallyResultResponse,
    );
    expect(live.tally).toEqual({ yesCount: "30", noCount: "10", abstainCount: "7", noWithVetoCount: "0" });
    endVoting(ch);
    const p = proposal(ch, 1n);
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_PASSED);
    expect(p.finalTallyResult).toEqual(live.tally);
    expect(ch.balance(A)).toBe(aBal - 2n * FEE); // deposit refunded: no governance slashing
    expect(execution(ch, 1n).status).toBe(ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION);
    expect(stakeParams(ch).maxEntries).toBe(before); // advisory until approved
    for (const [k, addr] of [
      [user, USER],
      [b, B],
    ] as const)
      expect(ch.exec(k, [approve(addr, 1n)])).toMatchObject({ code: 101, codespace: "gov" });
    expect(stakeParams(ch).maxEntries).toBe(before);
    expect(ch.exec(foundation, [approve(F, 1n)]).code).toBe(0);
    expect(stakeParams(ch).maxEntries).toBe("9");
    expect(execution(ch, 1n).status).toBe(ExecutionStatus.EXECUTION_STATUS_EXECUTED);
    expect(ch.exec(foundation, [approve(F, 1n)])).toMatchObject({ code: 102, codespace: "gov" });
  });

  it("the scheduler weights (nodes params) change only through a passed proposal, validated by the module", () => {
    const ch = start();
    const nodesParams = () =>
      JSON.parse(
        ch.query("/dsdn.nodes.v1.Query/Params", NodesQ.QueryParamsRequest, {}, NodesQ.QueryParamsResponse).paramsJson,
      ) as Record<string, string>;
    expect(nodesParams().schedulerWeightCpu).toBe("3");
    const bad = ch.exec(a, [submit(A, [change("nodes", { schedulerWeightCpu: "1000000" })])]);
    expect(bad.code, bad.log).toBe(12);
    expect(bad.log).toMatch(/nodes\.params\.schedulerWeightCpu: must be 0\.\.999999/);
    expect(ch.exec(a, [change("nodes", { schedulerWeightCpu: "9" }, A)])).toMatchObject({ code: 2 });
    const id = passProposal(ch, [change("nodes", { schedulerWeightCpu: "9", schedulerWeightStake: "0" })]);
    expect(ch.exec(foundation, [approve(F, id)]).code).toBe(0);
    expect(nodesParams()).toMatchObject({
      schedulerWeightCpu: "9",
      schedulerWeightStake: "0",
      schedulerWeightRam: "2",
    });
  });

  it("a vetoed proposal never applies, whether vetoed while voting or after passing", () => {
    const ch = start();
    const id = passProposal(ch, [change("stake", { maxEntries: "11" })]);
    expect(ch.exec(foundation, [veto(F, id, "too soon")]).code).toBe(0);
    expect(proposal(ch, id)).toMatchObject({
      status: ProposalStatus.PROPOSAL_STATUS_REJECTED,
      failedReason: "vetoed by the foundation: too soon",
    });
    expect(execution(ch, id).status).toBe(ExecutionStatus.EXECUTION_STATUS_VETOED);
    expect(ch.exec(foundation, [approve(F, id)])).toMatchObject({ code: 102 });
    expect(stakeParams(ch).maxEntries).toBe("7");
    // Vetoed during voting: ends at once, deposit back, never tallied into a pass.
    const bBal = ch.balance(B);
    expect(ch.exec(b, [submit(B, [change("stake", { maxEntries: "12" })])]).code).toBe(0);
    expect(ch.exec(user, [veto(USER, 2n)])).toMatchObject({ code: 101 });
    expect(ch.exec(foundation, [veto(F, 2n)]).code).toBe(0);
    expect(ch.balance(B)).toBe(bBal - FEE);
    expect(ch.exec(b, [vote(B, 2n, VoteOption.VOTE_OPTION_YES)])).toMatchObject({ code: 3 });
    endVoting(ch);
    expect(proposal(ch, 2n).status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
    expect(stakeParams(ch).maxEntries).toBe("7");
  });

  it("refuses bad proposals at submission: the module's own validation, unknown fields, modules and authorities", () => {
    const ch = start();
    const cases: [Any[], number, RegExp][] = [
      [[change("stake", { maxEntries: "0" })], 12, /stake\.params\.maxEntries: must be >= 1/],
      [[change("receipts", { nodeSharePpm: "900000" })], 12, /receipts\.params/],
      [[change("stake", { maxEntriez: "3" })], 12, /stake\.params\.maxEntriez: no such param/],
      [[change("nope", { x: "1" })], 12, /module "nope" has no params/],
      [[change("stake", { maxEntries: "3" }, USER)], 13, /authority/],
      [[packAny("/dsdn.gov.v1.MsgFoundationVeto", MsgFoundationVeto, { signer: F, proposalId: 1n })], 12, /is not a/],
    ];
    for (const [msgs, code, log] of cases) {
      const r = ch.exec(a, [submit(A, msgs)]);
      expect(r.code, r.log).toBe(code);
      expect(r.log).toMatch(log);
    }
    // A param change is never a tx message of its own: only a proposal executes it.
    expect(ch.exec(a, [change("stake", { maxEntries: "3" }, A)])).toMatchObject({ code: 2, codespace: "sdk" });
    expect(stakeParams(ch).maxEntries).toBe("7");
    // Only a bonded validator's operator proposes.
    expect(ch.exec(user, [submit(USER, [change("stake", { maxEntries: "3" })])])).toMatchObject({ code: 18 });
    expect(ch.exec(a, [submit(A, [])]).code).toBe(0); // a text proposal: advisory
  });

  it("deposits: below the minimum waits, reaching it starts voting, expiry refunds", () => {
    const ch = start();
    expect(ch.exec(a, [submit(A, [change("stake", { maxEntries: "8" })], 400n)]).code).toBe(0);
    expect(proposal(ch, 1n).status).toBe(ProposalStatus.PROPOSAL_STATUS_DEPOSIT_PERIOD);
    const dep = (amount: bigint) =>
      packAny("/cosmos.gov.v1.MsgDeposit", MsgDeposit, {
        proposalId: 1n,
        depositor: USER,
        amount: [{ denom: "unusa", amount: amount.toString() }],
      });
    expect(ch.exec(user, [dep(600n)]).code).toBe(0);
    expect(proposal(ch, 1n).status).toBe(ProposalStatus.PROPOSAL_STATUS_VOTING_PERIOD);
    // Depositors are bounded (each is refunded in an end block): a third is refused, a known one may add.
    const depBy = (who: string, amount: bigint) =>
      packAny("/cosmos.gov.v1.MsgDeposit", MsgDeposit, {
        proposalId: 1n,
        depositor: who,
        amount: [{ denom: "unusa", amount: amount.toString() }],
      });
    expect(ch.exec(c, [depBy(C, 1n)])).toMatchObject({ code: 105, codespace: "gov" });
    expect(ch.exec(user, [depBy(USER, 1n)]).code).toBe(0);
    expect(ch.exec(a, [submit(A, [change("stake", { maxEntries: "8" })], 1n)]).code).toBe(0);
    const uBal = ch.balance(USER);
    const aBal = ch.balance(A);
    ch.block([], { dt: 60n });
    expect(proposal(ch, 2n)).toMatchObject({
      status: ProposalStatus.PROPOSAL_STATUS_REJECTED,
      failedReason: "minimum deposit not reached",
    });
    expect(ch.balance(A)).toBe(aBal + 1n + 400n); // both proposals ended: deposits back
    expect(ch.balance(USER)).toBe(uBal + 601n);
    expect(ch.balance(GOV)).toBe(0n);
  });

  it("after a passed switch to full governance, passed proposals execute without the foundation", () => {
    const ch = start();
    const id = passProposal(ch, [change("gov", { bootstrap: false })]);
    expect(ch.exec(foundation, [approve(F, id)]).code).toBe(0);
    const id2 = passProposal(ch, [
      change("stake", { maxEntries: "5" }),
      change("distribution", { communityTaxPpm: "0" }),
    ]);
    expect(stakeParams(ch).maxEntries).toBe("5");
    expect(execution(ch, id2).status).toBe(ExecutionStatus.EXECUTION_STATUS_EXECUTED);
    expect(ch.exec(foundation, [veto(F, id2)])).toMatchObject({ code: 103 });
  });

  it("at the switch to full governance, proposals awaiting the foundation are re-judged: executed or dropped", () => {
    const ch = start();
    // Both pass the bootstrap tally: #1 with 30/30 yes, #2 with 30 yes against 10 no (75%).
    const id1 = passProposal(ch, [change("stake", { maxEntries: "5" })]);
    const r = ch.exec(a, [submit(A, [change("distribution", { communityTaxPpm: "0" })])]);
    expect(r.code, r.log).toBe(0);
    const id2 = id1 + 1n;
    expect(ch.exec(b, [vote(B, id2, VoteOption.VOTE_OPTION_YES)]).code).toBe(0);
    expect(ch.exec(a, [vote(A, id2, VoteOption.VOTE_OPTION_NO)]).code).toBe(0);
    endVoting(ch);
    expect(execution(ch, id2).status).toBe(ExecutionStatus.EXECUTION_STATUS_AWAITING_FOUNDATION);
    // The switch also raises the threshold to 80%: under the full rules #1 still passes, #2 does not.
    const sw = passProposal(ch, [change("gov", { bootstrap: false, thresholdPpm: "800000" })]);
    const res = ch.exec(foundation, [approve(F, sw)]);
    expect(res.code, res.log).toBe(0);
    expect(execution(ch, sw).status).toBe(ExecutionStatus.EXECUTION_STATUS_EXECUTED);
    expect(execution(ch, id1).status).toBe(ExecutionStatus.EXECUTION_STATUS_EXECUTED);
    expect(stakeParams(ch).maxEntries).toBe("5");
    expect(execution(ch, id2)).toMatchObject({
      status: ExecutionStatus.EXECUTION_STATUS_DROPPED,
      reason: "not passed under full governance at the switch: threshold not reached",
    });
    expect(proposal(ch, id2)).toMatchObject({
      status: ProposalStatus.PROPOSAL_STATUS_REJECTED,
      failedReason: "not passed under full governance at the switch: threshold not reached",
    });
    const dropped = res.events!.filter(
      (e) =>
        e.type === "execute_proposal" &&
        e.attributes.some((x) => x.key === "status" && x.value === "EXECUTION_STATUS_DROPPED"),
    );
    expect(dropped).toHaveLength(1);
    // Nothing waits any more, and the foundation can neither approve nor veto after the switch.
    expect(ch.exec(foundation, [approve(F, id2)])).toMatchObject({ code: 103 });
    expect(ch.exec(foundation, [veto(F, id2)])).toMatchObject({ code: 103 });
    expect(ch.exec(foundation, [approve(F, id1)])).toMatchObject({ code: 103 });
  });

  it("speaks v1beta1: a ParameterChangeProposal, a v1beta1 vote, and the v1beta1 queries CosmJS reads", () => {
    const ch = start();
    const content = packAny("/cosmos.params.v1beta1.ParameterChangeProposal", ParameterChangeProposal, {
      title: "more entries",
      description: "d",
      changes: [{ subspace: "stake", key: "maxEntries", value: '"10"' }],
    });
    const r = ch.exec(a, [
      packAny("/cosmos.gov.v1beta1.MsgSubmitProposal", MsgSubmitProposalV0, {
        content,
        initialDeposit: [{ denom: "unusa", amount: "1000" }],
        proposer: A,
      }),
    ]);
    expect(r.code, r.log).toBe(0);
    // Content other than a text or param-change proposal, and a change whose value is not JSON, are refused.
    const legacy = (c: Any) =>
      packAny("/cosmos.gov.v1beta1.MsgSubmitProposal", MsgSubmitProposalV0, {
        content: c,
        initialDeposit: [],
        proposer: A,
      });
    const badValue = packAny("/cosmos.params.v1beta1.ParameterChangeProposal", ParameterChangeProposal, {
      title: "t",
      description: "d",
      changes: [{ subspace: "stake", key: "maxEntries", value: "ten" }],
    });
    expect(ch.exec(a, [legacy(badValue)])).toMatchObject({ code: 5, codespace: "gov" });
    expect(ch.exec(a, [legacy({ typeUrl: "/cosmos.bank.v1beta1.MsgSend", value: new Uint8Array() })]).code).not.toBe(0);
    expect(
      ch.exec(b, [packAny("/cosmos.gov.v1beta1.MsgVote", MsgVoteV0, { proposalId: 1n, voter: B, option: 1 })]).code,
    ).toBe(0);
    const list = ch.query(
      "/cosmos.gov.v1beta1.Query/Proposals",
      Q0.QueryProposalsRequest,
      { proposalStatus: 2 },
      Q0.QueryProposalsResponse,
    );
    expect(list.proposals.map((p) => p.proposalId)).toEqual([1n]);
    expect(list.proposals[0]!.content!.typeUrl).toBe("/dsdn.gov.v1.MsgParamChange");
    const votes = ch.query(
      "/cosmos.gov.v1beta1.Query/Votes",
      Q0.QueryVotesRequest,
      { proposalId: 1n },
      Q0.QueryVotesResponse,
    );
    expect(votes.votes).toEqual([
      { proposalId: 1n, voter: B, option: 1, options: [{ option: 1, weight: "1000000000000000000" }] },
    ]);
    endVoting(ch);
    expect(ch.exec(foundation, [approve(F, 1n)]).code).toBe(0);
    expect(stakeParams(ch).maxEntries).toBe("10");
    const tallying = ch.query(
      "/cosmos.gov.v1beta1.Query/Params",
      Q0.QueryParamsRequest,
      { paramsType: "tallying" },
      Q0.QueryParamsResponse,
    );
    expect(new TextDecoder().decode(tallying.tallyParams.quorum)).toBe("334000000000000000");
  });
});
