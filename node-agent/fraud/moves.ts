/**
 * @module What each party of a fraud game posts next, as pure decisions over the game as the chain reports it
 * and the party's own replay of the job: the defender opens the range (lo, hi, the first midpoint, and the final
 * opening when hi is the last step), then posts each midpoint, and proves the last step; the challenger answers
 * each midpoint with its own commitment (after pinning step 0 when the defender's start is not its own run's), and
 * proves the step too when the defender stays silent. In a Merkle descent the defender reveals its checkpoint tree's
 * nodes and the challenger descends into the leftmost child that differs from its own tree.
 */
import { encodeOpeningJson, midpoint } from "../../modules/fraud/index.js";
import { type Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import type { Opening } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import type { Replay } from "./replay.js";

export type Move =
  | { readonly kind: "bisect"; readonly openings: Opening[]; readonly finalOpening?: Uint8Array }
  | { readonly kind: "descend"; readonly hashes: Uint8Array[]; readonly child: number }
  | { readonly kind: "step-proof"; readonly proof: Uint8Array }
  | { readonly kind: "pin-start"; readonly module: Uint8Array; readonly input: Uint8Array };

/** Whether `g` waits for a move by this party. */
export function awaits(g: Game, party: "defender" | "challenger"): boolean {
  if (g.status === GameStatus.GAME_STATUS_AWAIT_STEP_PROOF) return true; // anyone may prove
  return (
    g.status ===
    (party === "defender" ? GameStatus.GAME_STATUS_AWAIT_DEFENDER : GameStatus.GAME_STATUS_AWAIT_CHALLENGER)
  );
}

/** The defender's next move on `g` from its own run (`undefined` when it is not the defender's turn). */
export function defenderMove(g: Game, r: Replay): Move | undefined {
  if (g.status === GameStatus.GAME_STATUS_AWAIT_STEP_PROOF) return { kind: "step-proof", proof: r.stepProof(g.lo) };
  if (g.status !== GameStatus.GAME_STATUS_AWAIT_DEFENDER) return undefined;
  if (g.descending) {
    const kids = r.children(g.descentDepth, g.descentIndex);
    return { kind: "descend", hashes: g.descentNode.length === 0 ? [r.treeRoot(), ...kids] : kids, child: 0 };
  }
  if (g.opened) return { kind: "bisect", openings: [r.opening(g.mid)] };
  const openings = [r.opening(g.lo), r.opening(g.hi)];
  if (g.hi - g.lo >= 2n) openings.push(r.opening(midpoint(g.lo, g.hi, g.steps, g.traceEvery)));
  return g.hi === g.steps
    ? { kind: "bisect", openings, finalOpening: encodeOpeningJson(r.summary().finalOpening) }
    : { kind: "bisect", openings };
}

/**
 * The challenger's answer at the midpoint, or its proof of the last step (`undefined` when not its turn). First, when
 * the defender opened step 0 at another state than its own run's: the pin of step 0 (the chain recomputes the start
 * from module, input and the receipt's limits), since bisecting from an agreed made-up start could only end in a step
 * that verifies.
 */
export function challengerMove(g: Game, r: Replay): Move | undefined {
  if (g.opened && g.lo === 0n && !g.startPinned && !Buffer.from(r.commitmentAt(0n)).equals(Buffer.from(g.loCommitment)))
    return { kind: "pin-start", module: r.job.module, input: r.job.opts.input ?? new Uint8Array(0) };
  if (g.status === GameStatus.GAME_STATUS_AWAIT_STEP_PROOF) return { kind: "step-proof", proof: r.stepProof(g.lo) };
  if (g.status !== GameStatus.GAME_STATUS_AWAIT_CHALLENGER) return undefined;
  if (g.descending) {
    // The leftmost child that differs: every checkpoint left of the node it descends into is then the true one, so
    // the leaf it reaches is a wrong checkpoint whose predecessor is right.
    const [left] = r.children(g.descentDepth, g.descentIndex);
    return { kind: "descend", hashes: [], child: Buffer.from(left).equals(Buffer.from(g.descentLeft)) ? 1 : 0 };
  }
  return { kind: "bisect", openings: [{ step: g.mid, commitment: Buffer.from(r.commitmentAt(g.mid)), path: [] }] };
}
