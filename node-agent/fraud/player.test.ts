/**
 * The off-chain parties of a fraud game on a real in-process chain: the defender (a node's player) and the
 * watcher's challenger play whole games automatically from their own replays of a real WASI job. Attacks: a node
 * whose machine state was flipped at step N is convicted by verifyStep on exactly that step and slashed 10%; a node
 * that skipped execution, or lied about its output, cannot open its trace and loses at its deadline; a false
 * challenge against an honest node loses 5% of the bond and the node is paid.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { sha256 } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import type { Secp256k1KeyPair } from "../../common/secp256k1.js";
import { openFinalCommitment } from "../../common/wasm/proof/ends.js";
import { ModuleAccount, moduleAddress } from "../../modules/auth/moduleAccounts.js";
import { maxDescentRounds, maxRounds } from "../../modules/fraud/index.js";
import { DisputeType, type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { QueryGameRequest, QueryGameResponse } from "../../proto/gen/dsdn/fraud/v1/query.js";
import { MsgChallenge } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  NUSA,
  type ReceiptParts,
  setupFixture,
  signReceipt,
} from "../../test/support/receiptFixture.js";
import { runJobInline } from "../runtime/runJob.js";
import { fixture } from "../runtime/testing.js";
import { disputeOf } from "../watcher/verdict.js";
import { type FraudChain, GamePlayer } from "./player.js";
import { Replay, type ReplayJob } from "./replay.js";

const BOND = 100n * NUSA;
const TIMEOUT = 60n;
const WINDOW = 120n;
const FEE = 10_000n;
const TREASURY = moduleAddress(ModuleAccount.Treasury);
const INPUT = new TextEncoder().encode("the quick brown fox\njumps over the lazy dog\n");
const WC = fixture("wc.wasm");
const K = 64;
/**
 * The job under the limits its receipt states (fuel 10^7, 16 pages); `fuel` = a node that ran it with other fuel;
 * `fakeCheckpoint` = a node that made that checkpoint's commitment up (wrong-trace).
 */
const job = (tamperAt?: number, fuel = 10_000_000, fakeCheckpoint?: number): ReplayJob => ({
  module: WC,
  opts: { invoke: "_start", input: INPUT, limits: { fuel, memoryPages: 16 }, traceEvery: K },
  ...(tamperAt !== undefined ? { tamperAt } : {}),
  ...(fakeCheckpoint !== undefined ? { fakeCheckpoint } : {}),
});

let fx: Fixture;
beforeAll(async () => {
  fx = await setupFixture({
    validators: 4,
    fraud: { moveTimeoutSeconds: TIMEOUT.toString(), maxStepProofBytes: "65536" },
    receipts: { computeWindowBaseSeconds: WINDOW.toString(), computeWindowMaxSeconds: WINDOW.toString() },
  });
}, 60_000);
afterAll(() => fx?.dispose());

const registry = dsdnRegistry();
/** The in-process chain as a player sees it: every send is its own block. */
function chainOf(key: Secp256k1KeyPair, log: { gas: bigint[] } = { gas: [] }): FraudChain {
  return {
    address: addressOf(key),
    async game(id) {
      try {
        return fx.chain.query("/dsdn.fraud.v1.Query/Game", QueryGameRequest, { id }, QueryGameResponse).game;
      } catch {
        return undefined;
      }
    },
    async send(msg: EncodeObject) {
      const any = { typeUrl: msg.typeUrl, value: registry.encode(msg) };
      // A step proof's verification needs more than the default 400 000 gas (and pays for it).
      const gas = /MsgSubmitStepProof|MsgPinStart/.test(msg.typeUrl) ? { gas: 4_000_000n } : {};
      const r = fx.chain.exec(key, [any], gas);
      if (r.code === 0) log.gas.push(r.gasUsed);
      return { code: r.code, log: r.log ?? "", gasUsed: r.gasUsed };
    },
    async blockTime() {
      return fx.chain.time;
    },
  };
}
const game = (id: bigint): Game =>
  fx.chain.query("/dsdn.fraud.v1.Query/Game", QueryGameRequest, { id }, QueryGameResponse).game!;

