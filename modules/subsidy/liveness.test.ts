// Liveness challenges on chain (the subsidy's uptime input): a period's challenge opens by block time, a node's key
// answers it before the deadline, misses are recorded after it; the attacks an answer can try are refused; and a
// node that keeps answering earns its month-1 subsidy while one that stopped does not, saying why.
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Sign } from "../../common/ed25519.js";
import { packAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  QueryChallengeRequest,
  QueryChallengeResponse,
  QueryNodeSubsidyRequest,
  QueryNodeSubsidyResponse,
} from "../../proto/gen/dsdn/subsidy/v1/query.js";
import { MsgLivenessProof } from "../../proto/gen/dsdn/subsidy/v1/tx.js";
import { CHAIN_ID, GENESIS_TIME, NUSA, TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { challengeSeed, livenessSigningMessage, periodOf } from "./liveness.js";

const keys = [0x81, 0x82, 0x83].map((b) => ed25519KeyPair(new Uint8Array(32).fill(b)));
const ops = [0x91, 0x92, 0x93].map((b) => secp256k1KeyPair(new Uint8Array(32).fill(b)));
const relayer = secp256k1KeyPair(new Uint8Array(32).fill(0x99));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const attr = (e: { attributes: { key: string; value: string }[] }, key: string) =>
  e.attributes.find((a) => a.key === key)?.value;

function nodeEntry(i: number, status = "NODE_STATUS_ACTIVE") {
  return {
    nodeId: hex(keys[i]!.publicKey),
    operator: addressOf(ops[i]!),
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

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

/** Period 20 s, deadline 10 s, month 100 s; nodes 0 and 1 Active, node 2 Pending; both Active nodes 60% used. */
function chain(node1RegisteredHeight = "0"): TestChain {
  const c = new TestChain(
    TestChain.genesis({
      balances: [
        { address: moduleAddress(ModuleAccount.SubsidyPool), amount: 10_000n * NUSA },
        { address: addressOf(relayer), amount: 1_000n * NUSA },
      ],
      appState: {
        nodes: {
          nodes: [
            nodeEntry(0),
            { ...nodeEntry(1), registeredHeight: node1RegisteredHeight },
            nodeEntry(2, "NODE_STATUS_PENDING"),
          ],
        },
        subsidy: {
          params: { monthSeconds: "100", challengePeriodSeconds: "20", challengeDeadlineSeconds: "10" },
          activity: [0, 1].map((i) => ({
            operator: addressOf(ops[i]!),
            month: "1",
            challenges: "0",
            passed: "0",
            usedBytes: "600",
            capacityBytes: "1000",
            selfDealing: false,
          })),
        },
      },
    }),
  );
  chains.push(c);
  c.init();
  return c;
}

const challenge = (c: TestChain) =>
  c.query("/dsdn.subsidy.v1.Query/Challenge", QueryChallengeRequest, {}, QueryChallengeResponse);
const subsidyOf = (c: TestChain, i: number) =>
  c.query(
    "/dsdn.subsidy.v1.Query/NodeSubsidy",
    QueryNodeSubsidyRequest,
    { operator: addressOf(ops[i]!) },
    QueryNodeSubsidyResponse,
  );

/** The answer of node `i` for `period` over `seed`, signed by `key` (the node's own by default). */
function answer(i: number, period: bigint, seed: Uint8Array, key = keys[i]!, chainId = CHAIN_ID) {
  const nodeId = keys[i]!.publicKey;
  const signature = ed25519Sign(livenessSigningMessage(chainId, nodeId, period, seed), key.secretKey);
  return packAny("/dsdn.subsidy.v1.MsgLivenessProof", MsgLivenessProof, {
    signer: addressOf(relayer),
    nodeId: Buffer.from(nodeId),
    period,
    signature: Buffer.from(signature),
  });
}

describe("liveness challenge rules", () => {
  it("periods by block time from the start; the seed depends on chain, period and block hash", () => {
    expect(periodOf(100n, 99n, 20n)).toBe(0n);
    expect(periodOf(100n, 100n, 20n)).toBe(1n);
    expect(periodOf(100n, 119n, 20n)).toBe(1n);
    expect(periodOf(100n, 120n, 20n)).toBe(2n);
    const h = new Uint8Array(32);
    const s = hex(challengeSeed("a", 1n, h));
    expect(hex(challengeSeed("b", 1n, h))).not.toBe(s);
    expect(hex(challengeSeed("a", 2n, h))).not.toBe(s);
    expect(hex(challengeSeed("a", 1n, new Uint8Array(32).fill(1)))).not.toBe(s);
  });
});

describe("MsgLivenessProof", () => {
  it("opens a challenge per period, counts an answer as passed and a miss as failed after the deadline", () => {
    const c = chain();
    c.block(); // T+5: period 1 opens
    const ch = challenge(c);
    expect(ch).toMatchObject({ period: 1n, openedAt: GENESIS_TIME + 5n, deadline: GENESIS_TIME + 15n, judged: false });
    expect(hex(ch.seed)).toBe(hex(challengeSeed(CHAIN_ID, 1n, new Uint8Array(32)))); // TestChain block hashes are zero
    const ok = c.exec(relayer, [answer(0, 1n, ch.seed)]); // T+10
    expect(ok.code, ok.log).toBe(0);
    expect(ok.events.map((e) => e.type)).toContain("liveness_answered");
    expect(
      c.query(
        "/dsdn.subsidy.v1.Query/Challenge",
        QueryChallengeRequest,
        { nodeId: keys[0]!.publicKey },
        QueryChallengeResponse,
      ).answered,
    ).toBe(true);
    const judged = c.block([], { dt: 10n }); // T+20: past the deadline (T+15): node 1 missed; period 2 opens
    const missed = judged.events.filter((e) => e.type === "liveness_missed");
    expect(missed.map((e) => e.attributes.find((a) => a.key === "operator")?.value)).toEqual([addressOf(ops[1]!)]);
    expect(challenge(c)).toMatchObject({ period: 2n, judged: false });
    expect(subsidyOf(c, 0).current).toMatchObject({ uptimePpm: "1000000" });
    expect(subsidyOf(c, 1).current).toMatchObject({ uptimePpm: "0", reason: "uptime 0.00% < 95.00%" });
  });

  it("does not judge a node registered after the challenge opened; the next period counts it", () => {
    // Node 1 joins at height 3, after period 1 opened at height 1: it could not have seen the challenge from the
    // start, so missing it is not held against it; period 2 (opened after it joined) is.
    const c = new TestChain(
      TestChain.genesis({
        balances: [],
        appState: {
          nodes: { nodes: [nodeEntry(0), { ...nodeEntry(1), registeredHeight: "3" }] },
          subsidy: { params: { monthSeconds: "100", challengePeriodSeconds: "20", challengeDeadlineSeconds: "10" } },
        },
      }),
    );
    chains.push(c);
    c.init();
    c.block(); // height 1, T+5: period 1 opens
    expect(challenge(c)).toMatchObject({ period: 1n });
    const missed: string[] = [];
    while (challenge(c).period < 3n) {
      const r = c.block([], { dt: 5n });
      for (const e of r.events.filter((x) => x.type === "liveness_missed"))
        missed.push(`${attr(e, "period")}:${attr(e, "operator")}`);
    }
    expect(missed).toEqual([`1:${addressOf(ops[0]!)}`, `2:${addressOf(ops[0]!)}`, `2:${addressOf(ops[1]!)}`]);
  });

  it("refuses every forged, replayed, late or misdirected answer (each with its own error)", () => {
    const c = chain();
    c.block();
    const p1 = challenge(c);
    const stranger = ed25519KeyPair(new Uint8Array(32).fill(0x55));
    const table: [string, ReturnType<typeof answer>, number][] = [
      ["another node's signature under this node's id", answer(1, 1n, p1.seed, keys[0]!), 8],
      ["a wrong key", answer(0, 1n, p1.seed, stranger), 8],
      ["a signature for another chain id", answer(0, 1n, p1.seed, keys[0]!, "other-chain"), 8],
      ["a signature over another seed", answer(0, 1n, new Uint8Array(32).fill(7)), 8],
      ["a future period", answer(0, 2n, p1.seed), 5],
      ["a node that is not Active", answer(2, 1n, p1.seed), 4],
    ];
    for (const [what, msg, code] of table) {
      const r = c.exec(relayer, [msg], { dt: 1n });
      expect([what, r.codespace, r.code], r.log).toEqual([what, "subsidy", code]);
    }
    const unknown = packAny("/dsdn.subsidy.v1.MsgLivenessProof", MsgLivenessProof, {
      signer: addressOf(relayer),
      nodeId: Buffer.from(stranger.publicKey),
      period: 1n,
      signature: Buffer.from(
        ed25519Sign(livenessSigningMessage(CHAIN_ID, stranger.publicKey, 1n, p1.seed), stranger.secretKey),
      ),
    });
    expect(c.exec(relayer, [unknown], { dt: 1n }).code).toBe(3);
    const short = packAny("/dsdn.subsidy.v1.MsgLivenessProof", MsgLivenessProof, {
      signer: addressOf(relayer),
      nodeId: Buffer.from(keys[0]!.publicKey),
      period: 1n,
      signature: Buffer.alloc(63),
    });
    expect(c.check(c.tx(relayer, [short])).code).toBe(9);

    // The honest answer, once; a second answer of the same period is refused.
    const good = answer(0, 1n, p1.seed);
    expect(c.exec(relayer, [good], { dt: 1n }).code).toBe(0);
    expect(c.exec(relayer, [good], { dt: 1n }).code).toBe(7);

    // After the deadline (T+15) node 1's correct answer for period 1 is late.
    while (c.time <= p1.deadline - 1n) c.block([], { dt: 1n });
    expect(c.time).toBe(p1.deadline);
    const late = c.exec(relayer, [answer(1, 1n, p1.seed)], { dt: 1n });
    expect([late.code, late.log]).toEqual([6, expect.stringMatching(/deadline was block time/)]);

    // Period 2: yesterday's answer replayed is not the open challenge; re-labelled, its signature fails.
    while (challenge(c).period < 2n) c.block([], { dt: 1n });
    const p2 = challenge(c);
    expect(hex(p2.seed)).not.toBe(hex(p1.seed));
    expect(c.exec(relayer, [good], { dt: 1n }).code).toBe(5);
    const relabelled = MsgLivenessProof.decode(good.value);
    const r = c.exec(relayer, [packAny(good.typeUrl, MsgLivenessProof, { ...relabelled, period: 2n })], { dt: 1n });
    expect(r.code).toBe(8);
    expect(c.exec(relayer, [answer(0, 2n, p2.seed)], { dt: 1n }).code).toBe(0);
  });

  it("a node that keeps answering earns its month-1 subsidy; one that stopped does not, and says why", () => {
    const c = chain();
    const before = ops.map((o) => c.balance(addressOf(o)));
    c.block();
    // Month 1 is 100 s: periods 1..5. Node 0 answers all of them; node 1 answers only the first.
    let answered = 0n;
    while (c.time < GENESIS_TIME + 100n) {
      const ch = challenge(c);
      if (ch.period > answered && !ch.judged) {
        const msgs = [answer(0, ch.period, ch.seed), ...(ch.period === 1n ? [answer(1, ch.period, ch.seed)] : [])];
        for (const m of msgs) expect(c.exec(relayer, [m], { dt: 1n }).code).toBe(0);
        answered = ch.period;
      } else c.block([], { dt: 1n });
    }
    c.block([], { dt: 1n }); // month 2: month 1 settles
    const paid = ops.map((o, i) => c.balance(addressOf(o)) - before[i]!);
    expect(paid).toEqual([350n * NUSA, 0n, 0n]);
    const last = [0, 1].map((i) => subsidyOf(c, i).lastPaid!);
    expect(last[0]).toMatchObject({ month: 1n, eligible: true, reason: "" });
    expect(last[1]).toMatchObject({ month: 1n, eligible: false });
    expect(last[1]!.reason).toMatch(/^uptime [0-9.]+% < 95.00%$/);
    expect(BigInt(last[1]!.uptimePpm)).toBeLessThan(950_000n);
  });

  it("a node registered in the month's last period is paid for the share of the month's challenges it was judged in", () => {
    // The attack: join an hour before the month ends, answer the one challenge judged, and claim 100% uptime for a
    // whole month's subsidy. Node 1 joins at height 70, so only period 5 (opened at ~T+80) judges it; it answers it.
    const c = chain("70");
    const before = ops.map((o) => c.balance(addressOf(o)));
    c.block();
    let answered = 0n;
    while (c.time < GENESIS_TIME + 100n) {
      const ch = challenge(c);
      if (ch.period > answered && !ch.judged) {
        const msgs = [answer(0, ch.period, ch.seed), ...(ch.period === 5n ? [answer(1, ch.period, ch.seed)] : [])];
        for (const m of msgs) expect(c.exec(relayer, [m], { dt: 1n }).code).toBe(0);
        answered = ch.period;
      } else c.block([], { dt: 1n });
    }
    c.block([], { dt: 1n }); // month 2: month 1 settles
    const paid = ops.map((o, i) => c.balance(addressOf(o)) - before[i]!);
    expect(paid).toEqual([350n * NUSA, 70n * NUSA, 0n]); // 1 of the month's 5 challenges: 1/5 of 350 NUSA
    const last = subsidyOf(c, 1).lastPaid!;
    expect(last).toMatchObject({ month: 1n, eligible: true, amount: (70n * NUSA).toString() });
    expect(last.reason).toBe("pro-rated: judged in 1 of the month's 5 liveness challenges");
    expect(subsidyOf(c, 0).lastPaid).toMatchObject({ eligible: true, reason: "" });
  });

  it("exports and re-imports the challenge and answers with an equal app hash", () => {
    const c = chain();
    c.block();
    expect(c.exec(relayer, [answer(0, 1n, challenge(c).seed)]).code).toBe(0);
    const exported = c.exportAppState() as { subsidy: Record<string, unknown> };
    expect(exported.subsidy.challenge).toMatchObject({ period: "1", judged: false });
    expect(exported.subsidy.answered).toEqual([{ operator: addressOf(ops[0]!), period: "1" }]);
    const twins = [new TestChain(exported), new TestChain(JSON.parse(JSON.stringify(exported)))];
    chains.push(...twins);
    for (const t of twins) t.init();
    expect(hex(twins[0]!.initHash)).toBe(hex(twins[1]!.initHash));
    twins[0]!.block(); // inside period 1's deadline: nothing in subsidy changes
    expect(twins[0]!.exportAppState().subsidy).toEqual(exported.subsidy);
    // The imported node still cannot answer period 1 twice.
    expect(twins[0]!.exec(relayer, [answer(0, 1n, challenge(twins[0]!).seed)]).code).toBe(7);
  });
});
