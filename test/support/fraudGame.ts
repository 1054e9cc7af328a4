/**
 * @module Fraud games played in process on a receipt fixture's TestChain (bob defends as the node, carol challenges):
 * the compute receipt of a real run, the move messages, and players for the bisection and the Merkle descent that
 * record every move's gas. Shared by modules/fraud/fraud.test.ts and `npm run bench -- fraud`.
 */
import type { Any } from "cosmjs-types/google/protobuf/any";
import type { ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { sha256 } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { midpoint } from "../../modules/fraud/game.js";
import { DisputeType, type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { QueryGameRequest, QueryGameResponse } from "../../proto/gen/dsdn/fraud/v1/query.js";
import {
  MsgBisect,
  MsgChallenge,
  MsgDescend,
  MsgPinStart,
  MsgSubmitStepProof,
} from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { Run } from "./fraudRun.js";
import { type Fixture, type ReceiptParts, signReceipt } from "./receiptFixture.js";
import { addressOf } from "./txBuilder.js";

/** Gas for a step proof or a pin: enough for the largest proof the default cap admits. */
export const PROOF_GAS = 4_000_000n;

/** One move tx of a game and the gas it used. */
export interface Move {
  readonly kind: "challenge" | "opening" | "bisect" | "reveal" | "pick" | "step-proof" | "pin";
  /** Who signed it: the node (defender, bob) or the challenger (carol). */
  readonly by: "node" | "challenger";
  readonly gas: bigint;
  /** The gas limit it was sent with, when not the TestChain's default (what its fee is charged on). */
  readonly gasLimit?: bigint;
}

let tag = 0;
/** A fresh workload id (a counter in its first 4 bytes): every receipt or result of a run is its own workload. */
export function nextWorkloadId(): Buffer {
  const w = Buffer.alloc(32, 0);
  w.writeUInt32BE(++tag, 0);
  return w;
}

/** A compute receipt for the fixture's node committing to `run` (made-up fields without one; `over` overrides). */
export function computeReceipt(
  fx: Fixture,
  run?: Run,
  over: { outputHash?: Buffer; fuelLimit?: bigint; memoryPages?: number; stateRootBefore?: Buffer } = {},
): Promise<ReceiptParts> {
  const w = nextWorkloadId();
  const h = (b: number) => Buffer.alloc(32, b);
  return signReceipt(fx, {
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: w,
    executionCommitment: {
      workloadId: w,
      inputHash: run ? Buffer.from(sha256(run.input)) : h(1),
      outputHash: over.outputHash ?? run?.outputHash ?? h(2),
      stateRootBefore: over.stateRootBefore ?? Buffer.alloc(32), // a job starts from the empty kv state (zero root)
      stateRootAfter: run?.stateRootAfter ?? h(4),
      executionTraceMerkleRoot: run ? Buffer.from(run.root) : h(5),
      steps: run?.steps ?? 1000n,
      traceEvery: run?.k ?? 100n,
      outputSize: 32n,
      moduleHash: Buffer.from(run ? sha256(run.module) : h(6)),
      executionKind: 0,
      fuelLimit: over.fuelLimit ?? run?.fuel ?? 10_000_000n,
      memoryPages: over.memoryPages ?? run?.memoryPages ?? 16,
    },
    usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 5_000_000n },
  });
}

export const receiptBytes = (p: ReceiptParts) => Buffer.from(ThresholdReceipt.encode(p.receipt).finish());

export const challengeMsg = (
  by: string,
  p: ReceiptParts,
  type = DisputeType.DISPUTE_TYPE_INVALID_OUTPUT,
  claim?: Buffer,
): Any =>
  packAny("/dsdn.fraud.v1.MsgChallenge", MsgChallenge, {
    challenger: by,
    receipt: receiptBytes(p),
    disputeType: type,
    claim: claim ?? Buffer.alloc(32, 0x77),
  });

export const bisectMsg = (
  by: string,
  gameId: bigint,
  openings: { step: bigint; commitment: Buffer; path: Buffer[] }[],
  finalOpening?: Uint8Array,
): Any =>
  packAny("/dsdn.fraud.v1.MsgBisect", MsgBisect, {
    signer: by,
    gameId,
    openings,
    finalOpening: Buffer.from(finalOpening ?? new Uint8Array()),
  });

export const proofMsg = (by: string, gameId: bigint, proof: Uint8Array): Any =>
  packAny("/dsdn.fraud.v1.MsgSubmitStepProof", MsgSubmitStepProof, { signer: by, gameId, proof: Buffer.from(proof) });

export const pinMsg = (by: string, gameId: bigint, module: Uint8Array, input: Uint8Array): Any =>
  packAny("/dsdn.fraud.v1.MsgPinStart", MsgPinStart, {
    signer: by,
    gameId,
    module: Buffer.from(module),
    input: Buffer.from(input),
  });

export const descendMsg = (by: string, gameId: bigint, hashes: Uint8Array[], child = 0): Any =>
  packAny("/dsdn.fraud.v1.MsgDescend", MsgDescend, {
    signer: by,
    gameId,
    hashes: hashes.map((h) => Buffer.from(h)),
    child,
  });

export const queryGame = (fx: Fixture, id: bigint): Game =>
  fx.chain.query("/dsdn.fraud.v1.Query/Game", QueryGameRequest, { id }, QueryGameResponse).game!;

/** The move was accepted, or the game's story is broken: throw with the chain's log. */
function accepted(r: ExecTxResult, what: string): ExecTxResult {
  if (r.code !== 0) throw new Error(`${what} refused: ${r.codespace} ${r.code} ${r.log}`);
  return r;
}

/** Carol bonds a challenge on `p`; returns the game id and the challenge tx's gas. */
export function openChallenge(
  fx: Fixture,
  p: ReceiptParts,
  type?: DisputeType,
  claim?: Buffer,
): { id: bigint; gas: bigint } {
  const r = accepted(fx.chain.exec(fx.carol, [challengeMsg(addressOf(fx.carol), p, type, claim)]), "challenge");
  const ev = r.events.find((e) => e.type === "fraud_challenge")!;
  return { id: BigInt(ev.attributes.find((a) => a.key === "game_id")!.value), gas: r.gasUsed };
}

/** Carol pins step 0 of game `id` against the module and input bytes. */
export const pinStart = (fx: Fixture, id: bigint, module: Uint8Array, input: Uint8Array): ExecTxResult =>
  fx.chain.exec(fx.carol, [pinMsg(addressOf(fx.carol), id, module, input)], { gas: PROOF_GAS });

export interface Played {
  readonly game: Game;
  readonly rounds: number;
  readonly proofBytes: number;
  /** Gas of the step-proof tx. */
  readonly gas: bigint;
  /** Every move tx of the bisection, in order (the opening, each midpoint post/answer, the step proof). */
  readonly moves: readonly Move[];
}

/** Plays a game to its verdict: the defender opens and posts from `defender`, the challenger answers from `challenger`. */
export function playGame(fx: Fixture, id: bigint, defender: Run, challenger: Run, prover: Run): Played {
  const BOB = addressOf(fx.bob);
  const CAROL = addressOf(fx.carol);
  const moves: Move[] = [];
  let g = queryGame(fx, id);
  const first = [defender.opening(g.lo), defender.opening(g.hi)];
  if (g.hi - g.lo >= 2n) first.push(defender.opening(midpoint(g.lo, g.hi, g.steps, g.traceEvery)));
  const fin = g.hi === g.steps ? defender.finalOpening : undefined;
  moves.push({
    kind: "opening",
    by: "node",
    gas: accepted(fx.chain.exec(fx.bob, [bisectMsg(BOB, id, first, fin)]), "opening").gasUsed,
  });
  for (;;) {
    g = queryGame(fx, id);
    let r: ExecTxResult;
    const by = g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER ? "challenger" : "node";
    if (g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER) {
      r = fx.chain.exec(fx.carol, [bisectMsg(CAROL, id, [{ ...challenger.opening(g.mid), path: [] }])]);
    } else if (g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER) {
      r = fx.chain.exec(fx.bob, [bisectMsg(BOB, id, [defender.opening(g.mid)])]);
    } else break;
    moves.push({ kind: "bisect", by, gas: accepted(r, `bisection move at ${g.mid}`).gasUsed });
  }
  if (g.status !== GameStatus.GAME_STATUS_AWAIT_STEP_PROOF || g.hi - g.lo !== 1n)
    throw new Error(`the game did not converge to one step: status ${g.status}, [${g.lo}, ${g.hi}]`);
  const proof = prover.stepProof(g.lo);
  const pr = accepted(fx.chain.exec(fx.bob, [proofMsg(BOB, id, proof)], { gas: PROOF_GAS }), "step proof");
  moves.push({ kind: "step-proof", by: "node", gas: pr.gasUsed, gasLimit: PROOF_GAS });
  return { game: queryGame(fx, id), rounds: g.rounds, proofBytes: proof.length, gas: pr.gasUsed, moves };
}

/** A challenge whose checkpoint a Merkle descent finds: InvalidStateTransition with an empty claim. */
export const openDescent = (fx: Fixture, p: ReceiptParts) =>
  openChallenge(fx, p, DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, Buffer.alloc(0));

/** The hashes the defender reveals from `run` at the game's current node (the tree's root too, first). */
export const reveal = (g: Game, run: Run): Buffer[] => {
  const kids = run.children(g.descentDepth, g.descentIndex);
  return g.descentNode.length === 0 ? [Buffer.from(run.treeRoot), ...kids] : kids;
};

/** The leftmost child whose hash differs from the challenger's own tree (`mine`). */
export const leftmostDiffering = (mine: Run) => (g: Game) =>
  Buffer.from(g.descentLeft).equals(mine.children(g.descentDepth, g.descentIndex)[0]) ? 1 : 0;

/** Plays the descent to its leaf: the defender reveals from `defender`, the challenger names `pick(g)`. */
export function playDescent(
  fx: Fixture,
  id: bigint,
  defender: Run,
  pick: (g: Game) => number,
): { game: Game; gas: bigint[]; moves: Move[] } {
  const moves: Move[] = [];
  for (let g = queryGame(fx, id); g.descending; g = queryGame(fx, id)) {
    const defending = g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER;
    const r = defending
      ? fx.chain.exec(fx.bob, [descendMsg(addressOf(fx.bob), id, reveal(g, defender))])
      : fx.chain.exec(fx.carol, [descendMsg(addressOf(fx.carol), id, [], pick(g))]);
    moves.push({
      kind: defending ? "reveal" : "pick",
      by: defending ? "node" : "challenger",
      gas: accepted(r, "descent move").gasUsed,
    });
  }
  return { game: queryGame(fx, id), gas: moves.map((m) => m.gas), moves };
}

/** The fixture's node's bonded stake (the one node every verdict slashes). */
export function nodeStake(fx: Fixture): bigint {
  return BigInt((fx.chain.exportAppState().stake as { nodeStakes: { amount: string }[] }).nodeStakes[0]!.amount);
}
