/** @module A byte-rate token bucket: healing traffic waits here so user traffic keeps priority. */

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

export class ByteRateLimiter {
  private tokens: number;
  private last: number;

  /** `bytesPerSecond` ≤ 0 disables the limit. Bursts up to one second's worth. */
  constructor(
    private readonly bytesPerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = realSleep,
  ) {
    this.tokens = bytesPerSecond;
    this.last = now();
  }

  /** Resolves when `bytes` may be transferred (a transfer larger than the bucket waits for the deficit). */
  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    const t = this.now();
    this.tokens = Math.min(this.bytesPerSecond, this.tokens + ((t - this.last) / 1000) * this.bytesPerSecond);
    this.last = t;
    this.tokens -= bytes;
    if (this.tokens >= 0) return;
    await this.sleep((-this.tokens / this.bytesPerSecond) * 1000, signal);
  }
}
