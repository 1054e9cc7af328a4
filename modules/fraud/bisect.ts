/**
 * @module MsgBisect: one move of the bisection game. The defender's first move opens the range ends (and the
 * first midpoint), each proven against the receipt's trace root; afterwards it posts the midpoint's commitment
 * (proven when the midpoint is a checkpoint). The challenger answers with its own commitment at that midpoint:
 * equal → the lower half is agreed (lo = mid), different → it is disputed (hi = mid). At hi − lo = 1 a one-step
 * proof is due. `nextState` is the pure transition; the handler authorizes, checks the deadline and stores.
 */
import type { Context } from "../../chain-app/context.js";
import type { MsgDef } from "../../chain-app/module.js";
import { toHex } from "../../common/hash.js";
import { type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgBisect, MsgBisectResponse, type Opening } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { FraudErrors } from "./errors.js";
import { moveEvent } from "./events.js";
import { checkpointCount, checkpointIndexAt, midpoint } from "./game.js";
import { type FraudKeeper, isOpen } from "./keeper.js";
import { hashEqual, MAX_FINAL_OPENING_BYTES, type StepVerifier } from "./proofAdapter.js";

export const MSG_BISECT_TYPE_URL = "/dsdn.fraud.v1.MsgBisect";
const MAX_OPENINGS = 3;
const MAX_PATH = 64;

/** Loads an open game for a move by `signer`: unknown, resolved, moot or expired games refuse the move. */
export function gameForMove(ctx: Context, keeper: FraudKeeper, id: bigint): Game {
  const g = keeper.getGame(ctx, id);
  if (!g) throw FraudErrors.UnknownGame.wrap(id.toString());
  if (!isOpen(g)) throw FraudErrors.GameOver.wrap(g.reason);
  const timeKnown = ctx.block.timeSeconds > 0n || ctx.mode === "finalize"; // CheckTx carries no block time
  if (timeKnown && ctx.block.timeSeconds >= g.deadline)
    throw FraudErrors.DeadlinePassed.wrap(`deadline ${g.deadline}, block time ${ctx.block.timeSeconds}`);
  return g;
}

/** After the range [lo, hi] changed: a step proof is due, or the defender posts the next midpoint. */
function advance(g: Game, deadline: bigint): Game {
  if (g.hi - g.lo <= 1n) return { ...g, status: GameStatus.GAME_STATUS_AWAIT_STEP_PROOF, deadline };
  return {
    ...g,
    status: GameStatus.GAME_STATUS_AWAIT_DEFENDER,
    mid: midpoint(g.lo, g.hi, g.steps, g.traceEvery),
    deadline,
  };
}

function checkOpening(g: Game, o: Opening, step: bigint, v: StepVerifier): void {
  if (o.step !== step) throw FraudErrors.InvalidMove.wrap(`expected an opening at step ${step}, got ${o.step}`);
  if (o.commitment.length !== 32) throw FraudErrors.InvalidMove.wrap("commitment must be 32 bytes");
  const index = checkpointIndexAt(step, g.steps, g.traceEvery);
  if (index === undefined) {
    if (o.path.length !== 0) throw FraudErrors.InvalidMove.wrap(`step ${step} is not a checkpoint: no path`);
    return;
  }
  if (o.path.length > MAX_PATH || o.path.some((h) => h.length !== 32))
    throw FraudErrors.InvalidCheckpointProof.wrap("path of 32-byte hashes, at most 64");
  if (!v.checkpoint(g.traceRoot, index, checkpointCount(g.steps, g.traceEvery), g.traceEvery, o.commitment, o.path))
    throw FraudErrors.InvalidCheckpointProof.wrap(`checkpoint ${index} (step ${step})`);
}

/**
 * The defender's final commitment (at step `steps`) must open to what the receipt states — its output hash and
 * state root after — and to `steps`: the trace it defends is the run the receipt describes.
 */
function checkFinal(g: Game, final: Uint8Array, opening: Uint8Array, v: StepVerifier): void {
  if (!v.openFinal) return;
  if (opening.length === 0) throw FraudErrors.InvalidFinalOpening.wrap("the opening move at the last step opens it");
  let c: { outputHash: string; kvRoot: string; steps: number };
  try {
    c = v.openFinal(final, opening, MAX_FINAL_OPENING_BYTES);
  } catch (e) {
    throw FraudErrors.InvalidFinalOpening.wrap((e as Error).message);
  }
  if (c.outputHash !== toHex(g.outputHash)) throw FraudErrors.InvalidFinalOpening.wrap(`output hash ${c.outputHash}`);
  if (c.kvRoot !== toHex(g.stateRootAfter)) throw FraudErrors.InvalidFinalOpening.wrap(`kv root ${c.kvRoot}`);
  if (BigInt(c.steps) !== g.steps) throw FraudErrors.InvalidFinalOpening.wrap(`${c.steps} steps`);
}

