/** @module One global queue that runs ABCI requests from every connection strictly one at a time, consensus requests first. */

import { performance } from "node:perf_hooks";

interface Job {
  readonly run: () => Promise<unknown>;
  readonly isCancelled: () => boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * A drain that ran this long (ms of wall time) lets the event loop poll the sockets before the next job:
 * jobs that answer synchronously chain as microtasks, so without a pause a queue of a thousand CheckTx
 * would keep a consensus request unread (and every answer unsent) until the last one. Short enough to
 * bound that wait, long enough that the answers of one slice still leave in one writev.
 */
const SLICE_MS = 1;

/** Resolved value of a job skipped because its requester went away before it started. */
export const CANCELLED: unique symbol = Symbol("cancelled");

/**
 * Like the Go server's single app mutex: the next job starts only after the previous settled. Jobs
 * start in the order they were added within each of two lanes, and an urgent job (a consensus request:
 * the block waits for it) starts before every waiting ordinary one. Go's mutex lets the consensus
 * connection in after the CheckTx that holds it; a plain FIFO made each proposal, vote extension,
 * FinalizeBlock and Commit wait behind every CheckTx and RECHECK queued before it, on every node, in
 * every consensus step. The caller keeps one connection's requests in one lane (see AbciConnection).
 * A job whose `isCancelled` is true when its turn comes is skipped (resolves to CANCELLED) — its
 * connection closed, nobody would read the answer, and CometBFT re-derives anything it still needs
 * through the Info handshake.
 */
export class SerialQueue {
  #jobs: Job[] = [];
  #urgent: Job[] = [];
  #running = false;
  #idleWaiters: (() => void)[] = [];

  get pending(): number {
    return this.#jobs.length + this.#urgent.length;
  }

  run<T>(
    task: () => Promise<T>,
    isCancelled: () => boolean = () => false,
    urgent = false,
  ): Promise<T | typeof CANCELLED> {
    return new Promise((resolve, reject) => {
      (urgent ? this.#urgent : this.#jobs).push({
        run: task,
        isCancelled,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves once no job is running or waiting (used by close() so the app is never mid-call). */
  idle(): Promise<void> {
    if (!this.#running && this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #next(): Job | undefined {
    return this.#urgent.shift() ?? this.#jobs.shift();
  }

  async #drain(): Promise<void> {
    this.#running = true;
    let sliceStart = performance.now();
    for (;;) {
      if (this.pending > 0 && performance.now() - sliceStart >= SLICE_MS) {
        // Requests read now may be urgent: the next job is chosen after the pause.
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      const job = this.#next();
      if (job === undefined) break;
      if (job.isCancelled()) {
        job.resolve(CANCELLED);
        continue;
      }
      try {
        job.resolve(await job.run());
      } catch (error) {
        job.reject(error);
      }
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
