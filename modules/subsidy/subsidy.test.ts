// Subsidy rules at their edges (months by block time, the 70/50/30/15/0 schedule, each eligibility
// reason, sunset), and a chain where one node earns its month-1 subsidy and the others do not, with why.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unmeteredContext } from "../../chain-app/context.js";
import { ChainStore } from "../../chain-app/store/index.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { MsgClaimRewardResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import {
  QueryNodeSubsidyRequest,
  QueryNodeSubsidyResponse,
  QueryStatusRequest,
  QueryStatusResponse,
} from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { SubsidyKeeper } from "./keeper.js";
import { observeRewards } from "./observeRewards.js";
import { defaultSubsidyParams as P } from "./params.js";
import { amountFor, judge, monthOf, proRated, schedulePpm, sunsetReason } from "./schedule.js";

describe("months and schedule", () => {
  it("counts months by block time from genesis", () => {
    const M = P.monthSeconds;
    expect(monthOf(1000n, 999n, M)).toBe(0n);
    expect(monthOf(1000n, 1000n, M)).toBe(1n);
    expect(monthOf(1000n, 1000n + M - 1n, M)).toBe(1n);
    expect(monthOf(1000n, 1000n + M, M)).toBe(2n);
  });
  it("pays 70/50/30/15/0 % of 500 NUSA by months 1–6/7–12/13–18/19–24/25+", () => {
    const table: [bigint, bigint][] = [
      [0n, 0n],
      [1n, 350n],
      [6n, 350n],
      [7n, 250n],
      [12n, 250n],
      [13n, 150n],
      [18n, 150n],
      [19n, 75n],
      [24n, 75n],
      [25n, 0n],
      [36n, 0n],
      [37n, 0n],
    ];
    for (const [month, nusa] of table) expect([month, amountFor(P, month)]).toEqual([month, nusa * NUSA]);
    // The sunset month caps a schedule that governance extended.
    const extended = { ...P, schedule4Ppm: 150_000n, scheduleStepMonths: 10n, sunsetMonth: 36n };
    expect(schedulePpm(extended, 36n)).toBe(150_000n);
    expect(schedulePpm(extended, 37n)).toBe(0n);
  });
});

describe("the subsidy covers the shortfall (roadmap 24.1: (target − organic) × share)", () => {
  it("lowers the subsidy by the node's organic income, to nothing at or above the target", () => {
    expect(amountFor(P, 1n, 0n)).toBe(350n * NUSA);
    expect(amountFor(P, 1n, 100n * NUSA)).toBe(280n * NUSA); // 70% of 400
    expect(amountFor(P, 7n, 499n * NUSA)).toBe(NUSA / 2n); // 50% of 1
    expect(amountFor(P, 1n, 500n * NUSA)).toBe(0n);
    expect(amountFor(P, 1n, 10_000n * NUSA)).toBe(0n); // never negative
    expect(amountFor(P, 25n, 0n)).toBe(0n);
  });
});

describe("eligibility (the first failing rule is the reason)", () => {
  const good = {
    challenges: 100n,
    passed: 95n,
    usedBytes: 50n,
    capacityBytes: 100n,
    selfDealing: false,
    usageEpoch: 0n,
    epochBytes: 0n,
    organic: 0n,
  };
  const ok = { active: true, slashed: false, sunset: false };
  it("is eligible exactly at 95% uptime and 50% utilisation", () => {
    expect(judge(P, good, ok)).toMatchObject({ eligible: true, reason: "" });
  });
  const table: [string, Partial<typeof good>, Partial<typeof ok>, string][] = [
    ["uptime just below", { passed: 94n }, {}, "uptime 94.00% < 95.00%"],
    ["no challenges", { challenges: 0n, passed: 0n }, {}, "no liveness challenges recorded this month"],
    ["utilisation just below", { usedBytes: 49n }, {}, "utilisation 49.00% < 50.00%"],
    ["no capacity", { capacityBytes: 0n }, {}, "utilisation 0.00% < 50.00%"],
    ["self-dealing", { selfDealing: true }, {}, "self-dealing detected this month"],
    ["slashed", {}, { slashed: true }, "slashed this month"],
    ["not active", {}, { active: false }, "node is not active"],
    ["sunset", {}, { sunset: true }, "subsidy has sunset"],
  ];
  for (const [name, a, s, reason] of table)
    it(`refuses: ${name}`, () => {
      expect(judge(P, { ...good, ...a }, { ...ok, ...s })).toMatchObject({ eligible: false, reason });
    });
});

