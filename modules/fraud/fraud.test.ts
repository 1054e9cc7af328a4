/**
 * Fraud games on a real chain (in-process): attacks first — a challenge after the window, without the bond, a
 * second one by the same challenger, a move by a third party or after its deadline, an oversized proof — then
 * full games over a real WASM run down to one step, with the verdict, the 10% slash and the repayment exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sha256 } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { type Secp256k1KeyPair, secp256k1KeyPair } from "../../common/secp256k1.js";
import { decodeStepProof } from "../../common/wasm/proof/codec.js";
import type { FinalOpening } from "../../common/wasm/proof/ends.js";
import { runModule } from "../../common/wasm/run.js";
import { childrenAt, merkleLevels } from "../../common/wasm/trace/hashing.js";
import { traceRootOfTree } from "../../common/wasm/trace/trace.js";
import { signResult } from "../../node-agent/compute/signed.js";
import { wat } from "../../node-agent/runtime/testing.js";
import { DisputeType, type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgChallenge } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import {
  bisectMsg,
  challengeMsg,
  computeReceipt as computeReceiptOn,
  descendMsg,
  leftmostDiffering,
  nextWorkloadId,
  nodeStake as nodeStakeOf,
  openChallenge,
  openDescent,
  pinMsg,
  playDescent,
  playGame,
  proofMsg,
  queryGame,
  receiptBytes,
  reveal,
} from "../../test/support/fraudGame.js";
import { type Run, realRun } from "../../test/support/fraudRun.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  NUSA,
  type ReceiptParts,
  setupFixture,
} from "../../test/support/receiptFixture.js";
import { sendMsg } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { checkpointCount, maxDescentRounds, maxRounds, midpoint, treeDepth } from "./game.js";
import { encodeOpeningJson, runtimeStepVerifier } from "./proofAdapter.js";

const TREASURY = moduleAddress(ModuleAccount.Treasury);
const ESCROW = moduleAddress(ModuleAccount.FraudEscrow);
const FEE = 10_000n;
const BOND = 100n * NUSA;
const TIMEOUT = 200n;
const PROOF_CAP = 65_536n;

const WINDOW = 120n;
let fx: Fixture;
/** A fresh chain per group: every verdict slashes the one node, and three malicious offences ban it. */
function freshChain() {
  beforeAll(async () => {
    fx = await setupFixture({
      validators: 4,
      fraud: { moveTimeoutSeconds: TIMEOUT.toString(), maxStepProofBytes: PROOF_CAP.toString() },
      receipts: { computeWindowBaseSeconds: WINDOW.toString(), computeWindowMaxSeconds: WINDOW.toString() },
    });
  }, 60_000);
  afterAll(() => fx?.dispose());
}
const closeWindow = () => {
  for (let i = 0n; i <= WINDOW / 5n; i++) fx.chain.block();
};

const INPUT = new TextEncoder().encode("the quick brown fox\njumps over the lazy dog\n");

const computeReceipt = (run?: Run, over: Parameters<typeof computeReceiptOn>[2] = {}) =>
  computeReceiptOn(fx, run, over);
const game = (id: bigint): Game => queryGame(fx, id);
const challenge = (p: ReceiptParts, type?: DisputeType, claim?: Buffer): bigint => openChallenge(fx, p, type, claim).id;

