/**
 * @module Plays one side of every fraud game that concerns it: discovers games by id (ids are sequential, so a
 * restarted player finds its games again from the chain alone), keeps the open ones, and on each tick posts the
 * party's move (moves.ts) — bounded attempts per game state, so a move the chain refuses is not retried forever
 * and the party loses at its deadline as the chain decides. The challenger proves the last step only once half
 * of the move's time has passed without the defender's proof.
 */
import type { EncodeObject } from "@cosmjs/proto-signing";
import { bisectMsg, descendMsg, pinStartMsg, submitStepProofMsg } from "../../clients/sdk/fraud.js";
import { type Game, GameStatus, gameStatusToJSON } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { awaits, challengerMove, defenderMove } from "./moves.js";
import type { Replay } from "./replay.js";

/** The chain as a player sees it. */
export interface FraudChain {
  /** The party's account address (bech32). */
  readonly address: string;
  /** The game, or undefined when no game has that id (yet). */
  game(id: bigint): Promise<Game | undefined>;
  /** Signs and broadcasts one message; resolves with the tx's result. */
  send(msg: EncodeObject): Promise<{ code: number; log: string; gasUsed: bigint }>;
  /** The latest block's time (seconds). */
  blockTime(): Promise<bigint>;
}

export type Party = "defender" | "challenger";

export interface PlayerOptions {
  readonly party: Party;
  /** Whether `g` is this party's game (beyond the address: the defender checks its node id). */
  readonly mine: (g: Game) => boolean;
  /** The party's own replay of the game's job, or undefined when it cannot have one (then it stays silent). */
  readonly replayFor: (g: Game) => Promise<Replay | undefined>;
  /** Attempts per game state before giving up on it (default 3). */
  readonly maxAttempts?: number;
  /** Games discovered per tick at most (default 100). */
  readonly discoverPerTick?: number;
  /** The first game id to look at (default 1). */
  readonly fromId?: bigint;
  /** The chain's move timeout (seconds): the challenger proves when half of it has passed. */
  readonly moveTimeoutSeconds?: bigint;
  readonly log?: (line: string) => void;
  /** Called once per finished game of this party. */
  readonly onVerdict?: (g: Game) => void;
  /** Called after every accepted move (gas used, the move's kind). */
  readonly onMove?: (g: Game, kind: string, gasUsed: bigint, bytes: number) => void;
}

const FINISHED = new Set([
  GameStatus.GAME_STATUS_FRAUD,
  GameStatus.GAME_STATUS_FALSE_ACCUSATION,
  GameStatus.GAME_STATUS_MOOT,
]);

export class GamePlayer {
  readonly #chain: FraudChain;
  readonly #o: PlayerOptions;
  readonly #log: (line: string) => void;
  #next: bigint;
  readonly #open = new Map<bigint, { replay?: Replay; state: string; attempts: number }>();
  readonly #finished = new Map<bigint, Game>();

  constructor(chain: FraudChain, o: PlayerOptions) {
    this.#chain = chain;
    this.#o = o;
    this.#next = o.fromId ?? 1n;
    this.#log = o.log ?? (() => {});
  }

  /** Finished games of this party, by id. */
  get finished(): ReadonlyMap<bigint, Game> {
    return this.#finished;
  }
  get openGames(): number {
    return this.#open.size;
  }

  #isMine(g: Game): boolean {
    const who = this.#o.party === "defender" ? g.defender : g.challenger;
    return who === this.#chain.address && this.#o.mine(g);
  }

  /** One round: new games, then a move on each open game that waits for this party. */
  async tick(): Promise<void> {
    for (let n = 0; n < (this.#o.discoverPerTick ?? 100); n++) {
      const g = await this.#chain.game(this.#next);
      if (!g) break;
      if (this.#isMine(g)) this.#open.set(g.id, { state: "", attempts: 0 });
      this.#next++;
    }
    for (const id of [...this.#open.keys()]) {
      try {
        await this.#play(id);
      } catch (e) {
        this.#log(`fraud game ${id}: ${(e as Error).message}`);
      }
    }
  }

  async #play(id: bigint): Promise<void> {
    const slot = this.#open.get(id)!;
    const g = await this.#chain.game(id);
    if (!g) return;
    if (FINISHED.has(g.status)) {
      this.#open.delete(id);
      this.#finished.set(id, g);
      this.#log(`fraud game ${id}: ${gameStatusToJSON(g.status)} (${g.reason})`);
      this.#o.onVerdict?.(g);
      return;
    }
    if (!awaits(g, this.#o.party)) return;
    const state = `${g.status}:${g.lo}:${g.hi}:${g.mid}:${g.opened}:${g.startPinned}:${g.descentDepth}:${g.descentIndex}`;
    if (slot.state !== state) {
      slot.state = state;
      slot.attempts = 0;
    }
    if (slot.attempts >= (this.#o.maxAttempts ?? 3)) return;
    const pinDue = this.#o.party === "challenger" && g.opened && g.lo === 0n && !g.startPinned;
    if (this.#o.party === "challenger" && g.status === GameStatus.GAME_STATUS_AWAIT_STEP_PROOF && !pinDue) {
      // The defender is expected to prove; the challenger steps in once half the move's time has gone.
      const half = (this.#o.moveTimeoutSeconds ?? 0n) / 2n;
      if ((await this.#chain.blockTime()) < g.deadline - half) return;
    }
    slot.replay ??= await this.#o.replayFor(g);
    if (!slot.replay) return;
    const move = this.#o.party === "defender" ? defenderMove(g, slot.replay) : challengerMove(g, slot.replay);
    if (!move) return;
    slot.attempts++;
    const address = this.#chain.address;
    const msg =
      move.kind === "bisect"
        ? bisectMsg({ signer: address, gameId: id, openings: move.openings, finalOpening: move.finalOpening })
        : move.kind === "descend"
          ? descendMsg({ signer: address, gameId: id, hashes: move.hashes, child: move.child })
          : move.kind === "pin-start"
            ? pinStartMsg({ signer: address, gameId: id, module: move.module, input: move.input })
            : submitStepProofMsg({ signer: address, gameId: id, proof: move.proof });
    const r = await this.#chain.send(msg);
    if (r.code !== 0) {
      this.#log(`fraud game ${id}: ${move.kind} refused (attempt ${slot.attempts}): ${r.log}`);
      return;
    }
    const bytes =
      move.kind === "step-proof"
        ? move.proof.length
        : move.kind === "pin-start"
          ? move.module.length + move.input.length
          : move.kind === "descend"
            ? 32 * move.hashes.length
            : (move.finalOpening?.length ?? 0);
    this.#o.onMove?.(g, move.kind, r.gasUsed, bytes);
  }
}