describe("pro rata for a node judged in part of the month's challenges", () => {
  it("pays in full from 95% of the month's challenges, that share below it, in full when no count was kept", () => {
    expect(proRated(P, 350n, 19n, 20n)).toEqual({ amount: 350n, reason: "" }); // exactly 95%
    expect(proRated(P, 350n, 21n, 20n)).toEqual({ amount: 350n, reason: "" }); // a challenge straddling the edge
    expect(proRated(P, 350n, 18n, 20n)).toEqual({
      amount: 315n,
      reason: "pro-rated: judged in 18 of the month's 20 liveness challenges",
    });
    expect(proRated(P, 350n, 1n, 720n).amount).toBe(0n); // floor: one hour of a 720-hour month
    expect(proRated(P, 350n, 5n, 0n)).toEqual({ amount: 350n, reason: "" });
  });
});

describe("sunset", () => {
  it("at the sunset month, or when organic revenue exceeds 80% of node income", () => {
    expect(sunsetReason(P, 35n, 0n, 100n)).toBeUndefined();
    expect(sunsetReason(P, 36n, 0n, 100n)).toMatch(/sunset month 36/);
    expect(sunsetReason(P, 3n, 80n, 20n)).toBeUndefined(); // exactly 80%: not more than
    expect(sunsetReason(P, 3n, 81n, 19n)).toMatch(/organic revenue 81.00% of node income > 80.00%/);
    expect(sunsetReason(P, 3n, 0n, 0n)).toBeUndefined();
  });
});

const ops = [0x71, 0x72, 0x73, 0x74, 0x75].map((b) => addressOf(secp256k1KeyPair(new Uint8Array(32).fill(b))));
const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

function node(i: number, status = "NODE_STATUS_ACTIVE") {
  return {
    nodeId: (i + 1).toString(16).padStart(64, "0"),
    operator: ops[i]!,
    tlsCertFingerprint: "ab".repeat(32),
    zone: `z${i}`,
    class: "NODE_CLASS_REGULAR",
    capacityBytes: "1000",
    endpoint: `http://127.0.0.1:${7800 + i}`,
    status,
    statusReason: "",
    registeredHeight: "0",
    cooldownUntil: "0",
    bannedUntil: "0",
  };
}
const act = (i: number, challenges: number, passed: number, used: number, selfDealing = false, organic = 0n) => ({
  operator: ops[i]!,
  month: "1",
  challenges: String(challenges),
  passed: String(passed),
  usedBytes: String(used),
  capacityBytes: "1000",
  selfDealing,
  organic: organic.toString(),
});

