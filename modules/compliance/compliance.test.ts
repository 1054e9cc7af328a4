import { ProposalStatus, VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import * as Q1 from "cosmjs-types/cosmos/gov/v1/query";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { afterEach, describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  Action,
  MsgBlockPointer,
  MsgUnblockPointer,
  type Pointer,
  PointerKind,
} from "../../proto/gen/dsdn/compliance/v1/compliance.js";
import {
  QueryBlockedRequest,
  QueryBlockedResponse,
  QueryBlocksRequest,
  QueryBlocksResponse,
  QueryDecisionsRequest,
  QueryDecisionsResponse,
} from "../../proto/gen/dsdn/compliance/v1/query.js";
import { MsgFoundationApprove, MsgParamChange } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { createValidatorMsg, NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";

const [a, b, user, foundation] = ["c1", "c2", "c3", "c4"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const [A, B, USER, F] = [a, b, user, foundation].map((k) => addressOf(k!)) as [string, string, string, string];
const GOV = moduleAddress(ModuleAccount.Gov);
const VOTING = 20n;
const CID_X = cidForBytes(new TextEncoder().encode("forbidden x"));
const CID_Y = cidForBytes(new TextEncoder().encode("forbidden y"));
const cid = (value: string): Pointer => ({ kind: PointerKind.POINTER_KIND_CID, value });
const route = (value: string): Pointer => ({ kind: PointerKind.POINTER_KIND_ROUTE, value });

const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

function start(appState: Record<string, unknown> = {}): TestChain {
  const ch = TestChain.start({
    balances: [A, B, USER, F].map((address) => ({ address, amount: 1_000_000n * NUSA })),
    appState: {
      stake: { params: { minValidatorSelfBond: (1n * NUSA).toString() } },
      gov: { params: { foundation: F, votingPeriodSeconds: VOTING.toString(), minDeposit: "1000" } },
      ...appState,
    },
  });
  chains.push(ch);
  ch.block();
  expect(ch.exec(a, [createValidatorMsg(A, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
  expect(ch.exec(b, [createValidatorMsg(B, ed25519KeyPair().publicKey, 30n * NUSA)]).code).toBe(0);
  return ch;
}

const block = (pointer: Pointer, reason = "court order 12/2026", authority = GOV) =>
  packAny("/dsdn.compliance.v1.MsgBlockPointer", MsgBlockPointer, { authority, pointer, reason });
const unblock = (pointer: Pointer, reason = "appeal upheld", authority = GOV) =>
  packAny("/dsdn.compliance.v1.MsgUnblockPointer", MsgUnblockPointer, { authority, pointer, reason });
const submit = (proposer: string, messages: Any[]) =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages,
    initialDeposit: [{ denom: "unusa", amount: "1000" }],
    proposer,
    title: "compliance decision",
    summary: "why",
  });
const vote = (voter: string, id: bigint) =>
  packAny("/cosmos.gov.v1.MsgVote", MsgVote, { proposalId: id, voter, option: VoteOption.VOTE_OPTION_YES });
const approve = (id: bigint) =>
  packAny("/dsdn.gov.v1.MsgFoundationApprove", MsgFoundationApprove, { signer: F, proposalId: id });

/** Submits, votes (B's 30 of 40 power) and ends voting; returns the id. The foundation has not approved yet. */
function pass(ch: TestChain, messages: Any[], proposer = { key: a, addr: A }): bigint {
  const r = ch.exec(proposer.key, [submit(proposer.addr, messages)]);
  expect(r.code, r.log).toBe(0);
  const id = BigInt(
    r.events!.find((e) => e.type === "submit_proposal")!.attributes.find((x) => x.key === "proposal_id")!.value,
  );
  expect(ch.exec(b, [vote(B, id)]).code).toBe(0);
  ch.block([], { dt: VOTING + 1n });
  return id;
}

const blocked = (ch: TestChain, p: Pointer) =>
  ch.query("/dsdn.compliance.v1.Query/Blocked", QueryBlockedRequest, { pointer: p }, QueryBlockedResponse);
const decisions = (ch: TestChain, pointer?: Pointer) =>
  ch.query("/dsdn.compliance.v1.Query/Decisions", QueryDecisionsRequest, { pointer }, QueryDecisionsResponse);
const proposalOf = (ch: TestChain, id: bigint) =>
  ch.query("/cosmos.gov.v1.Query/Proposal", Q1.QueryProposalRequest, { proposalId: id }, Q1.QueryProposalResponse)
    .proposal!;

describe("compliance: pointers blocked only by governance", () => {
  it("block → recorded (who, what, why) → appeal by an unblock proposal → unblocked; each after the foundation", () => {
    const ch = start();
    const id = pass(ch, [block(cid(CID_X)), block(route("/site/bad-app"))]);
    // Passed but not yet approved (bootstrap mode): nothing is blocked.
    expect(blocked(ch, cid(CID_X)).blocked).toBe(false);
    const r = ch.exec(foundation, [approve(id)]);
    expect(r.code, r.log).toBe(0);
    const ev = r.events!.filter((e) => e.type === "compliance_block");
    expect(ev.map((e) => e.attributes.find((x) => x.key === "value")!.value)).toEqual([CID_X, "/site/bad-app"]);
    const q = blocked(ch, cid(CID_X));
    expect(q.blocked).toBe(true);
    expect(q.appeal).toMatch(/MsgUnblockPointer/);
    expect(q.block!.decision).toMatchObject({
      action: Action.ACTION_BLOCK,
      reason: "court order 12/2026",
      proposalId: id,
      proposer: A,
    });
    expect(blocked(ch, route("/site/bad-app")).blocked).toBe(true);
    expect(blocked(ch, cid(CID_Y)).blocked).toBe(false);
    // Blocking it again cannot even be proposed.
    expect(ch.exec(a, [submit(A, [block(cid(CID_X))])])).toMatchObject({ code: 12, codespace: "gov" });
    // The appeal: a proposal to unblock, by another validator.
    const appeal = pass(ch, [unblock(cid(CID_X))], { key: b, addr: B });
    expect(ch.exec(foundation, [approve(appeal)]).code).toBe(0);
    expect(blocked(ch, cid(CID_X)).blocked).toBe(false);
    expect(blocked(ch, route("/site/bad-app")).blocked).toBe(true);
    const hist = decisions(ch, cid(CID_X)).decisions;
    expect(hist.map((d) => [d.action, d.proposalId, d.proposer, d.reason])).toEqual([
      [Action.ACTION_BLOCK, id, A, "court order 12/2026"],
      [Action.ACTION_UNBLOCK, appeal, B, "appeal upheld"],
    ]);
    expect(decisions(ch).decisions.map((d) => d.id)).toEqual([1n, 2n, 3n]);
    const list = ch.query("/dsdn.compliance.v1.Query/Blocks", QueryBlocksRequest, { limit: 1 }, QueryBlocksResponse);
    expect(list.blocks.map((x) => x.pointer!.value)).toEqual(["/site/bad-app"]);
    expect(list.next).toBeUndefined();
  });

  it("refuses, at submission, every block an attacker or a careless proposer could try", () => {
    const ch = start();
    const cases: [string, Any[], RegExp][] = [
      ["authority is a user, not gov", [block(cid(CID_X), "r", USER)], /only a passed governance proposal/],
      ["not a CID", [block(cid("bafkreinope"))], /malformed CID/],
      ["non-canonical CID", [block(cid(CID_X.toUpperCase()))], /CID/],
      ["the whole ingress", [block(route("/"))], /whole ingress/],
      ["dot-dot route", [block(route("/site/../x"))], /"\.\."/],
      ["trailing slash", [block(route("/site/x/"))], /trailing/],
      ["query in route", [block(route("/site/x?a=1"))], /outside a URL path/],
      ["unknown kind", [block({ kind: 7 as PointerKind, value: CID_X })], /kind must be/],
      ["no reason", [block(cid(CID_X), "  ")], /reason/],
      ["reason too long", [block(cid(CID_X), "x".repeat(1001))], /reason/],
      ["unblock of a pointer not blocked", [unblock(cid(CID_Y))], /not blocked/],
      ["the same pointer twice", [block(cid(CID_X)), block(cid(CID_X))], /already blocked/],
    ];
    for (const [what, msgs, log] of cases) {
      const r = ch.exec(a, [submit(A, msgs)]);
      expect(r.code, what).toBe(12);
      expect(r.log, what).toMatch(log);
    }
    // Not a tx message: nobody signs as the gov module account, and a user's direct block is refused.
    expect(ch.exec(user, [block(cid(CID_X), "r", USER)]).code).not.toBe(0);
    expect(blocked(ch, cid(CID_X)).blocked).toBe(false);
  });

  it("a proposal's messages apply all together or not at all", () => {
    const ch = start();
    const first = pass(ch, [block(cid(CID_X))]);
    // Valid when submitted (X not yet blocked), invalid by the time it executes.
    const second = pass(ch, [
      block(cid(CID_Y)),
      packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, {
        authority: GOV,
        module: "compliance",
        paramsJson: JSON.stringify({ maxReasonLength: "50" }),
      }),
      block(cid(CID_X)),
    ]);
    expect(ch.exec(foundation, [approve(first)]).code).toBe(0);
    const r = ch.exec(foundation, [approve(second)]);
    expect(r.code, r.log).toBe(0);
    expect(proposalOf(ch, second)).toMatchObject({ status: ProposalStatus.PROPOSAL_STATUS_FAILED });
    expect(proposalOf(ch, second).failedReason).toMatch(/already blocked/);
    expect(r.events!.some((e) => e.type === "compliance_block")).toBe(false);
    expect(blocked(ch, cid(CID_Y)).blocked).toBe(false); // not half-applied
    expect(decisions(ch).decisions).toHaveLength(1);
    const g = ch.exportAppState().compliance as { params: { maxReasonLength: string } };
    expect(g.params.maxReasonLength).toBe("1000");
    const gov = ch.exportAppState().gov as { executions: { status: string }[] };
    expect(gov.executions.map((e) => e.status)).toEqual(["EXECUTION_STATUS_EXECUTED", "EXECUTION_STATUS_FAILED"]);
  });

  it("genesis export → import keeps blocks, decisions and the app hash; bad sections are refused by field", () => {
    const ch = start();
    const first = pass(ch, [block(cid(CID_X)), block(route("/site/a"))]);
    expect(ch.exec(foundation, [approve(first)]).code).toBe(0);
    expect(ch.exec(foundation, [approve(pass(ch, [unblock(route("/site/a"))]))]).code).toBe(0);
    const g1 = ch.exportAppState();
    const c1 = g1.compliance as { blocks: unknown[]; decisions: unknown[] };
    expect([c1.blocks.length, c1.decisions.length]).toEqual([1, 3]);
    const twinA = new TestChain(g1);
    const twinB = new TestChain(JSON.parse(JSON.stringify(g1)));
    chains.push(twinA, twinB);
    twinA.init();
    twinB.init();
    expect(toHex(twinA.initHash)).toBe(toHex(twinB.initHash));
    twinA.block();
    expect(twinA.exportAppState().compliance).toEqual(g1.compliance);
    expect(blocked(twinA, cid(CID_X)).block!.decision!.proposalId).toBe(first);
    const bad = (compliance: unknown) => () =>
      TestChain.genesis({ balances: [{ address: A, amount: 1n }], appState: { compliance } });
    expect(bad({ params: { maxPage: "0" } })).toThrow(/compliance\.params\.maxPage/);
    expect(bad({ blocks: [{ pointer: { kind: "POINTER_KIND_CID", value: "x" }, decision: { id: "1" } }] })).toThrow(
      /compliance\.blocks\[0\]\.pointer/,
    );
    expect(
      bad({
        blocks: [{ pointer: { kind: "POINTER_KIND_CID", value: CID_X }, decision: { id: "1" } }],
        decisions: [],
      }),
    ).toThrow(/compliance\.blocks\[0\]\.decision/);
  });
});
