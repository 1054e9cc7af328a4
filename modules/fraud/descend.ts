/**
 * @module MsgDescend: the Merkle descent of an InvalidStateTransition with an empty claim. It finds the checkpoint to
 * dispute when the node's trace root differs from the true one but its ends (output, state root, steps) agree —
 * bisection between two agreed ends cannot. The defender reveals its checkpoint tree's root (bound to the trace root
 * with the checkpoint count and K) and, at each level, the current node's two children (hashNode(l, r) = node; a child
 * wholly past the last checkpoint is padding, the zero hash by construction); the challenger names the child to
 * descend into (the leftmost that differs from its own tree). At a leaf i the game goes on as
 * InvalidStateTransition{i} (leaf 0: {1}, whose range opens step 0 for the pin). `descendState` is the pure transition.
 */

import { u64be } from "../../chain-app/encoding.js";
import type { MsgDef } from "../../chain-app/module.js";
import { type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgDescend, MsgDescendResponse } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { addressBytesOf } from "../auth/keeper.js";
import { gameForMove } from "./bisect.js";
import { FraudErrors } from "./errors.js";
import { moveEvent } from "./events.js";
import { checkpointCount, checkpointStep, descentCheckpoint, firstLeafOf, treeDepth } from "./game.js";
import type { FraudKeeper } from "./keeper.js";
import { hashEqual, type StepVerifier } from "./proofAdapter.js";

export const MSG_DESCEND_TYPE_URL = "/dsdn.fraud.v1.MsgDescend";
const ZERO = new Uint8Array(32);

/** The pure transition of one descent move; throws a registered error when the move is not allowed. */
export function descendState(
  g: Game,
  signer: string,
  hashes: readonly Uint8Array[],
  child: number,
  v: StepVerifier,
  deadline: bigint,
): Game {
  if (!g.descending) throw FraudErrors.InvalidMove.wrap("the game is not in a Merkle descent");
  const count = checkpointCount(g.steps, g.traceEvery);
  const depth = treeDepth(g.steps, g.traceEvery);
  if (g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER) {
    if (signer !== g.defender) throw FraudErrors.NotYourMove.wrap(`the defender ${g.defender} moves`);
    const first = g.descentNode.length === 0;
    if (hashes.length !== (first ? 3 : 2) || hashes.some((h) => h.length !== 32))
      throw FraudErrors.InvalidMove.wrap(`reveal ${first ? "the tree's root and its" : "the node's"} two children`);
    const node = first ? hashes[0]! : g.descentNode;
    const [left, right] = first ? [hashes[1]!, hashes[2]!] : [hashes[0]!, hashes[1]!];
    if (first && !v.treeRoot(g.traceRoot, node, count, g.traceEvery))
      throw FraudErrors.InvalidDescent.wrap(
        `the tree's root does not bind to the trace root with ${count} checkpoints`,
      );
    if (!v.treeNode(node, left, right))
      throw FraudErrors.InvalidDescent.wrap(
        `children do not hash to node ${g.descentIndex} at depth ${g.descentDepth}`,
      );
    // Padding is zero in every honest tree: a node that padded with anything else committed to no checkpoint list.
    const rightFirst = firstLeafOf(g.descentDepth + 1, 2n * g.descentIndex + 1n, depth);
    if (rightFirst >= count && !hashEqual(right, ZERO))
      throw FraudErrors.InvalidDescent.wrap("the right child is past the last checkpoint: it must be the zero hash");
    return {
      ...g,
      status: GameStatus.GAME_STATUS_AWAIT_CHALLENGER,
      descentNode: Buffer.from(node),
      descentLeft: Buffer.from(left),
      descentRight: Buffer.from(right),
      deadline,
    };
  }
  if (g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER) {
    if (signer !== g.challenger) throw FraudErrors.NotYourMove.wrap(`the challenger ${g.challenger} moves`);
    if (hashes.length !== 0 || (child !== 0 && child !== 1))
      throw FraudErrors.InvalidMove.wrap("name the child to descend into: 0 (left) or 1 (right), no hashes");
    const d = g.descentDepth + 1;
    const index = 2n * g.descentIndex + BigInt(child);
    if (firstLeafOf(d, index, depth) >= count)
      throw FraudErrors.InvalidMove.wrap(`child ${child} is padding: past the last checkpoint ${count - 1n}`);
    const node = child === 0 ? g.descentLeft : g.descentRight;
    const stepped: Game = {
      ...g,
      rounds: g.rounds + 1,
      descentDepth: d,
      descentIndex: index,
      descentNode: Buffer.from(node),
      descentLeft: Buffer.alloc(0),
      descentRight: Buffer.alloc(0),
      status: GameStatus.GAME_STATUS_AWAIT_DEFENDER,
      deadline,
    };
    if (d < depth) return stepped;
    // A leaf: the node's checkpoint `index`, the leftmost differing one when the challenger picked well. The game goes
    // on as InvalidStateTransition{i}: the defender opens i − 1 and i against the trace root, then bisects.
    const i = descentCheckpoint(index);
    return {
      ...stepped,
      descending: false,
      claim: Buffer.from(u64be(i)),
      lo: checkpointStep(i - 1n, g.steps, g.traceEvery),
      hi: checkpointStep(i, g.steps, g.traceEvery),
      opened: false,
    };
  }
  throw FraudErrors.InvalidMove.wrap("the game is not waiting for a descent move");
}

export function msgDescend(keeper: FraudKeeper, verifier: StepVerifier): MsgDef<MsgDescend> {
  return {
    typeUrl: MSG_DESCEND_TYPE_URL,
    codec: MsgDescend,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.hashes.length > 3 || m.hashes.some((h) => h.length !== 32))
        throw FraudErrors.InvalidMove.wrap("at most 3 hashes of 32 bytes");
      if (m.child > 1) throw FraudErrors.InvalidMove.wrap("child is 0 (left) or 1 (right)");
    },
    handle(ctx, m) {
      const g = keeper.getGame(ctx, m.gameId);
      const moot = g && keeper.resolveIfMoot(ctx, g);
      const cur = moot ?? gameForMove(ctx, keeper, m.gameId);
      let next = cur;
      if (!moot) {
        const p = keeper.getParams(ctx);
        next = descendState(cur, m.signer, m.hashes, m.child, verifier, ctx.block.timeSeconds + p.moveTimeoutSeconds);
        keeper.update(ctx, cur, next);
        ctx.emit(moveEvent(next, m.signer, m.signer === cur.defender ? "descent_reveal" : "descent_pick"));
      }
      return {
        typeUrl: "/dsdn.fraud.v1.MsgDescendResponse",
        value: MsgDescendResponse.encode({ status: next.status }).finish(),
      };
    },
  };
}