describe("monthly settlement on chain", () => {
  it("a node earns its month-1 subsidy; ineligible ones do not, and the query says why", () => {
    const MONTH = 100n;
    const c = new TestChain(
      TestChain.genesis({
        balances: [{ address: moduleAddress(ModuleAccount.SubsidyPool), amount: 10_000n * NUSA }],
        appState: {
          nodes: { nodes: [node(0), node(1), node(2), node(3), node(4, "NODE_STATUS_PENDING")] },
          subsidy: {
            params: { monthSeconds: MONTH.toString() },
            activity: [
              act(0, 20, 20, 600),
              act(1, 20, 18, 600),
              act(2, 20, 20, 100),
              act(3, 20, 20, 900, true),
              act(4, 20, 20, 900),
            ],
          },
        },
      }),
    );
    chains.push(c);
    c.init();
    const before = ops.map((o) => c.balance(o));
    c.block([], { dt: 50n });
    const mid = c.query(
      "/dsdn.subsidy.v1.Query/NodeSubsidy",
      QueryNodeSubsidyRequest,
      { operator: ops[0] },
      QueryNodeSubsidyResponse,
    );
    expect(mid.current).toMatchObject({ month: 1n, eligible: true, amount: (350n * NUSA).toString() });
    expect(mid.lastPaid).toBeUndefined();
    c.block([], { dt: 60n }); // month 2 begins: month 1 is settled
    const paid = ops.map((o, i) => c.balance(o) - before[i]!);
    expect(paid).toEqual([350n * NUSA, 0n, 0n, 0n, 0n]);
    const reasons = ops.map(
      (o) =>
        c.query(
          "/dsdn.subsidy.v1.Query/NodeSubsidy",
          QueryNodeSubsidyRequest,
          { operator: o },
          QueryNodeSubsidyResponse,
        ).lastPaid!,
    );
    expect(reasons.map((r) => [r.month, r.eligible, r.reason])).toEqual([
      [1n, true, ""],
      [1n, false, "uptime 90.00% < 95.00%"],
      [1n, false, "utilisation 10.00% < 50.00%"],
      [1n, false, "self-dealing detected this month"],
      [1n, false, "node is not active"],
    ]);
    const status = c.query("/dsdn.subsidy.v1.Query/Status", QueryStatusRequest, {}, QueryStatusResponse);
    expect(status).toMatchObject({
      month: 2n,
      lastSettledMonth: 1n,
      sunset: false,
      poolBalance: (9_650n * NUSA).toString(),
    });
    // Settled once: more blocks in month 2 pay nothing again.
    c.block([], { dt: 10n });
    expect(c.balance(ops[0]!) - before[0]!).toBe(350n * NUSA);
  });
});

describe("the shortfall on chain", () => {
  it("a node paid organic income gets the share of target − organic; one earning the target gets nothing", () => {
    const MONTH = 100n;
    const c = new TestChain(
      TestChain.genesis({
        balances: [{ address: moduleAddress(ModuleAccount.SubsidyPool), amount: 10_000n * NUSA }],
        appState: {
          nodes: { nodes: [node(0), node(1), node(2)] },
          subsidy: {
            params: { monthSeconds: MONTH.toString() },
            activity: [
              act(0, 20, 20, 600, false, 150n * NUSA),
              act(1, 20, 20, 600, false, 500n * NUSA),
              act(2, 20, 20, 600),
            ],
          },
        },
      }),
    );
    chains.push(c);
    c.init();
    const before = ops.slice(0, 3).map((o) => c.balance(o));
    c.block([], { dt: 50n });
    c.block([], { dt: 60n }); // month 2 begins: month 1 is settled
    expect(ops.slice(0, 3).map((o, i) => c.balance(o) - before[i]!)).toEqual([245n * NUSA, 0n, 350n * NUSA]);
    const last = (o: string) =>
      c.query("/dsdn.subsidy.v1.Query/NodeSubsidy", QueryNodeSubsidyRequest, { operator: o }, QueryNodeSubsidyResponse)
        .lastPaid!;
    expect(last(ops[0]!)).toMatchObject({
      eligible: true,
      amount: (245n * NUSA).toString(),
      organic: (150n * NUSA).toString(),
    });
    expect(last(ops[1]!)).toMatchObject({ eligible: true, amount: "0", organic: (500n * NUSA).toString() });
  });
});

