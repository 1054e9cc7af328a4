/** @module One global FIFO that runs ABCI requests from every connection strictly one at a time. */

interface Job {
  readonly run: () => Promise<unknown>;
  readonly isCancelled: () => boolean;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Resolved value of a job skipped because its requester went away before it started. */
export const CANCELLED: unique symbol = Symbol("cancelled");

/**
 * Like the Go server's single app mutex, but FIFO: jobs start in the order they were added, and
 * the next starts only after the previous settled. A job whose `isCancelled` is true when its
 * turn comes is skipped (resolves to CANCELLED) — its connection closed, nobody would read the
 * answer, and CometBFT re-derives anything it still needs through the Info handshake.
 */
export class SerialQueue {
  #jobs: Job[] = [];
  #running = false;
  #idleWaiters: (() => void)[] = [];

  get pending(): number {
    return this.#jobs.length;
  }

  run<T>(task: () => Promise<T>, isCancelled: () => boolean = () => false): Promise<T | typeof CANCELLED> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ run: task, isCancelled, resolve: resolve as (value: unknown) => void, reject });
      if (!this.#running) void this.#drain();
    });
  }

  /** Resolves once no job is running or waiting (used by close() so the app is never mid-call). */
  idle(): Promise<void> {
    if (!this.#running && this.#jobs.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  async #drain(): Promise<void> {
    this.#running = true;
    for (let job = this.#jobs.shift(); job !== undefined; job = this.#jobs.shift()) {
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