let tag = 0;
async function receiptOf(r: Replay, over: { outputHash?: Buffer; root?: Buffer } = {}): Promise<ReceiptParts> {
  const s = r.summary();
  const w = Buffer.alloc(32, 0);
  w.writeUInt32BE(++tag, 0);
  const claims = openFinalCommitment(s.leaves.at(-1)!, s.finalOpening);
  return signReceipt(fx, {
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: w,
    executionCommitment: {
      workloadId: w,
      inputHash: Buffer.from(sha256(INPUT)),
      outputHash: over.outputHash ?? Buffer.from(claims.outputHash, "hex"),
      stateRootBefore: Buffer.alloc(32), // the empty kv state a job starts from
      stateRootAfter: Buffer.from(claims.kvRoot, "hex"),
      executionTraceMerkleRoot: over.root ?? Buffer.from(s.root),
      steps: s.steps,
      traceEvery: s.k,
      outputSize: BigInt(s.output.length),
      moduleHash: Buffer.from(sha256(WC)),
      executionKind: 0,
      fuelLimit: 10_000_000n,
      memoryPages: 16,
    },
    usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 5_000_000n },
  });
}

function challenge(p: ReceiptParts, claim: Buffer, disputeType = DisputeType.DISPUTE_TYPE_INVALID_OUTPUT): bigint {
  const r = fx.chain.exec(fx.carol, [
    packAny("/dsdn.fraud.v1.MsgChallenge", MsgChallenge, {
      challenger: addressOf(fx.carol),
      receipt: Buffer.from(ThresholdReceipt.encode(p.receipt).finish()),
      disputeType,
      claim,
    }),
  ]);
  expect(r.code, r.log).toBe(0);
  return BigInt(r.events.find((e) => e.type === "fraud_challenge")!.attributes.find((a) => a.key === "game_id")!.value);
}

/** Both players tick until the game is over (a block passes between ticks); at most `ticks` rounds. */
async function playOut(id: bigint, players: GamePlayer[], ticks = 200): Promise<Game> {
  for (let i = 0; i < ticks; i++) {
    for (const p of players) await p.tick();
    const g = game(id);
    if (g.status >= GameStatus.GAME_STATUS_FRAUD) return g;
    fx.chain.block([], { dt: 2n });
  }
  throw new Error(`game ${id} did not finish`);
}

function nodeStake(): bigint {
  return BigInt((fx.chain.exportAppState().stake as { nodeStakes: { amount: string }[] }).nodeStakes[0]!.amount);
}

const honest = new Replay(job());
const defender = (r: Replay, gas?: { gas: bigint[] }) =>
  new GamePlayer(chainOf(fx.bob, gas), {
    party: "defender",
    mine: (g) => Buffer.from(g.nodeId).equals(Buffer.from(fx.node.publicKey)),
    replayFor: async () => r,
  });
const watcher = (r: Replay) =>
  new GamePlayer(chainOf(fx.carol), {
    party: "challenger",
    mine: () => true,
    replayFor: async () => r,
    moveTimeoutSeconds: TIMEOUT,
  });

describe("the replay a party plays from", () => {
  it("is the runtime's own run: same trace root, steps, output as the worker's traced run under the same limits", () => {
    const out = runJobInline(WC, job().opts);
    if (out.kind !== "report") throw new Error(out.kind);
    const s = honest.summary();
    expect(Buffer.from(s.root).toString("hex")).toBe(out.report.traceRoot);
    expect(s.steps).toBe(BigInt(out.report.steps));
    expect(Buffer.from(s.output)).toEqual(Buffer.from(out.report.output));
    // The receipt's output hash and state root after are what the final state opens to (checked on chain).
    const claims = openFinalCommitment(s.leaves.at(-1)!, s.finalOpening);
    expect([claims.outputHash, claims.kvRoot]).toEqual([out.report.outputHash, out.report.stateRootAfter]);
  });
  it("a tampered replay differs from the flipped step on, and only from there", () => {
    const t = new Replay(job(300));
    expect(t.commitmentAt(299n)).toEqual(honest.commitmentAt(299n));
    expect(t.commitmentAt(300n)).not.toEqual(honest.commitmentAt(300n));
    expect(t.summary().root).not.toEqual(honest.summary().root);
  });
});

