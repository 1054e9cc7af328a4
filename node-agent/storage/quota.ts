/** @module Per-uploader byte quotas on a storage node: at most N bytes per uploader per fixed time window. */

export interface QuotaOptions {
  /** Bytes one uploader may store per window (0 = no quota). */
  readonly bytesPerWindow: number;
  readonly windowMs: number;
  /** Uploaders tracked at once; beyond it the oldest windows are forgotten first. */
  readonly maxUploaders?: number;
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
 * Bytes are reserved before a body is read (so parallel uploads cannot overshoot) and released when the
 * chunk was not newly stored. Fixed windows keep the state one small record per uploader.
 */
export class UploaderQuota {
  private readonly o: Required<QuotaOptions>;
  private readonly windows = new Map<string, Window>();

  constructor(options: QuotaOptions) {
    this.o = { maxUploaders: 100_000, now: Date.now, ...options };
  }

  get enabled(): boolean {
    return this.o.bytesPerWindow > 0;
  }

  get bytesPerWindow(): number {
    return this.o.bytesPerWindow;
  }

  reserve(uploader: string, bytes: number): QuotaDecision {
    if (!this.enabled) return { ok: true };
    const now = this.o.now();
    let w = this.windows.get(uploader);
    if (!w || now - w.start >= this.o.windowMs) {
      this.windows.delete(uploader);
      this.evict(now);
      w = { start: now, used: 0 };
      this.windows.set(uploader, w);
    }
    if (w.used + bytes > this.o.bytesPerWindow)
      return { ok: false, retryAfterMs: Math.max(1, w.start + this.o.windowMs - now), used: w.used };
    w.used += bytes;
    return { ok: true };
  }

  release(uploader: string, bytes: number): void {
    const w = this.windows.get(uploader);
    if (w) w.used = Math.max(0, w.used - bytes);
  }

  /** Drops expired windows, then (if still full) the oldest: Map order is insertion order. */
  private evict(now: number): void {
    if (this.windows.size < this.o.maxUploaders) return;
    for (const [k, w] of this.windows) if (now - w.start >= this.o.windowMs) this.windows.delete(k);
    for (const k of this.windows.keys()) {
      if (this.windows.size < this.o.maxUploaders) break;
      this.windows.delete(k);
    }
  }
}
