/** @module A tiny time-to-live cache that also shares in-flight reads, so many page polls cost one upstream read. */

export class TtlCache<T> {
  private readonly entries = new Map<string, { at: number; value: Promise<T> }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached answer for `key` if younger than the TTL, else a fresh `load()` (failures are cached as briefly). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    const e = this.entries.get(key);
    const t = this.now();
    if (e && t - e.at < this.ttlMs) return e.value;
    const value = load();
    this.entries.set(key, { at: t, value });
    return value;
  }
}