describe("challenges an attacker controls", () => {
  freshChain();
  it("refuses a challenge after the window, without the bond, a second one by the same challenger, equal claims", async () => {
    const p = await computeReceipt();
    const CAROL = addressOf(fx.carol);
    // Equal claims: an InvalidOutput claim equal to the receipt's output hash disputes nothing.
    const eq = fx.chain.exec(fx.carol, [challengeMsg(CAROL, p, undefined, Buffer.alloc(32, 2))]);
    expect([eq.codespace, eq.code], eq.log).toEqual(["fraud", 4]);
    // Without the bond: a fresh account holding less than 100 NUSA.
    const poor = secp256k1KeyPair(new Uint8Array(32).fill(0x31));
    expect(fx.chain.exec(fx.alice, [sendMsgTo(addressOf(poor), BOND - 1n)]).code).toBe(0);
    const nb = fx.chain.exec(poor, [challengeMsg(addressOf(poor), p)]);
    expect([nb.codespace, nb.code], nb.log).toEqual(["fraud", 17]);
    // The mempool (CheckTx, which has no block time) admits a challenge; the window is judged in the block.
    expect(fx.chain.check(fx.chain.tx(fx.carol, [challengeMsg(CAROL, p)])).code).toBe(0);
    const before = fx.chain.balance(CAROL);
    const id = challenge(p);
    expect(fx.chain.balance(CAROL)).toBe(before - BOND - FEE);
    expect(fx.chain.balance(ESCROW)).toBeGreaterThanOrEqual(BOND);
    const dup = fx.chain.exec(fx.carol, [challengeMsg(CAROL, p)]);
    expect([dup.codespace, dup.code], dup.log).toEqual(["fraud", 5]);
    expect(game(id).status).toBe(GameStatus.GAME_STATUS_AWAIT_DEFENDER);
    // After the window (20 s here): refused.
    const late = await computeReceipt();
    closeWindow();
    const r = fx.chain.exec(fx.carol, [challengeMsg(CAROL, late)]);
    expect([r.codespace, r.code], r.log).toEqual(["fraud", 3]);
  });

  it("both parties silent: the defender, who must open first, loses at its deadline; the claim stays refused meanwhile", async () => {
    const p = await computeReceipt();
    const id = challenge(p);
    closeWindow(); // the window closed; the game is still open (its deadline is later)
    const disputed = fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]);
    expect([disputed.codespace, disputed.code], disputed.log).toEqual(["receipts", 21]);
    fx.chain.block([], { dt: TIMEOUT });
    const g = game(id);
    expect(g.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/defender missed/);
    const voided = fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]);
    expect([voided.codespace, voided.code], voided.log).toEqual(["receipts", 22]);
  });

  it("refuses a move by a third party and a move after its deadline", async () => {
    const run = realRun("wc.wasm", INPUT, 8n);
    const p = await computeReceipt(run);
    const id = challenge(p);
    const open = [run.opening(0n), run.opening(run.steps), run.opening(midpoint(0n, run.steps, run.steps, run.k))];
    const third = fx.chain.exec(fx.alice, [bisectMsg(addressOf(fx.alice), id, open, run.finalOpening)]);
    expect([third.codespace, third.code], third.log).toEqual(["fraud", 9]);
    const wrongPath = open.map((o, i) => (i === 1 ? { ...o, commitment: Buffer.alloc(32, 9) } : o));
    const forged = fx.chain.exec(fx.bob, [bisectMsg(addressOf(fx.bob), id, wrongPath, run.finalOpening)]);
    expect([forged.codespace, forged.code], forged.log).toEqual(["fraud", 12]);
    const late = fx.chain.exec(fx.bob, [bisectMsg(addressOf(fx.bob), id, open, run.finalOpening)], {
      dt: TIMEOUT + 1n,
    });
    expect([late.codespace, late.code], late.log).toEqual(["fraud", 10]);
    expect(game(id).status).toBe(GameStatus.GAME_STATUS_FRAUD); // swept in that block's end block
  });
});

const sendMsgTo = (to: string, amount: bigint) => sendMsg(addressOf(fx.alice), to, amount);

const play = (id: bigint, defender: Run, challenger: Run, prover: Run) =>
  playGame(fx, id, defender, challenger, prover);
const pin = (id: bigint, module: Uint8Array, input: Uint8Array) => pinMsg(addressOf(fx.carol), id, module, input);

