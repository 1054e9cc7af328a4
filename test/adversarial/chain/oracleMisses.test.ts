// The oracle's miss penalty through the app's ABCI 2.0 methods: a validator that never reports (or reports
// an outlier) is slashed and jailed at the end of the slash window, one that reports every window is not,
// a proposer cannot make an honest validator look absent, and the counters survive export → import.
import { ResponseProcessProposal_ProposalStatus as PP } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import { afterEach, describe, expect, it } from "vitest";
import { encodeInjectedCommit } from "../../../chain-app/voteExtensions.js";
import { toHex } from "../../../common/hash.js";
import { consensusAddress } from "../../../modules/stake/keeper.js";
import { QueryMissCountersRequest, QueryMissCountersResponse } from "../../../proto/gen/dsdn/oracle/v1/query.js";
import { consKeys, extendedCommit, lastCommitOf, oracleChain, priceBlock } from "../../support/oracleHarness.js";
import { TestChain } from "../../support/testChain.js";

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

// 10 s price windows, 40 s slash windows, 50% minimum valid share (so one missed window in four is tolerated).
const PARAMS = { windowSeconds: "10", slashWindowSeconds: "40", minValidPerWindowPpm: "500000" };
const start = (params: Record<string, string> = {}) => {
  const c = oracleChain({ oracle: { params: { ...PARAMS, ...params } } });
  chains.push(c);
  c.block(); // height 1: extensions are signed from here; the first injection is at height 2
  return c;
};
const P = 50_000_000n; // $0.05
const cons = (i: number) => toHex(consensusAddress(consKeys[i]!.publicKey)).toUpperCase();
const misses = (c: TestChain) =>
  c.query("/dsdn.oracle.v1.Query/MissCounters", QueryMissCountersRequest, {}, QueryMissCountersResponse);

type Events = { type: string; attributes: { key: string; value: string }[] }[];
const attr = (e: Events[number], k: string) => e.attributes.find((a) => a.key === k)?.value;

/** Runs price blocks 5 s apart until the block time reaches `until` (relative to genesis), collecting events. */
function runUntil(
  c: TestChain,
  genesis: bigint,
  until: bigint,
  prices: (h: bigint) => Parameters<typeof priceBlock>[1],
) {
  const events: Events = [];
  while (c.time + 5n <= genesis + until) events.push(...(priceBlock(c, prices(c.height + 1n)).events as Events));
  return events;
}
const penalties = (events: Events) => events.filter((e) => e.type === "oracle_miss_penalty");

describe("oracle miss penalty", () => {
  it("slashes and jails a validator that never runs a feeder at the end of the slash window, and no one else", () => {
    const c = start();
    const g = c.time - 5n;
    // Before the slash window ends: counted, not punished.
    const early = runUntil(c, g, 35n, () => [P, P, "empty"]);
    expect(penalties(early)).toEqual([]);
    const m = misses(c);
    const of = (i: number) => m.counters.find((x) => x.validator === cons(i));
    // Window 0 had no injection yet (nobody reported): one miss each; validator 2 missed every window.
    expect(of(2)).toMatchObject({ windows: 3n, misses: 3n });
    expect(of(0)).toMatchObject({ windows: 3n, misses: 1n });
    expect(m.slashWindowSeconds).toBe(40n);

    const end = runUntil(c, g, 45n, () => [P, P, "empty"]);
    const pen = penalties(end);
    expect(pen.map((e) => attr(e, "validator"))).toEqual([cons(2)]);
    expect(attr(pen[0]!, "windows")).toBe("4");
    expect(attr(pen[0]!, "misses")).toBe("4");
    // 0.01% of 15 NUSA, and a jail: slashing's own events name the offence.
    expect(attr(pen[0]!, "slashed")).toBe("1500");
    const slash = end.filter((e) => e.type === "slash" && attr(e, "reason") === "oracle_miss");
    expect(slash.map((e) => attr(e, "address"))).toEqual([cons(2)]);
    expect(end.some((e) => e.type === "jail" && attr(e, "address") === cons(2))).toBe(true);
    // The counters restart with the next slash window.
    expect(misses(c).counters.every((x) => x.windows <= 1n)).toBe(true);
  });

  it("does not punish a validator that reports every window, even if a proposer drops its vote in most blocks", () => {
    const c = start();
    const g = c.time - 5n;
    // Validator 1's vote is absent from the last commit in every other block (what a proposer may do while
    // +2/3 remain); one valid report per window is enough.
    const events = runUntil(c, g, 85n, (h) => [P, h % 2n === 0n ? P + 1000n : undefined, P]);
    expect(penalties(events)).toEqual([]);
    expect(events.some((e) => e.type === "slash")).toBe(false);
  });

  it("counts a report beyond the outlier band of the median as a miss, and one within it as valid", () => {
    const c = start({ outlierBandPpm: "100000" }); // ±10%
    const g = c.time - 5n;
    // Validator 1 within +8%, validator 2 ten times the price.
    const events = runUntil(c, g, 45n, () => [P, (P * 108n) / 100n, P * 10n]);
    expect(penalties(events).map((e) => attr(e, "validator"))).toEqual([cons(2)]);
  });

  it("with the band off (0), any sane price counts", () => {
    const c = start({ outlierBandPpm: "0" });
    const g = c.time - 5n;
    expect(penalties(runUntil(c, g, 45n, () => [P, P, P * 10n]))).toEqual([]);
  });

  it("a halted chain makes nobody miss: windows without blocks are not judged", () => {
    const c = start();
    priceBlock(c, [P, P, P]);
    const before = misses(c).counters.find((x) => x.validator === cons(0))?.windows ?? 0n;
    priceBlock(c, [P, P, P], 1000n); // 100 windows pass without a block
    const after = misses(c).counters.find((x) => x.validator === cons(0))?.windows ?? 0n;
    expect(after - before).toBeLessThanOrEqual(1n);
  });
});

