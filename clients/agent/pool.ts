/** @module Bounded parallelism: at most `limit` tasks in flight; the first failure stops new work. */

export class TaskPool {
  private readonly limit: number;
  private readonly running = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("pool limit must be a positive integer");
    this.limit = limit;
  }

  /** Starts `task` once a slot is free; rethrows an earlier task's failure instead of starting more work. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.running.size >= this.limit && !this.failure) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
    const p: Promise<void> = task()
      .catch((e) => {
        this.failure ??= { error: e };
      })
      .finally(() => this.running.delete(p));
    this.running.add(p);
  }

  /** Waits for everything in flight; throws the first failure. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
    if (this.failure) throw this.failure.error;
  }

  /** Waits for in-flight tasks without throwing (cleanup after an error). */
  async settle(): Promise<void> {
    while (this.running.size) await Promise.race(this.running);
  }
}