describe("pinning the ends", () => {
  freshChain();
  const BOB = () => addressOf(fx.bob);
  const opened = async (run: Run, over: Parameters<typeof computeReceipt>[1] = {}) => {
    const p = await computeReceipt(run, over);
    const id = challenge(p);
    const open = [run.opening(0n), run.opening(run.steps), run.opening(midpoint(0n, run.steps, run.steps, run.k))];
    return { id, r: fx.chain.exec(fx.bob, [bisectMsg(BOB(), id, open, run.finalOpening)]) };
  };

  it("pins step 0 against module_hash + input + the receipt's limits (initialStepCommitment); a made-up first state is fraud", async () => {
    const honest = realRun("wc.wasm", INPUT, 64n);
    const liar = realRun("wc.wasm", INPUT, 64n, 0n); // even its first state is made up
    const h = await opened(honest);
    expect(h.r.code, h.r.log).toBe(0);
    const l = await opened(liar);
    expect(l.r.code, l.r.log).toBe(0);
    const badInput = fx.chain.exec(fx.carol, [pin(l.id, liar.module, new Uint8Array(1))], { gas: 4_000_000n });
    expect([badInput.codespace, badInput.code], badInput.log).toEqual(["fraud", 16]);
    const badModule = fx.chain.exec(fx.carol, [pin(l.id, new Uint8Array(8), INPUT)], { gas: 4_000_000n });
    expect([badModule.codespace, badModule.code], badModule.log).toEqual(["fraud", 16]);
    const ok = fx.chain.exec(fx.carol, [pin(h.id, honest.module, INPUT)], { gas: 4_000_000n });
    expect(ok.code, ok.log).toBe(0);
    expect(game(h.id).startPinned).toBe(true);
    expect(game(h.id).status).toBe(GameStatus.GAME_STATUS_AWAIT_CHALLENGER); // the game goes on
    const made = fx.chain.exec(fx.carol, [pin(l.id, liar.module, INPUT)], { gas: 4_000_000n });
    expect(made.code, made.log).toBe(0);
    expect(game(l.id).status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(game(l.id).reason).toMatch(/step 0/);
  });

  it("an honest node that ran under its workload's own fuel and memory limits is not convicted by a pin (the receipt binds them)", async () => {
    // Nodes run under the signed spec's fuel (2x the dry run) and memory pages; step 0 holds both, and so does the
    // receipt (committee-checked against the spec), so the chain re-instantiates under the very same limits.
    const honest = realRun("wc.wasm", INPUT, 64n, undefined, { fuel: 1_000_000, memoryPages: 16 });
    const h = await opened(honest);
    expect(h.r.code, h.r.log).toBe(0);
    const pinned = fx.chain.exec(fx.carol, [pin(h.id, honest.module, INPUT)], { gas: 4_000_000n });
    expect(pinned.code, pinned.log).toBe(0);
    expect(game(h.id).status).not.toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(game(h.id).startPinned).toBe(true);
  });

  it.each([
    ["more fuel than the receipt states", { fuel: 2_000_000, memoryPages: 16 }],
    ["more memory than the receipt states", { fuel: 1_000_000, memoryPages: 64 }],
  ])("a made-up start (%s) is convicted through the pin", async (_what, ranWith) => {
    // The node's trace is a real run, but from a start its receipt does not describe: under its stated limits
    // (fuel 1 000 000, 16 pages) the job could run out of fuel or memory where this run did not.
    const liar = realRun("wc.wasm", INPUT, 64n, undefined, ranWith);
    const p = await computeReceipt(liar, { fuelLimit: 1_000_000n, memoryPages: 16 });
    const id = challenge(p);
    const open = [
      liar.opening(0n),
      liar.opening(liar.steps),
      liar.opening(midpoint(0n, liar.steps, liar.steps, liar.k)),
    ];
    const r = fx.chain.exec(fx.bob, [bisectMsg(BOB(), id, open, liar.finalOpening)]);
    expect(r.code, r.log).toBe(0);
    const stake0 = nodeStake();
    const made = fx.chain.exec(fx.carol, [pin(id, liar.module, INPUT)], { gas: 4_000_000n });
    expect(made.code, made.log).toBe(0);
    const g = game(id);
    expect(g.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(g.reason).toMatch(/step 0/);
    expect(BigInt(g.slashed)).toBe(stake0 / 10n); // (the third offence in this group also bans the node)
  });

  it("a receipt whose state_root_before is not the empty kv state cannot be pinned (refused, not fraud)", async () => {
    // Jobs start from the empty kv state (the spec carries none); the chain cannot rebuild another start from a root.
    const honest = realRun("wc.wasm", INPUT, 64n);
    const { id, r } = await opened(honest, { stateRootBefore: Buffer.alloc(32, 3) });
    expect(r.code, r.log).toBe(0);
    const pinned = fx.chain.exec(fx.carol, [pin(id, honest.module, INPUT)], { gas: 4_000_000n });
    expect([pinned.codespace, pinned.code], pinned.log).toEqual(["fraud", 16]);
    expect(pinned.log).toMatch(/state_root_before/);
    expect(game(id).status).not.toBe(GameStatus.GAME_STATUS_FRAUD);
  });

  it("the final commitment must open to the receipt's output hash and state root (rt-host openFinalCommitment)", async () => {
    const honest = realRun("wc.wasm", INPUT, 64n);
    const { id, r } = await opened(honest, { outputHash: Buffer.alloc(32, 0xee) }); // a receipt lying about its output
    expect([r.codespace, r.code], r.log).toEqual(["fraud", 19]);
    const g = game(id);
    const noOpening = fx.chain.exec(fx.bob, [
      bisectMsg(BOB(), id, [honest.opening(0n), honest.opening(honest.steps), honest.opening(g.hi / 2n)]),
    ]);
    expect([noOpening.codespace, noOpening.code], noOpening.log).toEqual(["fraud", 19]);
    fx.chain.block([], { dt: TIMEOUT });
    expect(game(id).status).toBe(GameStatus.GAME_STATUS_FRAUD); // it can never open it: it loses at its deadline
  });
});

describe("a full game over a real run", () => {
  freshChain();
  it("a false accusation against an honest node loses 5% of the bond, and the receipt pays", async () => {
    const k = 8n;
    const honest = realRun("wc.wasm", INPUT, k);
    const lying = realRun("wc.wasm", INPUT, k, 5n); // the challenger's story diverges from step 5
    const p = await computeReceipt(honest);
    const CAROL = addressOf(fx.carol);
    const carol0 = fx.chain.balance(CAROL);
    const id = challenge(p);
    const out = play(id, honest, lying, honest);
    expect(out.game.status).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(out.game.lo).toBe(4n);
    expect(BigInt(out.game.slashed)).toBe(BOND / 20n);
    expect(fx.chain.balance(CAROL)).toBe(carol0 - BigInt(countTxs(out.rounds)) * FEE - BOND / 20n);
    closeWindow();
    const r = fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]);
    expect(r.code, r.log).toBe(0);
  });

  it("a node that tampered one state is caught at that step: slashed exactly 10%, challenger repaid + reward", async () => {
    const k = 64n;
    const honest = realRun("wc.wasm", INPUT, k);
    // The first flip from two thirds in that changes the output (a flip whose value is dropped changes nothing).
    // The honest trace is the runtime's own: the root runModule reports with the same K, and the same step count.
    const own = runModule(honest.module, { invoke: "_start", input: INPUT, traceEvery: Number(k) });
    if (!own.ok) throw new Error(own.refusal.message);
    expect(own.report.traceRoot).toBe(Buffer.from(honest.root).toString("hex"));
    expect(BigInt(own.report.steps)).toBe(honest.steps);
    let flip = (honest.steps * 2n) / 3n;
    let liar = realRun("wc.wasm", INPUT, k, flip);
    while (liar.outputHash.equals(honest.outputHash)) liar = realRun("wc.wasm", INPUT, k, ++flip);
    const p = await computeReceipt(liar);
    const CAROL = addressOf(fx.carol);
    const stake0 = nodeStake();
    const carol0 = fx.chain.balance(CAROL);
    const treasury0 = fx.chain.balance(TREASURY);
    const id = challenge(p);
    const out = play(id, liar, honest, honest);
    expect(out.game.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(out.game.lo).toBe(flip - 1n); // converged on the one flipped step
    expect(out.rounds).toBeLessThanOrEqual(maxRounds(honest.steps, k));
    const slashed = stake0 / 10n;
    expect(nodeStake()).toBe(stake0 - slashed);
    expect(BigInt(out.game.slashed)).toBe(slashed);
    expect(BigInt(out.game.reward)).toBe(slashed / 2n);
    const carolTxs = BigInt(countTxs(out.rounds));
    expect(fx.chain.balance(CAROL)).toBe(carol0 - carolTxs * FEE + slashed / 2n);
    expect(fx.chain.balance(TREASURY) - treasury0).toBeGreaterThanOrEqual(slashed - slashed / 2n);
    // The receipt is void: never paid.
    closeWindow();
    expect(fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]).code).toBe(22);
    console.log(
      `fraud game: ${honest.steps} steps, K=${k}, ${out.rounds} rounds (bound ${maxRounds(honest.steps, k)}), proof ${out.proofBytes} B, verify tx gas ${out.gas}`,
    );
  });

  it("refuses an oversized proof and a proof that does not match the agreed pre-state", async () => {
    const k = 1n;
    const honest = realRun("wc.wasm", INPUT, k);
    const liar = realRun("wc.wasm", INPUT, k, 3n);
    const p = await computeReceipt(liar);
    const claim = Buffer.alloc(8);
    claim.writeBigUInt64BE(3n);
    const id = challenge(p, DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, claim);
    const BOB = addressOf(fx.bob);
    expect(fx.chain.exec(fx.bob, [bisectMsg(BOB, id, [liar.opening(2n), liar.opening(3n)])]).code).toBe(0);
    const big = fx.chain.exec(fx.bob, [proofMsg(BOB, id, new Uint8Array(Number(PROOF_CAP) + 1))], { gas: 4_000_000n });
    expect([big.codespace, big.code], big.log).toEqual(["fraud", 13]);
    const wrong = fx.chain.exec(fx.bob, [proofMsg(BOB, id, honest.stepProof(1n))], { gas: 4_000_000n });
    expect([wrong.codespace, wrong.code], wrong.log).toEqual(["fraud", 14]);
    // The proof travels in the runtime's canonical binary codec: the old tagged JSON, a trailing byte (a second
    // encoding of the same proof) and a truncated proof decide nothing.
    const right = liar.stepProof(2n);
    const json = encodeOpeningJson(decodeStepProof(right) as unknown as FinalOpening);
    for (const bad of [json, Uint8Array.from([...right, 0]), right.subarray(0, right.length - 1)]) {
      const r = fx.chain.exec(fx.bob, [proofMsg(BOB, id, bad)], { gas: 4_000_000n });
      expect([r.codespace, r.code], r.log).toEqual(["fraud", 14]);
    }

    expect(game(id).status).toBe(GameStatus.GAME_STATUS_AWAIT_STEP_PROOF);
  });
  it("ranges of 1 and 2: an InvalidStateTransition over one checkpoint interval of K = 2 and K = 1", async () => {
    for (const k of [1n, 2n]) {
      const honest = realRun("wc.wasm", INPUT, k);
      const liar = realRun("wc.wasm", INPUT, k, 2n * k);
      const p = await computeReceipt(liar);
      const claim = Buffer.alloc(8);
      claim.writeBigUInt64BE(2n); // checkpoint 2 does not follow from checkpoint 1
      const id = challenge(p, DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, claim);
      const out = play(id, liar, honest, honest);
      expect(out.game.status).toBe(GameStatus.GAME_STATUS_FRAUD);
      expect(out.rounds).toBe(k === 1n ? 0 : 1);
    }
  });
});

