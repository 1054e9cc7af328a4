/** @module One ABCI socket connection: decode frames, queue requests globally, write responses in request order. */

import type { Socket } from "node:net";
import { Request } from "cosmjs-types/tendermint/abci/types";
import type { AbciApplication } from "./application.js";
import { dispatchRequest, encodeLocalResponse, isAppRequest, requestKind } from "./dispatch.js";
import { encodeFrame, FrameDecoder } from "./framing.js";
import type { AbciLogger } from "./logger.js";
import { CANCELLED, type SerialQueue } from "./serialQueue.js";

/**
 * Reading pauses while this many requests of one connection wait for an answer, so a node that
 * floods CheckTx cannot grow the queue without bound; it resumes at half.
 */
const PAUSE_AT = 1024;

/** Requests a block in progress waits for: they go ahead of queued CheckTx and queries (SerialQueue). */
const CONSENSUS_KINDS: ReadonlySet<string> = new Set([
  "initChain",
  "prepareProposal",
  "processProposal",
  "extendVote",
  "verifyVoteExtension",
  "finalizeBlock",
  "commit",
]);

export interface AbciConnectionOptions {
  readonly id: number;
  readonly app: AbciApplication;
  readonly queue: SerialQueue;
  readonly logger: AbciLogger;
  readonly maxFrameBytes?: number;
}

export class AbciConnection {
  readonly id: number;
  readonly #socket: Socket;
  readonly #opts: AbciConnectionOptions;
  readonly #decoder: FrameDecoder;
  /** Settles after the previous response of this connection was written: keeps answers in request order. */
  #tail: Promise<void> = Promise.resolve();
  #waiting = 0;
  /** This connection's requests still in the ordinary lane: while any is, none of its requests may jump ahead. */
  #ordinary = 0;
  #served = 0;
  #closed = false;
  /** True while answers written in this tick are held back to leave in one writev. */
  #corked = false;
  readonly closed: Promise<void>;

  constructor(socket: Socket, options: AbciConnectionOptions) {
    this.id = options.id;
    this.#socket = socket;
    this.#opts = options;
    this.#decoder = new FrameDecoder(
      options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes },
    );
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.#closed = true;
        options.logger.info("ABCI connection closed", { conn: this.id, served: this.#served });
        resolve();
      });
    });
    socket.on("error", (error) => {
      // A reset is what a CometBFT restart looks like; 'close' follows and cleans up.
      options.logger.warn("ABCI connection error", { conn: this.id, error: error.message });
    });
    socket.on("data", (chunk: Buffer) => this.#onData(chunk));
  }

  /** Drops the connection; requests of it that have not started yet are skipped. */
  destroy(): void {
    this.#closed = true;
    this.#socket.destroy();
  }

  #onData(chunk: Buffer): void {
    if (this.#closed) return;
    let bodies: Uint8Array[];
    try {
      bodies = this.#decoder.push(chunk);
    } catch (error) {
      this.#abort("malformed ABCI frame", error);
      return;
    }
    for (const body of bodies) {
      if (this.#closed) return;
      this.#onBody(body);
    }
  }

  #onBody(body: Uint8Array): void {
    let req: Request;
    try {
      req = Request.decode(body);
    } catch (error) {
      this.#abort("undecodable ABCI request", error, { bytes: body.length });
      return;
    }
    const kind = requestKind(req);
    if (kind === undefined) {
      this.#abort("unknown ABCI request type (not ABCI 2.0 / CometBFT v0.38?)", undefined, { bytes: body.length });
      return;
    }
    this.#opts.logger.debug("ABCI request", { conn: this.id, kind });
    const { app, queue, logger } = this.#opts;
    let response: Promise<Uint8Array | typeof CANCELLED>;
    if (isAppRequest(kind)) {
      // A connection's requests run in its own order: a consensus request goes first only when none of
      // this connection's ordinary requests still waits (CometBFT never mixes them on one connection).
      const urgent = CONSENSUS_KINDS.has(kind) && this.#ordinary === 0;
      if (!urgent) this.#ordinary++;
      response = queue.run(
        () => dispatchRequest(app, req, kind, logger),
        () => this.#closed,
        urgent,
      );
      if (!urgent)
        response = response.finally(() => {
          this.#ordinary--;
        });
    } else {
      // Echo and Flush skip the app, but still wait their turn on #tail: a Flush answer must
      // follow every earlier answer on this connection.
      response = Promise.resolve(encodeLocalResponse(req, kind));
    }

    this.#waiting++;
    if (this.#waiting === PAUSE_AT) this.#socket.pause();
    this.#tail = this.#tail
      .then(() => response)
      .then((bytes) => {
        this.#waiting--;
        if (this.#waiting === PAUSE_AT / 2 && !this.#closed) this.#socket.resume();
        if (bytes === CANCELLED || this.#closed) return;
        this.#served++;
        this.#write(encodeFrame(bytes));
      })
      .catch((error: unknown) => this.#abort("failed to answer ABCI request", error, { kind }));
  }

  /**
   * CometBFT pipelines requests (a recheck after every block is one CheckTx per mempool tx), so many
   * answers become ready in one tick: corking until the tick ends sends them in one system call
   * instead of one each. Order is unchanged; nothing waits longer than the current tick.
   */
  #write(frame: Uint8Array): void {
    if (!this.#corked) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(() => {
        this.#corked = false;
        this.#socket.uncork();
      });
    }
    this.#socket.write(frame);
  }

  #abort(reason: string, error?: unknown, fields: Record<string, string | number> = {}): void {
    this.#opts.logger.error(`${reason}; closing ABCI connection`, {
      conn: this.id,
      ...fields,
      ...(error === undefined ? {} : { error: error instanceof Error ? error.message : String(error) }),
    });
    this.destroy();
  }
}