describe("games played by the off-chain parties", () => {
  // First: three proven frauds ban the node, and a banned node's receipt is not paid.
  it("a false challenge against an honest node: the defender proves the step, the challenger loses 5% of the bond, the node is paid", async () => {
    const p = await receiptOf(honest);
    const CAROL = addressOf(fx.carol);
    const carol0 = fx.chain.balance(CAROL);
    const id = challenge(p, Buffer.alloc(32, 0x77));
    // A lying challenger: its story diverges from step 5 on.
    const g = await playOut(id, [defender(honest), watcher(new Replay(job(5)))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(g.lo).toBe(4n);
    expect(BigInt(g.slashed)).toBe(BOND / 20n);
    expect(fx.chain.balance(CAROL)).toBe(carol0 - BigInt(1 + g.rounds) * FEE - BOND / 20n);
    for (let i = 0n; i <= WINDOW / 5n; i++) fx.chain.block();
    const r = fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]);
    expect(r.code, r.log).toBe(0);
  });
  it("wrong-step@N: the watcher's challenger and the node's defender play it down to step N; verifyStep convicts; 10% slashed, challenger repaid bond + reward", async () => {
    // The first flip from the middle on that changes the output (a flipped value that is dropped changes nothing).
    let n = Number(honest.summary().steps / 2n);
    let liar = new Replay(job(n));
    while (Buffer.from(liar.summary().output).equals(Buffer.from(honest.summary().output))) liar = new Replay(job(++n));
    const p = await receiptOf(liar);
    const CAROL = addressOf(fx.carol);
    const stake0 = nodeStake();
    const carol0 = fx.chain.balance(CAROL);
    const treasury0 = fx.chain.balance(TREASURY);
    const gas = { gas: [] as bigint[] };
    const id = challenge(p, Buffer.from(sha256(honest.summary().output)));
    const g = await playOut(id, [defender(liar, gas), watcher(new Replay(job()))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect([g.lo, g.hi]).toEqual([BigInt(n - 1), BigInt(n)]);
    expect(g.reason).toMatch(/does not lead to the defender's commitment/); // verifyStep decided, not a deadline
    expect(g.rounds).toBeLessThanOrEqual(maxRounds(liar.summary().steps, BigInt(K)));
    const slashed = stake0 / 10n;
    expect(nodeStake()).toBe(stake0 - slashed);
    expect(BigInt(g.slashed)).toBe(slashed);
    // Carol paid a fee per tx (the challenge and one answer per round) and got bond + half the slash back.
    expect(fx.chain.balance(CAROL)).toBe(carol0 - BigInt(1 + g.rounds) * FEE + slashed / 2n);
    expect(fx.chain.balance(TREASURY) - treasury0).toBeGreaterThanOrEqual(slashed - slashed / 2n);
    // The receipt is void: never paid.
    for (let i = 0n; i <= WINDOW / 5n; i++) fx.chain.block();
    expect(fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]).code).toBe(22);
  });

  it("a made-up start: a node that ran with more fuel than its receipt states is convicted by the challenger's pin of step 0", async () => {
    // Its trace is a real run with the same output, but from a start its receipt does not describe (fuel 2x): every
    // bisection point differs by the fuel left, so without the pin the game would end in a step that verifies.
    const liar = new Replay(job(undefined, 20_000_000));
    expect(Buffer.from(liar.summary().output)).toEqual(Buffer.from(honest.summary().output));
    const p = await receiptOf(liar);
    const last = Buffer.alloc(8);
    last.writeBigUInt64BE(BigInt(liar.summary().leaves.length - 1));
    const id = challenge(p, last, DisputeType.DISPUTE_TYPE_FAKE_EXECUTION);
    const g = await playOut(id, [defender(liar), watcher(new Replay(job()))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/step 0 is not module/);
    expect(g.rounds).toBe(0); // decided by the pin right after the opening, not by a bisection
  });

  it("an honest node's start is never pinned against it: the challenger only pins a start that differs from its own", async () => {
    const p = await receiptOf(honest);
    const last = Buffer.alloc(8);
    last.writeBigUInt64BE(BigInt(honest.summary().leaves.length - 1));
    const id = challenge(p, last, DisputeType.DISPUTE_TYPE_FAKE_EXECUTION);
    // A lying challenger whose own start is made up (state flipped at step 0) pins; the chain finds the node's start
    // is its job's, pins it, and the game goes on to the challenger's loss.
    const g = await playOut(id, [defender(honest), watcher(new Replay(job(0)))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(g.startPinned).toBe(true);
  });

  it("skip-execution: a node that committed to a made-up trace cannot open it; it loses at its deadline", async () => {
    const p = await receiptOf(honest, { root: Buffer.alloc(32, 0x5a), outputHash: Buffer.alloc(32, 0x5b) });
    const id = challenge(p, Buffer.from(sha256(honest.summary().output)));
    const d = defender(honest);
    const g = await playOut(id, [d, watcher(honest)], 100);
    expect(g.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/defender missed/);
    expect(g.opened).toBe(false);
  });

  it("wrong-output: an honest trace with a false output hash cannot open its final state; it loses at its deadline", async () => {
    const p = await receiptOf(honest, { outputHash: Buffer.alloc(32, 0x42) });
    const id = challenge(p, Buffer.from(sha256(honest.summary().output)));
    const g = await playOut(id, [defender(honest), watcher(honest)], 100);
    expect(g.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/defender missed/);
  });

  it("wrong-trace@N (an honest run, checkpoint N made up): the watcher's verdict is a Merkle descent; it ends on checkpoint N and verifyStep convicts", async () => {
    const N = 12;
    const liar = new Replay(job(undefined, undefined, N));
    expect(Buffer.from(liar.summary().output)).toEqual(Buffer.from(honest.summary().output));
    const p = await receiptOf(liar);
    // What the watcher concludes from its own run: only the trace root differs → a descent (empty claim).
    const ec = p.data.executionCommitment!;
    const dispute = disputeOf(ec, { ...ec, executionTraceMerkleRoot: Buffer.from(honest.summary().root) })!;
    expect(dispute.differs).toEqual(["trace_root"]);
    const gas = { gas: [] as bigint[] };
    const id = challenge(p, Buffer.from(dispute.claim), dispute.type);
    const g = await playOut(id, [defender(liar, gas), watcher(new Replay(job()))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/does not lead to the defender's commitment/);
    expect(Buffer.from(g.claim).readBigUInt64BE(0)).toBe(BigInt(N));
    expect(g.hi).toBe(BigInt(N * K));
    expect(g.rounds).toBeLessThanOrEqual(maxDescentRounds(liar.summary().steps, BigInt(K)));
  });

  it("wrong-trace@0 (a made-up start checkpoint): the descent ends at leaf 0, the game opens step 0 and the watcher's pin convicts", async () => {
    const liar = new Replay(job(undefined, undefined, 0));
    const p = await receiptOf(liar);
    const id = challenge(p, Buffer.alloc(0), DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION);
    const g = await playOut(id, [defender(liar), watcher(new Replay(job()))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/step 0 is not module/);
  });

  it("an honest node against a lying challenger's descent (its own tree has a made-up checkpoint): the challenger loses 5% of the bond", async () => {
    const p = await receiptOf(honest);
    const id = challenge(p, Buffer.alloc(0), DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION);
    const g = await playOut(id, [defender(honest), watcher(new Replay(job(undefined, undefined, 7)))]);
    expect(g.status, g.reason).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(Buffer.from(g.claim).readBigUInt64BE(0)).toBe(7n);
    expect(BigInt(g.slashed)).toBe(BOND / 20n);
  });
});