const challengeDescent = (p: ReceiptParts) => openDescent(fx, p).id;
const descend = (id: bigint, defender: Run, pick: (g: Game) => number) => playDescent(fx, id, defender, pick);

describe("a Merkle descent: only the trace root differs (the node's output, state root and steps are right)", () => {
  freshChain();
  const K = 64n;
  const honest = realRun("wc.wasm", INPUT, K);
  const count = checkpointCount(honest.steps, K); // 1860 steps: 31 checkpoints, a tree 5 deep with one padding leaf

  it("one interior checkpoint made up: the descent finds it, the step into it fails verifyStep: slashed 10%, challenger repaid + reward", async () => {
    const liar = realRun("wc.wasm", INPUT, K, undefined, undefined, [12]);
    expect(liar.outputHash).toEqual(honest.outputHash);
    expect(liar.stateRootAfter).toEqual(honest.stateRootAfter);
    expect(liar.steps).toBe(honest.steps);
    expect(liar.root).not.toEqual(honest.root);
    const p = await computeReceipt(liar);
    const CAROL = addressOf(fx.carol);
    const stake0 = nodeStake();
    const carol0 = fx.chain.balance(CAROL);
    const id = challengeDescent(p);
    const d = descend(id, liar, leftmostDiffering(honest));
    expect(d.game.rounds).toBe(treeDepth(honest.steps, K));
    expect(Buffer.from(d.game.claim).readBigUInt64BE(0)).toBe(12n);
    expect([d.game.lo, d.game.hi]).toEqual([11n * K, 12n * K]);
    const out = play(id, liar, honest, honest);
    expect(out.game.status, out.game.reason).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(out.game.reason).toMatch(/does not lead to the defender's commitment/);
    expect(out.game.hi).toBe(12n * K);
    expect(out.rounds).toBeLessThanOrEqual(maxDescentRounds(honest.steps, K));
    const slashed = stake0 / 10n;
    expect(nodeStake()).toBe(stake0 - slashed);
    expect(BigInt(out.game.reward)).toBe(slashed / 2n);
    // Carol's txs: the challenge, one pick per level, one answer per bisection round.
    const carolTxs = 1n + BigInt(out.rounds);
    expect(fx.chain.balance(CAROL)).toBe(carol0 - carolTxs * FEE + slashed / 2n);
    closeWindow();
    expect(fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), p)]).code).toBe(22);
    console.log(
      `descent game: ${honest.steps} steps, K=${K}, ${count} checkpoints: ${out.rounds} rounds (bound ${maxDescentRounds(honest.steps, K)}: ${treeDepth(honest.steps, K)} descent + bisection), descent move gas ${d.gas.join(",")}, verify tx gas ${out.gas}`,
    );
  });

  it("a wholly made-up tree (every checkpoint, step 0 included): the descent ends at leaf 0, the game opens step 0 and the pin convicts", async () => {
    const liar = realRun("wc.wasm", INPUT, K, undefined, undefined, [...Array(Number(count)).keys()]);
    const p = await computeReceipt(liar);
    const id = challengeDescent(p);
    const d = descend(id, liar, leftmostDiffering(honest));
    expect([d.game.lo, d.game.hi]).toEqual([0n, K]); // leaf 0: InvalidStateTransition{1}, whose range opens step 0
    const open = [liar.opening(0n), liar.opening(K), liar.opening(K / 2n)];
    expect(fx.chain.exec(fx.bob, [bisectMsg(addressOf(fx.bob), id, open)]).code).toBe(0);
    const made = fx.chain.exec(fx.carol, [pin(id, liar.module, INPUT)], { gas: 4_000_000n });
    expect(made.code, made.log).toBe(0);
    expect(game(id).status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(game(id).reason).toMatch(/step 0/);
  });

  it("a root over no tree at all (made up, right output): the defender cannot reveal a tree that binds to it and loses at its deadline", async () => {
    const p = await computeReceipt({ ...honest, root: new Uint8Array(32).fill(0x5a) });
    const id = challengeDescent(p);
    const r = fx.chain.exec(fx.bob, [descendMsg(addressOf(fx.bob), id, reveal(game(id), honest))]);
    expect([r.codespace, r.code], r.log).toEqual(["fraud", 21]);
    fx.chain.block([], { dt: TIMEOUT });
    expect(game(id).status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(game(id).reason).toMatch(/defender missed/);
  });
});