describe("a proposer cannot make an honest validator look absent (ProcessProposal)", () => {
  const process = (c: TestChain, item: Uint8Array, proposed: ReturnType<typeof lastCommitOf>) =>
    c.app.processProposal({
      txs: [item],
      proposedLastCommit: proposed,
      misbehavior: [],
      hash: new Uint8Array(32),
      height: c.height + 1n,
      time: { seconds: c.time + 5n, nanos: 0 },
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    } as never).status;

  it("refuses an injected commit that strips, blanks or flags away a vote CometBFT's last commit holds", () => {
    const c = start();
    const info = extendedCommit(c, c.height + 1n, [P, P, P]);
    const proposed = lastCommitOf(info);
    const stripped = structuredClone(info);
    stripped.votes[2]!.voteExtension = new Uint8Array(); // its signature was over the price, not over nothing
    const flagged = structuredClone(info);
    flagged.votes[2]!.blockIdFlag = BlockIDFlag.BLOCK_ID_FLAG_ABSENT;
    flagged.votes[2]!.voteExtension = new Uint8Array();
    flagged.votes[2]!.extensionSignature = new Uint8Array();
    expect(process(c, encodeInjectedCommit(stripped), proposed)).toBe(PP.REJECT);
    expect(process(c, encodeInjectedCommit(flagged), proposed)).toBe(PP.REJECT);
    expect(process(c, encodeInjectedCommit(info), proposed)).toBe(PP.ACCEPT);
  });

  it("refuses a block whose last commit keeps 2/3 of the power or less (omission is bounded to < 1/3)", () => {
    const c = start();
    // Powers 60/25/15: dropping the 15% validator keeps 85% (allowed); dropping the 60% one keeps 40%.
    const minority = extendedCommit(c, c.height + 1n, [P, P, undefined]);
    expect(process(c, encodeInjectedCommit(minority), lastCommitOf(minority))).toBe(PP.ACCEPT);
    const majority = extendedCommit(c, c.height + 1n, [undefined, P, P]);
    expect(process(c, encodeInjectedCommit(majority), lastCommitOf(majority))).toBe(PP.REJECT);
  });
});

describe("miss counters in genesis", () => {
  it("survive export → import with an equal app hash, and refuse bad entries", () => {
    const a = start();
    const g = a.time - 5n;
    runUntil(a, g, 25n, () => [P, P, "empty"]);
    const g1 = a.exportAppState();
    const o1 = g1.oracle as { missCounters: { address: string; windows: string; misses: string }[] };
    expect(o1.missCounters.find((x) => x.address === cons(2).toLowerCase())).toMatchObject({ misses: "2" });

    const VX = { abci: { voteExtensionsEnableHeight: 1n } };
    const b = new TestChain(g1);
    chains.push(b);
    b.init([], VX);
    b.time = a.time;
    b.block([], { dt: 0n });
    const g2 = b.exportAppState();
    expect(g2.oracle).toEqual(g1.oracle);
    const b2 = new TestChain(g1);
    chains.push(b2);
    b2.init([], VX);
    const c2 = new TestChain(g2);
    chains.push(c2);
    c2.init([], VX);
    expect(toHex(c2.initHash)).toBe(toHex(b2.initHash));

    const bad = (missCounters: unknown) => {
      const t = new TestChain({ ...g1, oracle: { ...(g1.oracle as object), missCounters } });
      chains.push(t);
      return () => t.init([], VX);
    };
    expect(bad([{ address: "zz", windows: "1", misses: "0" }])).toThrow(/missCounters\[0\].address/);
    expect(bad([{ address: "ab".repeat(20), windows: "1", misses: "2" }])).toThrow(/more than windows/);
  });
});