describe("the pool and the sunset on chain", () => {
  it("a pool that cannot cover a payment pays who it can, says why for the rest; nothing is paid twice", () => {
    const c = new TestChain(
      TestChain.genesis({
        balances: [{ address: moduleAddress(ModuleAccount.SubsidyPool), amount: 500n * NUSA }],
        appState: {
          nodes: { nodes: [node(0), node(1)] },
          subsidy: { params: { monthSeconds: "100" }, activity: [act(0, 20, 20, 600), act(1, 20, 20, 600)] },
        },
      }),
    );
    chains.push(c);
    c.init();
    const before = [0, 1].map((i) => c.balance(ops[i]!));
    c.block([], { dt: 110n }); // month 2: month 1 settles
    c.block([], { dt: 10n });
    c.block([], { dt: 10n });
    expect([0, 1].map((i) => c.balance(ops[i]!) - before[i]!)).toEqual([350n * NUSA, 0n]);
    expect(c.balance(moduleAddress(ModuleAccount.SubsidyPool))).toBe(150n * NUSA);
    const rec = c.query(
      "/dsdn.subsidy.v1.Query/NodeSubsidy",
      QueryNodeSubsidyRequest,
      { operator: ops[1] },
      QueryNodeSubsidyResponse,
    ).lastPaid!;
    expect(rec).toMatchObject({ month: 1n, amount: "0", reason: "subsidy pool cannot cover the payment" });
  });

  it("sunsets for good at the sunset month: the month is paid, later months are not, and the status says why", () => {
    const c = new TestChain(
      TestChain.genesis({
        balances: [{ address: moduleAddress(ModuleAccount.SubsidyPool), amount: 10_000n * NUSA }],
        appState: {
          nodes: { nodes: [node(0)] },
          subsidy: {
            params: { monthSeconds: "100", sunsetMonth: "1" },
            activity: [act(0, 20, 20, 600), { ...act(0, 20, 20, 600), month: "2" }],
          },
        },
      }),
    );
    chains.push(c);
    c.init();
    const before = c.balance(ops[0]!);
    const r = c.block([], { dt: 110n });
    expect(r.events.filter((e) => e.type === "subsidy_sunset")).toHaveLength(1);
    c.block([], { dt: 100n }); // month 3: month 2 settles under the sunset
    expect(c.balance(ops[0]!) - before).toBe(350n * NUSA);
    const status = c.query("/dsdn.subsidy.v1.Query/Status", QueryStatusRequest, {}, QueryStatusResponse);
    expect(status).toMatchObject({ sunset: true, lastSettledMonth: 2n });
    expect(status.sunsetReason).toMatch(/sunset month 1/);
  });
});

describe("organic revenue from receipt claims", () => {
  it("counts a storage claim's node share, not a pending compute claim", () => {
    const store = ChainStore.open(join(mkdtempSync(join(tmpdir(), "subsidy-obs-")), "s.sqlite"));
    try {
      const ctx = unmeteredContext(
        store.branch(),
        { chainId: "t", height: 1n, timeSeconds: 1000n, timeNanos: 0, proposer: new Uint8Array() },
        "finalize",
      );
      const keeper = new SubsidyKeeper({} as never, {} as never, {} as never);
      keeper.setState(ctx, { start: 1000n, settledMonth: 0n, sunset: false, sunsetReason: "" });
      let next: Partial<MsgClaimRewardResponse> = {};
      const fake = {
        name: "receipts",
        msgs: [
          {
            typeUrl: "/dsdn.receipts.v1.MsgClaimReward",
            codec: MsgClaimRewardResponse,
            signers: () => [],
            handle: () => ({
              typeUrl: "/dsdn.receipts.v1.MsgClaimRewardResponse",
              value: MsgClaimRewardResponse.encode(MsgClaimRewardResponse.fromPartial(next)).finish(),
            }),
          },
        ],
      };
      const wrapped = observeRewards(fake, keeper).msgs![0]!;
      next = { nodeAmount: "700", pending: false };
      wrapped.handle(ctx, { claimant: ops[0] });
      next = { nodeAmount: "900", pending: true };
      wrapped.handle(ctx, { claimant: ops[0] });
      next = { nodeAmount: "50", pending: false };
      wrapped.handle(ctx, { claimant: ops[1] });
      expect(keeper.revenue(ctx, 1n)).toEqual({ organic: 750n, subsidy: 0n, periods: 0n });
      // Each operator's own income, which its subsidy's shortfall is measured against.
      expect(keeper.getActivity(ctx, 1n, addressBytesOf(ops[0]!)).organic).toBe(700n);
      expect(keeper.getActivity(ctx, 1n, addressBytesOf(ops[1]!)).organic).toBe(50n);
    } finally {
      store.close();
    }
  });
});
