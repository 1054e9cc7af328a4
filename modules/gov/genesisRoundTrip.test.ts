import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { MsgParamChange } from "../../proto/gen/dsdn/gov/v1/gov.js";
import { createValidatorMsg, NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf, sendMsg } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";

const [a, b, f] = ["f1", "f2", "f3"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const [A, B, F] = [a, b, f].map((k) => addressOf(k!)) as [string, string, string];

const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

const submit = (proposer: string, maxEntries: string) =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages: [
      packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, {
        authority: moduleAddress(ModuleAccount.Gov),
        module: "stake",
        paramsJson: JSON.stringify({ maxEntries }),
      }),
    ],
    initialDeposit: [{ denom: "unusa", amount: "1000" }],
    proposer,
    title: "t",
    summary: "s",
  });
const vote = (voter: string, id: bigint) =>
  packAny("/cosmos.gov.v1.MsgVote", MsgVote, { proposalId: id, voter, option: VoteOption.VOTE_OPTION_YES });

describe("gov and distribution genesis export → import", () => {
  it("round-trips proposals, votes, deposits, executions and reward accounting with equal app hashes", () => {
    const ch = TestChain.start({
      balances: [A, B, F].map((address) => ({ address, amount: 1_000_000n * NUSA })),
      appState: {
        stake: { params: { minValidatorSelfBond: (1n * NUSA).toString() } },
        gov: { params: { foundation: F, votingPeriodSeconds: "20", minDeposit: "1000" } },
      },
    });
    chains.push(ch);
    ch.block();
    expect(ch.exec(a, [createValidatorMsg(A, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
    expect(ch.exec(b, [createValidatorMsg(B, ed25519KeyPair().publicKey, 3n * NUSA)]).code).toBe(0);
    expect(ch.exec(a, [submit(A, "9")]).code).toBe(0);
    expect(ch.exec(a, [vote(A, 1n)]).code).toBe(0);
    ch.block([], { dt: 30n }); // proposal 1 passes and awaits the foundation
    expect(ch.exec(b, [submit(B, "8")]).code).toBe(0);
    expect(ch.exec(b, [vote(B, 2n)]).code).toBe(0); // proposal 2 is still voting at export
    expect(ch.exec(f, [sendMsg(F, A, 1n)]).code).toBe(0);

    const g1 = ch.exportAppState();
    const gov = g1.gov as { proposals: unknown[]; votes: unknown[]; deposits: unknown[]; executions: unknown[] };
    expect([gov.proposals.length, gov.votes.length, gov.deposits.length, gov.executions.length]).toEqual([2, 1, 1, 1]);
    const dist = g1.distribution as { validators: unknown[]; pool: { collected: string } };
    expect(dist.validators).toHaveLength(2);
    expect(BigInt(dist.pool.collected)).toBeGreaterThan(0n);

    const imported = new TestChain(g1);
    chains.push(imported);
    imported.init();
    imported.block();
    const g2 = imported.exportAppState();
    for (const m of ["gov", "distribution", "bank"]) expect(g2[m], m).toEqual(g1[m]);

    const again = new TestChain(g2);
    const twin = new TestChain(g1);
    chains.push(again, twin);
    again.init();
    twin.init();
    expect(toHex(again.initHash)).toBe(toHex(twin.initHash));
    // Both keep running alike: proposal 2's voting period ends in the same block on each (B's 3 of 13 power
    // misses the quorum).
    expect(toHex(again.block([], { dt: 1000n }).appHash as Uint8Array)).toBe(
      toHex(twin.block([], { dt: 1000n }).appHash as Uint8Array),
    );
    const ended = (again.exportAppState().gov as { proposals: { status: string; failedReason: string }[] }).proposals;
    expect(ended[1]).toMatchObject({ status: "PROPOSAL_STATUS_REJECTED", failedReason: "quorum not reached" });
  });

  it("refuses invalid gov and distribution sections, naming the field", () => {
    const bad = (appState: Record<string, unknown>) => () =>
      TestChain.genesis({ balances: [{ address: A, amount: 1n }], appState });
    expect(bad({ gov: { params: { foundation: "nusa1nope" } } })).toThrow(/gov\.params\.foundation/);
    expect(bad({ gov: { params: { quorumPpm: "0" } } })).toThrow(/gov\.params\.quorumPpm/);
    expect(bad({ gov: { startingProposalId: "0" } })).toThrow(/gov\.startingProposalId/);
    expect(bad({ distribution: { params: { communityTaxPpm: "1000001" } } })).toThrow(
      /distribution\.params\.communityTaxPpm/,
    );
    expect(
      bad({
        distribution: {
          params: {},
          pool: { rewardPerPower: "0", totalPower: "5", carry: "0", collected: "0", community: "0", paid: "0" },
          validators: [],
        },
      }),
    ).toThrow(/distribution\.pool\.totalPower/);
  });
});
