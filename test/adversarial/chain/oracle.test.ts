// The oracle through the app's ABCI 2.0 methods: a proposer that forges, omits or reorders extended votes
// is refused in ProcessProposal; absurd prices are refused or clamped; windows, staleness and queries.
import {
  ResponseProcessProposal_ProposalStatus as PP,
  ResponseVerifyVoteExtension_VerifyStatus as VVE,
} from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { encodeInjectedCommit } from "../../../chain-app/voteExtensions.js";
import { encodePriceVote } from "../../../modules/oracle/index.js";
import {
  QueryConvertUsdRequest,
  QueryConvertUsdResponse,
  QueryPriceRequest,
  QueryPriceResponse,
} from "../../../proto/gen/dsdn/oracle/v1/query.js";
import { extendedCommit, lastCommitOf, oracleChain, priceBlock } from "../../support/oracleHarness.js";
import type { TestChain } from "../../support/testChain.js";

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});
const start = (o?: Parameters<typeof oracleChain>[0]) => {
  const c = oracleChain(o);
  chains.push(c);
  c.block(); // height 1: extensions are signed from here; the first injection is at height 2
  return c;
};
const price = (c: TestChain) => c.query("/dsdn.oracle.v1.Query/Price", QueryPriceRequest, {}, QueryPriceResponse);
const $ = (usd: number) => BigInt(Math.round(usd * 1e9)); // test literals only
const process = (c: TestChain, txs: Uint8Array[], info: ReturnType<typeof extendedCommit>) =>
  c.app.processProposal({
    txs,
    proposedLastCommit: lastCommitOf(info),
    misbehavior: [],
    hash: new Uint8Array(32),
    height: c.height + 1n,
    time: { seconds: c.time + 5n, nanos: 0 },
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  } as never).status;

