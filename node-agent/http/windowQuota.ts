/** @module Fixed-window quotas per key: bytes per uploader on a storage node, requests per client on the DA server. */

export interface QuotaOptions {
  /** Units (bytes, requests) one key may use per window (0 = no quota). */
  readonly perWindow: number;
  readonly windowMs: number;
  /** Keys tracked at once; beyond it the oldest windows are forgotten first. */
  readonly maxKeys?: number;
  readonly now?: () => number;
}

interface Window {
  start: number;
  used: number;
}

export type QuotaDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly retryAfterMs: number; readonly used: number };

/**
 * Units are reserved before the work starts (so parallel requests cannot overshoot) and may be released
 * when the work did not happen (a chunk not newly stored). Fixed windows keep one small record per key.
 */
export class WindowQuota {
  private readonly o: Required<QuotaOptions>;
  private readonly windows = new Map<string, Window>();

  constructor(options: QuotaOptions) {
    this.o = { maxKeys: 100_000, now: Date.now, ...options };
  }

  get enabled(): boolean {
    return this.o.perWindow > 0;
  }

  get perWindow(): number {
    return this.o.perWindow;
  }

  reserve(key: string, units: number): QuotaDecision {
    if (!this.enabled) return { ok: true };
    const now = this.o.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.o.windowMs) {
      this.windows.delete(key);
      this.evict(now);
      w = { start: now, used: 0 };
      this.windows.set(key, w);
    }
    if (w.used + units > this.o.perWindow)
      return { ok: false, retryAfterMs: Math.max(1, w.start + this.o.windowMs - now), used: w.used };
    w.used += units;
    return { ok: true };
  }

  release(key: string, units: number): void {
    const w = this.windows.get(key);
    if (w) w.used = Math.max(0, w.used - units);
  }

  /** Drops expired windows, then (if still full) the oldest: Map order is insertion order. */
  private evict(now: number): void {
    if (this.windows.size < this.o.maxKeys) return;
    for (const [k, w] of this.windows) if (now - w.start >= this.o.windowMs) this.windows.delete(k);
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.o.maxKeys) break;
      this.windows.delete(k);
    }
  }
}
