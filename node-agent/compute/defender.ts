/**
 * @module The defender in a storage node: plays every fraud game against this node's compute receipts, from the
 * job record kept with the trace (execute.ts: the spec, named by the trace root the receipt carries). Module and
 * input are fetched again by CID and checked against the signed hashes; the checkpoints are recomputed (fraud
 * replay). Signed with the node operator's chain key; moves are bounded (GamePlayer) and polled, so a game is
 * answered within a poll period of each move, well inside the chain's per-move deadline.
 */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { bytesEqual, sha256, toHex } from "../../common/hash.js";
import type { Game } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { parseFault, replayFault } from "../fraud/fault.js";
import { type FraudChain, GamePlayer } from "../fraud/player.js";
import { Replay } from "../fraud/replay.js";
import type { NodeIdentity } from "../storage/identity.js";
import { fetchObjectBounded } from "./agent.js";
import { loadJobRecord, runOptionsOf } from "./execute.js";

export interface DefenderOptions {
  readonly chain: FraudChain;
  readonly identity: NodeIdentity;
  readonly traceDir: string;
  readonly objectsUrl: string;
  readonly chainId: string;
  readonly pollMs?: number;
  readonly log?: (line: string) => void;
}

async function fetchSigned(base: string, cid: string, size: bigint, hash: Uint8Array): Promise<Uint8Array> {
  const bytes = cid === "" ? new Uint8Array(0) : await fetchObjectBounded(base, cid, Number(size));
  if (bytes.length !== Number(size) || !bytesEqual(sha256(bytes), hash))
    throw new BaseError(ErrorCode.Integrity, `object ${cid}: bytes do not match the signed hash and size`);
  return bytes;
}

export class Defender {
  readonly player: GamePlayer;
  readonly #pollMs: number;
  readonly #log: (line: string) => void;
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;
  #stopped = false;

  constructor(o: DefenderOptions) {
    this.#pollMs = o.pollMs ?? 1000;
    this.#log = o.log ?? (() => {});
    this.player = new GamePlayer(o.chain, {
      party: "defender",
      mine: (g) => bytesEqual(g.nodeId, o.identity.publicKey),
      replayFor: (g) => this.#replayFor(o, g),
      log: this.#log,
    });
  }

  async #replayFor(o: DefenderOptions, g: Game): Promise<Replay | undefined> {
    const rec = loadJobRecord(o.traceDir, toHex(g.traceRoot));
    if (!rec) {
      this.#log(`fraud game ${g.id}: no job record for trace root ${toHex(g.traceRoot)} (window passed?)`);
      return undefined;
    }
    const spec = rec.spec;
    const module = await fetchSigned(o.objectsUrl, spec.moduleCid, spec.moduleSize, spec.moduleHash);
    const input = await fetchSigned(o.objectsUrl, spec.inputCid, spec.inputSize, spec.inputHash);
    const fault = rec.fault ? parseFault(rec.fault, o.chainId) : undefined;
    return new Replay({
      module,
      opts: runOptionsOf(spec, input),
      ...replayFault(fault),
    });
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#busy = this.player
        .tick()
        .catch((e) => this.#log(`defender: ${(e as Error).message}`))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#pollMs);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
  }
}