describe("a Merkle descent against an honest node", () => {
  freshChain();
  const K = 64n;
  const honest = realRun("wc.wasm", INPUT, K);
  const BOB = () => addressOf(fx.bob);
  const CAROL = () => addressOf(fx.carol);

  it("a lying challenger descends to where its own tree differs; the honest transition there verifies: it loses 5% of the bond, the node is paid", async () => {
    const lying = realRun("wc.wasm", INPUT, K, undefined, undefined, [20]);
    const p = await computeReceipt(honest);
    const carol0 = fx.chain.balance(CAROL());
    const stake0 = nodeStake();
    const id = challengeDescent(p);
    const d = descend(id, honest, leftmostDiffering(lying));
    expect(Buffer.from(d.game.claim).readBigUInt64BE(0)).toBe(20n);
    const out = play(id, honest, lying, honest);
    expect(out.game.status, out.game.reason).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(BigInt(out.game.slashed)).toBe(BOND / 20n);
    expect(nodeStake()).toBe(stake0);
    expect(fx.chain.balance(CAROL())).toBe(carol0 - (1n + BigInt(out.rounds)) * FEE - BOND / 20n);
    closeWindow();
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB(), p)]);
    expect(r.code, r.log).toBe(0);
  });

  it.each([
    ["always the left child (down to leaf 0: the start, pinned true)", () => 0],
    ["always the right child that is not padding (down to the last checkpoint)", () => 1],
  ])("a challenger who picks %s cannot convict an honest node", async (_what, pick) => {
    const p = await computeReceipt(honest);
    const id = challengeDescent(p);
    const count = checkpointCount(honest.steps, K);
    let refused = false;
    const d = descend(id, honest, (g) => {
      const want = pick();
      // The right child of the last real leaf's parent is padding: refused, so this challenger takes the left.
      const depth = treeDepth(honest.steps, K);
      const first = (2n * g.descentIndex + 1n) << BigInt(depth - g.descentDepth - 1);
      if (want === 1 && first >= count) {
        const r = fx.chain.exec(fx.carol, [descendMsg(CAROL(), id, [], 1)]);
        expect([r.codespace, r.code], r.log).toEqual(["fraud", 11]);
        expect(r.log).toMatch(/padding/);
        refused = true;
        return 0;
      }
      return want;
    });
    expect(refused).toBe(pick() === 1);
    const last = count - 1n;
    expect(Buffer.from(d.game.claim).readBigUInt64BE(0)).toBe(pick() === 0 ? 1n : last);
    const out = play(id, honest, honest, honest);
    expect(out.game.status, out.game.reason).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    if (pick() === 0) expect(out.game.lo).toBe(K - 1n);
  });

  it("refuses a wrong tree root, children that do not hash to the node, non-zero padding, out-of-turn and wrong-kind moves", async () => {
    const p = await computeReceipt(honest);
    const id = challengeDescent(p);
    const g = game(id);
    expect(g.descending).toBe(true);
    const [l, r] = honest.children(0, 0n);
    const tree = Buffer.from(honest.treeRoot);
    const refused = (key: Secp256k1KeyPair, by: string, hashes: Buffer[], child = 0) => {
      const x = fx.chain.exec(key, [descendMsg(by, id, hashes, child)]);
      return [x.codespace, x.code];
    };
    expect(refused(fx.bob, BOB(), [Buffer.from(l), l, r])).toEqual(["fraud", 21]); // not the tree's root
    expect(refused(fx.bob, BOB(), [tree, r, l])).toEqual(["fraud", 21]); // children swapped
    expect(refused(fx.bob, BOB(), [l, r])).toEqual(["fraud", 11]); // the first reveal carries the root
    expect(refused(fx.carol, CAROL(), [], 0)).toEqual(["fraud", 9]); // the defender moves first
    expect(refused(fx.alice, addressOf(fx.alice), [tree, l, r])).toEqual(["fraud", 9]);
    const b = fx.chain.exec(fx.bob, [bisectMsg(BOB(), id, [honest.opening(0n), honest.opening(honest.steps)])]);
    expect([b.codespace, b.code], b.log).toEqual(["fraud", 11]); // no bisection before the descent names a checkpoint
    expect(fx.chain.exec(fx.bob, [descendMsg(BOB(), id, [tree, l, r])]).code).toBe(0);
    expect(refused(fx.carol, CAROL(), [tree], 0)).toEqual(["fraud", 11]); // a pick carries no hashes
    expect(refused(fx.bob, BOB(), [l, r])).toEqual(["fraud", 9]); // the challenger's turn
    expect(honest.children(4, 15n)[1]).toEqual(Buffer.alloc(32)); // the honest tree pads with zero

    // A node whose tree holds junk in the padding slot (past the last checkpoint): every node it reveals hashes
    // right, but the padding child must be zero, so it can never reveal the node over it.
    const levels = merkleLevels([...honest.leaves, new Uint8Array(32).fill(1)]);
    const junk: Run = {
      ...honest,
      root: traceRootOfTree(levels.at(-1)![0]!, Number(checkpointCount(honest.steps, K)), Number(K)),
      treeRoot: levels.at(-1)![0]!,
      children: (depth, index) => childrenAt(levels, depth, index).map((h) => Buffer.from(h)) as [Buffer, Buffer],
    };
    const jid = challengeDescent(await computeReceipt(junk));
    const depth = treeDepth(honest.steps, K);
    for (let i = 0; i < depth - 1; i++) {
      const j = game(jid);
      expect(fx.chain.exec(fx.bob, [descendMsg(BOB(), jid, reveal(j, junk))]).code).toBe(0);
      expect(fx.chain.exec(fx.carol, [descendMsg(CAROL(), jid, [], 1)]).code).toBe(0);
    }
    const at = game(jid);
    expect([at.descentDepth, at.descentIndex]).toEqual([depth - 1, 15n]); // over checkpoint 30 and the padding slot
    const x = fx.chain.exec(fx.bob, [descendMsg(BOB(), jid, reveal(at, junk))]);
    expect([x.codespace, x.code], x.log).toEqual(["fraud", 21]);
    expect(x.log).toMatch(/must be the zero hash/);
  });

  it("deadlines: a silent defender loses the descent; a challenger silent after a reveal loses 5% of its bond", async () => {
    const silentDefender = challengeDescent(await computeReceipt(honest));
    fx.chain.block([], { dt: TIMEOUT });
    expect(game(silentDefender).status).toBe(GameStatus.GAME_STATUS_FRAUD);
    const silentChallenger = challengeDescent(await computeReceipt(honest));
    const g = game(silentChallenger);
    expect(fx.chain.exec(fx.bob, [descendMsg(BOB(), g.id, reveal(g, honest))]).code).toBe(0);
    const late = fx.chain.exec(fx.carol, [descendMsg(CAROL(), g.id, [], 0)], { dt: TIMEOUT + 1n });
    expect([late.codespace, late.code], late.log).toEqual(["fraud", 10]);
    const done = game(silentChallenger);
    expect(done.status).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
    expect(BigInt(done.slashed)).toBe(BOND / 20n);
  });
});