describe("proposal checks (ProcessProposal re-verifies what the proposer injected)", () => {
  it("the proposer puts the extended commit first, and every validator accepts the honest proposal", () => {
    const c = start();
    const info = extendedCommit(c, c.height + 1n, [$(0.05), $(0.05), $(0.05)]);
    const prepared = c.app.prepareProposal({
      txs: [],
      maxTxBytes: 1_000_000n,
      localLastCommit: info,
      misbehavior: [],
      height: c.height + 1n,
      time: { seconds: c.time + 5n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    } as never);
    expect(prepared.txs).toEqual([encodeInjectedCommit(info)]);
    expect(process(c, prepared.txs as Uint8Array[], info)).toBe(PP.ACCEPT);
  });

  it("refuses a forged price, an omitted vote, reordered votes and a missing injection", () => {
    const c = start();
    const info = extendedCommit(c, c.height + 1n, [$(0.05), $(0.06), $(0.07)]);
    const forged = structuredClone(info);
    forged.votes[0]!.voteExtension = encodePriceVote($(5));
    const omitted = { ...info, votes: info.votes.slice(0, 2) };
    const reordered = { ...info, votes: [info.votes[1]!, info.votes[0]!, info.votes[2]!] };
    expect(process(c, [encodeInjectedCommit(forged)], info)).toBe(PP.REJECT);
    expect(process(c, [encodeInjectedCommit(omitted)], info)).toBe(PP.REJECT);
    expect(process(c, [encodeInjectedCommit(reordered)], info)).toBe(PP.REJECT);
    expect(process(c, [], info)).toBe(PP.REJECT);
    expect(process(c, [encodeInjectedCommit(info)], info)).toBe(PP.ACCEPT);
  });

  it("VerifyVoteExtension refuses an absurd or malformed price and accepts an empty one", () => {
    const c = start();
    const verify = (ext: Uint8Array) =>
      c.app.verifyVoteExtension({
        hash: new Uint8Array(32),
        validatorAddress: new Uint8Array(20),
        height: 5n,
        voteExtension: ext,
      }).status;
    expect(verify(encodePriceVote($(0.05)))).toBe(VVE.ACCEPT);
    expect(verify(new Uint8Array())).toBe(VVE.ACCEPT);
    expect(verify(encodePriceVote(10n ** 16n))).toBe(VVE.REJECT); // $10 000 000 per NUSA: not sane
    expect(verify(Uint8Array.of(0x08, 0x00))).toBe(VVE.REJECT); // non-canonical zero
    expect(verify(Uint8Array.of(0xff, 0x01))).toBe(VVE.REJECT);
    expect(verify(new Uint8Array(2000))).toBe(VVE.REJECT);
  });
});

describe("ExtendVote (the node-local price source)", () => {
  it("signs the feeder's price; a missing, failing or malformed source gives an empty extension, never a crash", () => {
    const cases: [(() => Uint8Array | undefined) | undefined, Uint8Array][] = [
      [() => encodePriceVote($(0.05)), encodePriceVote($(0.05))],
      [() => undefined, new Uint8Array()],
      [
        () => {
          throw new Error("feeder down");
        },
        new Uint8Array(),
      ],
      [() => Uint8Array.of(0xff, 0xff), new Uint8Array()],
      [undefined, new Uint8Array()],
    ];
    for (const [source, want] of cases) {
      const c = oracleChain({ appOptions: source ? { voteExtension: source } : {} });
      chains.push(c);
      const r = c.app.extendVote({ height: 1n } as never);
      expect(r.voteExtension ?? new Uint8Array()).toEqual(want);
    }
  });
});

describe("aggregation (stake-weighted median per window, ±20% per window, staleness)", () => {
  // Windows are a 10 s grid from the genesis time; a report counts in the window of its block, and the
  // window is aggregated by the first block of a later window.
  const round = (c: TestChain, prices: bigint[]) => {
    priceBlock(c, prices, 10n);
    priceBlock(c, ["empty", "empty", "empty"], 10n);
  };

  it("takes the stake-weighted median when the window closes", () => {
    const c = start();
    expect(price(c).priceNanoUsd).toBe($(0.05).toString()); // genesis price
    // 60% of the stake at 0.055, 25% at 0.054, 15% at 0.053: the stake majority decides (the count median is 0.054).
    priceBlock(c, [$(0.055), $(0.054), $(0.053)]);
    priceBlock(c, [$(0.055), $(0.054), $(0.053)]);
    expect(price(c).priceNanoUsd).toBe($(0.05).toString()); // the window is still open
    expect(price(c).reportersInWindow).toBe(3n);
    priceBlock(c, ["empty", "empty", "empty"]);
    const p = price(c);
    expect(p.priceNanoUsd).toBe($(0.055).toString());
    expect(p.stale).toBe(false);
  });

  it("a validator reporting an absurd price cannot move the price beyond the clamp", () => {
    const c = start();
    // The 15% validator says $1000 (within the sane bound); the others $0.05: no effect at all.
    round(c, [$(0.05), $(0.05), $(1000)]);
    expect(price(c).priceNanoUsd).toBe($(0.05).toString());
    // Even a stake majority moves the accepted price at most +20% per window.
    round(c, [$(1000), $(1000), $(0.05)]);
    expect(price(c).priceNanoUsd).toBe($(0.06).toString());
    round(c, [$(1000), $(1000), $(0.05)]);
    expect(price(c).priceNanoUsd).toBe($(0.072).toString());
  });

  it("keeps the last good price and goes stale after 1 h without reports; fees convert at it within bounds", () => {
    const c = start({ oracle: { params: { windowSeconds: "10", floorPriceNanoUsd: $(0.01).toString() } } });
    round(c, [$(0.05), $(0.05), $(0.05)]);
    const updated = price(c).updatedAt;
    expect(updated).toBe(c.time);
    // Feeders stop: the validators still commit, with empty extensions.
    priceBlock(c, ["empty", "empty", "empty"], 3600n); // exactly 1 h: still fresh
    expect(price(c)).toMatchObject({ asOf: updated + 3600n, stale: false });
    priceBlock(c, ["empty", "empty", "empty"], 1n);
    const p = price(c);
    expect(p.stale).toBe(true);
    expect(p.priceNanoUsd).toBe($(0.05).toString());
    const conv = c.query(
      "/dsdn.oracle.v1.Query/ConvertUsd",
      QueryConvertUsdRequest,
      { usdNano: $(1).toString() },
      QueryConvertUsdResponse,
    );
    expect(conv).toMatchObject({ unusa: "20000000", stale: true });
  });
});
