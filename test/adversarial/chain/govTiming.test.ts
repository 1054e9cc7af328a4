// Votes and deposits after a proposal's end time: the proposal ends in the end block of the first block at or
// past its end time (or later, when more than maxEndingPerBlock end together), so a tx in that block ran while
// the status still said "voting" — a vote cast after the voting period, counted in the tally. Refused by block
// time, as the end itself is. Also what a non-validator and a second vote can do in bootstrap mode.
import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { QueryProposalRequest, QueryProposalResponse } from "cosmjs-types/cosmos/gov/v1/query";
import { MsgDeposit, MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { fromHex } from "../../../common/hash.js";
import { packAny } from "../../../common/protobuf.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { createValidatorMsg, NUSA, TestChain } from "../../support/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const [v1, v2, user] = ["c1", "c2", "c3"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const [V1, V2, USER] = [v1, v2, user].map((k) => addressOf(k!)) as [string, string, string];
const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

function start(): TestChain {
  const ch = TestChain.start({
    balances: [V1, V2, USER].map((address) => ({ address, amount: 1_000_000n * NUSA })),
    appState: {
      stake: { params: { minValidatorSelfBond: NUSA.toString() } },
      gov: { params: { votingPeriodSeconds: "20", maxDepositPeriodSeconds: "20", minDeposit: "1000" } },
    },
  });
  chains.push(ch);
  ch.block();
  expect(ch.exec(v1!, [createValidatorMsg(V1, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
  expect(ch.exec(v2!, [createValidatorMsg(V2, ed25519KeyPair().publicKey, 11n * NUSA)]).code).toBe(0);
  return ch;
}
const submit = (deposit: string) =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages: [],
    initialDeposit: [{ denom: "unusa", amount: deposit }],
    proposer: V1,
    title: "text",
    summary: "advisory",
    metadata: "",
  });
const vote = (voter: string, id: bigint, option: VoteOption) =>
  packAny("/cosmos.gov.v1.MsgVote", MsgVote, { proposalId: id, voter, option, metadata: "" });
const deposit = (id: bigint, amount: string) =>
  packAny("/cosmos.gov.v1.MsgDeposit", MsgDeposit, {
    proposalId: id,
    depositor: USER,
    amount: [{ denom: "unusa", amount }],
  });
const idOf = (r: ReturnType<TestChain["exec"]>) =>
  BigInt(r.events!.find((e) => e.type === "submit_proposal")!.attributes.find((x) => x.key === "proposal_id")!.value);
const status = (ch: TestChain, id: bigint) =>
  ch.query("/cosmos.gov.v1.Query/Proposal", QueryProposalRequest, { proposalId: id }, QueryProposalResponse).proposal!;

describe("gov: nothing counts after the end time", () => {
  it("refuses a vote in the block that reaches the voting end time; the tally is the period's", () => {
    const ch = start();
    const r = ch.exec(v1!, [submit("1000")]);
    expect(r.code, r.log).toBe(0);
    const id = idOf(r);
    expect(ch.exec(v1!, [vote(V1, id, VoteOption.VOTE_OPTION_NO)]).code).toBe(0);
    // The larger validator votes yes once the 20 s are over (its block's end block would tally it).
    const late = ch.exec(v2!, [vote(V2, id, VoteOption.VOTE_OPTION_YES)], { dt: 25n });
    expect(late).toMatchObject({ codespace: "gov", code: 3 });
    expect(late.log).toMatch(/voting ended/);
    const p = status(ch, id);
    expect(p.finalTallyResult?.yesCount).toBe("0");
    expect(p.status).toBe(ProposalStatus.PROPOSAL_STATUS_REJECTED);
  });

  it("refuses a deposit at or after the deposit end time (it would start a voting period after the deadline)", () => {
    const ch = start();
    const r = ch.exec(v1!, [submit("10")]);
    expect(r.code, r.log).toBe(0);
    const id = idOf(r);
    const late = ch.exec(user!, [deposit(id, "990")], { dt: 25n });
    expect(late).toMatchObject({ codespace: "gov", code: 3 });
    expect(late.log).toMatch(/deposit period ended/);
    expect(status(ch, id).failedReason).toBe("minimum deposit not reached");
  });

  it("already refused: a vote by a non-validator (bootstrap), and a second vote replaces the first (as x/gov)", () => {
    const ch = start();
    const id = idOf(ch.exec(v1!, [submit("1000")]));
    expect(ch.exec(user!, [vote(USER, id, VoteOption.VOTE_OPTION_YES)])).toMatchObject({ codespace: "gov", code: 100 });
    expect(ch.exec(v2!, [vote(V2, id, VoteOption.VOTE_OPTION_NO)]).code).toBe(0);
    expect(ch.exec(v2!, [vote(V2, id, VoteOption.VOTE_OPTION_YES)]).code).toBe(0);
    ch.block([], { dt: 25n });
    const t = status(ch, id).finalTallyResult!;
    expect([t.yesCount, t.noCount]).toEqual([String((11n * NUSA) / 1_000_000n), "0"]);
  });
});