describe("a replica's node-signed result (redundant execution: a dissenting replica gets no receipt)", () => {
  freshChain();
  const signedResult = (run: Run, over: { finishedAtMs?: bigint } = {}) => {
    const w = nextWorkloadId();
    return signResult(
      {
        workloadId: w,
        completed: true,
        reason: "",
        outputCid: "",
        commitment: {
          workloadId: w,
          inputHash: Buffer.from(sha256(run.input)),
          outputHash: run.outputHash,
          stateRootBefore: Buffer.alloc(32),
          stateRootAfter: run.stateRootAfter,
          executionTraceMerkleRoot: Buffer.from(run.root),
          steps: run.steps,
          traceEvery: run.k,
          outputSize: 32n,
          moduleHash: Buffer.from(sha256(run.module)),
          executionKind: 0,
          fuelLimit: run.fuel,
          memoryPages: run.memoryPages,
        },
        computeCycles: 5_000_000n,
        logs: [],
        finishedAtMs: over.finishedAtMs ?? fx.chain.time * 1000n,
      },
      fx.node,
    );
  };
  const challengeResult = (by: Secp256k1KeyPair, bytes: Uint8Array, receipt?: ReceiptParts) =>
    fx.chain.exec(by, [
      packAny("/dsdn.fraud.v1.MsgChallenge", MsgChallenge, {
        challenger: addressOf(by),
        receipt: receipt ? receiptBytes(receipt) : Buffer.alloc(0),
        signedResult: Buffer.from(bytes),
        disputeType: DisputeType.DISPUTE_TYPE_INVALID_OUTPUT,
        claim: Buffer.alloc(32, 0x77),
      }),
    ]);

  it("refuses a forged result, a result with a receipt beside it, and one after its window", async () => {
    const honest = realRun("wc.wasm", INPUT, 64n);
    const good = signedResult(honest);
    const forged = Uint8Array.from(good);
    forged[forged.length - 1]! ^= 1;
    const f = challengeResult(fx.carol, forged);
    expect([f.codespace, f.code], f.log).toEqual(["fraud", 2]);
    expect(f.log).toMatch(/not signed by its node/);
    const both = challengeResult(fx.carol, good, await computeReceipt(honest));
    expect([both.codespace, both.code], both.log).toEqual(["fraud", 2]);
    const old = challengeResult(
      fx.carol,
      signedResult(honest, { finishedAtMs: (fx.chain.time - WINDOW - 1n) * 1000n }),
    );
    expect([old.codespace, old.code], old.log).toEqual(["fraud", 3]);
  });

  it("a false result is convicted by the same game (10% slashed); a true one wins as a false accusation", async () => {
    const k = 64n;
    const honest = realRun("wc.wasm", INPUT, k);
    let flip = (honest.steps * 2n) / 3n;
    let liar = realRun("wc.wasm", INPUT, k, flip);
    while (liar.outputHash.equals(honest.outputHash)) liar = realRun("wc.wasm", INPUT, k, ++flip);
    const stake0 = nodeStake();
    const r = challengeResult(fx.carol, signedResult(liar));
    expect(r.code, r.log).toBe(0);
    const id = BigInt(
      r.events.find((e) => e.type === "fraud_challenge")!.attributes.find((a) => a.key === "game_id")!.value,
    );
    const out = play(id, liar, honest, honest);
    expect(out.game.status).toBe(GameStatus.GAME_STATUS_FRAUD);
    expect(out.game.lo).toBe(flip - 1n);
    expect(nodeStake()).toBe(stake0 - stake0 / 10n);

    const t = challengeResult(fx.carol, signedResult(honest));
    expect(t.code, t.log).toBe(0);
    const tid = BigInt(
      t.events.find((e) => e.type === "fraud_challenge")!.attributes.find((a) => a.key === "game_id")!.value,
    );
    const lying = realRun("wc.wasm", INPUT, k, 5n);
    expect(play(tid, honest, lying, honest).game.status).toBe(GameStatus.GAME_STATUS_FALSE_ACCUSATION);
  });
});