/** The pure transition of one bisection move; throws a registered error when the move is not allowed. */
export function nextState(
  g: Game,
  signer: string,
  openings: readonly Opening[],
  v: StepVerifier,
  deadline: bigint,
  finalOpening: Uint8Array = new Uint8Array(),
): Game {
  if (g.descending) throw FraudErrors.InvalidMove.wrap("the game is in its Merkle descent (MsgDescend)");
  if (g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER) {
    if (signer !== g.defender) throw FraudErrors.NotYourMove.wrap(`the defender ${g.defender} moves`);
    if (!g.opened) {
      const wide = g.hi - g.lo >= 2n;
      if (openings.length !== (wide ? 3 : 2))
        throw FraudErrors.InvalidMove.wrap(`the opening move opens lo, hi${wide ? " and the midpoint" : ""}`);
      checkOpening(g, openings[0]!, g.lo, v);
      checkOpening(g, openings[1]!, g.hi, v);
      if (g.hi === g.steps) checkFinal(g, openings[1]!.commitment, finalOpening, v);
      const opened: Game = {
        ...g,
        opened: true,
        loCommitment: Buffer.from(openings[0]!.commitment),
        hiCommitment: Buffer.from(openings[1]!.commitment),
      };
      if (!wide) return advance(opened, deadline);
      const mid = midpoint(g.lo, g.hi, g.steps, g.traceEvery);
      checkOpening(g, openings[2]!, mid, v);
      return {
        ...opened,
        status: GameStatus.GAME_STATUS_AWAIT_CHALLENGER,
        mid,
        midCommitment: Buffer.from(openings[2]!.commitment),
        deadline,
      };
    }
    if (openings.length !== 1) throw FraudErrors.InvalidMove.wrap("post exactly the midpoint");
    checkOpening(g, openings[0]!, g.mid, v);
    return {
      ...g,
      status: GameStatus.GAME_STATUS_AWAIT_CHALLENGER,
      midCommitment: Buffer.from(openings[0]!.commitment),
      deadline,
    };
  }
  if (g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER) {
    if (signer !== g.challenger) throw FraudErrors.NotYourMove.wrap(`the challenger ${g.challenger} moves`);
    const o = openings[0];
    if (openings.length !== 1 || !o || o.step !== g.mid || o.commitment.length !== 32)
      throw FraudErrors.InvalidMove.wrap(`post your 32-byte commitment at step ${g.mid}`);
    const agreed = hashEqual(o.commitment, g.midCommitment);
    const halved: Game = agreed
      ? { ...g, lo: g.mid, loCommitment: g.midCommitment }
      : { ...g, hi: g.mid, hiCommitment: g.midCommitment };
    return advance({ ...halved, rounds: g.rounds + 1, midCommitment: Buffer.alloc(0) }, deadline);
  }
  throw FraudErrors.InvalidMove.wrap("a one-step proof is due (MsgSubmitStepProof)");
}

export function msgBisect(keeper: FraudKeeper, verifier: StepVerifier): MsgDef<MsgBisect> {
  return {
    typeUrl: MSG_BISECT_TYPE_URL,
    codec: MsgBisect,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.openings.length === 0 || m.openings.length > MAX_OPENINGS)
        throw FraudErrors.InvalidMove.wrap(`1..${MAX_OPENINGS} openings`);
      if (m.openings.some((o) => o.path.length > MAX_PATH)) throw FraudErrors.InvalidMove.wrap("path too long");
      if (m.finalOpening.length > MAX_FINAL_OPENING_BYTES)
        throw FraudErrors.InvalidFinalOpening.wrap(`at most ${MAX_FINAL_OPENING_BYTES} bytes`);
    },
    handle(ctx, m) {
      const g = keeper.getGame(ctx, m.gameId);
      const moot = g && keeper.resolveIfMoot(ctx, g);
      const cur = moot ?? gameForMove(ctx, keeper, m.gameId);
      let next = cur;
      if (!moot) {
        const p = keeper.getParams(ctx);
        next = nextState(
          cur,
          m.signer,
          m.openings,
          verifier,
          ctx.block.timeSeconds + p.moveTimeoutSeconds,
          m.finalOpening,
        );
        keeper.update(ctx, cur, next);
        ctx.emit(moveEvent(next, m.signer, m.signer === cur.defender ? "defender_post" : "challenger_post"));
      }
      return {
        typeUrl: "/dsdn.fraud.v1.MsgBisectResponse",
        value: MsgBisectResponse.encode({ status: next.status }).finish(),
      };
    },
  };
}