/** Txs carol signed in a game: the challenge and one answer per round. */
const countTxs = (rounds: number) => 1 + rounds;

const nodeStake = () => nodeStakeOf(fx);

it("the round bound: ⌈log2(steps/K)⌉ + log2 K", () => {
  expect(maxRounds(1024n, 16n)).toBe(6 + 4);
  expect(checkpointCount(1000n, 100n)).toBe(11n);
});

it("does not re-instantiate a module with a start function on chain (its start would run on the job's whole fuel)", () => {
  const looping = wat(`(module (func $s (loop $l (br $l))) (start $s) (func (export "_start")))`);
  const limits = { fuel: 1_000_000n, memoryPages: 16 };
  expect(() => runtimeStepVerifier.initialCommitment!(looping, new Uint8Array(), limits)).toThrow(/start function/);
  const plain = wat(`(module (memory (export "memory") 1) (func (export "_start")))`);
  expect(runtimeStepVerifier.initialCommitment!(plain, new Uint8Array(), limits)).toHaveLength(32);
  // A module declaring more initial memory than the chain allocates is not re-instantiated (a 4 GiB job is legal).
  const huge = wat(`(module (memory (export "memory") 2000) (func (export "_start")))`);
  const big = { fuel: 1_000_000n, memoryPages: 65_536 };
  expect(() => runtimeStepVerifier.initialCommitment!(huge, new Uint8Array(), big)).toThrow(/initial memory pages/);
});
