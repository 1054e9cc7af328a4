/** @module Chunks stored under a placement ticket that is still valid: an upload in flight, not garbage yet. */

/**
 * The chunk server notes each chunk it stores under a ticket with the ticket's expiry; the garbage collector
 * keeps such a chunk until then even though DA does not declare it yet — an upload declares its chunks only
 * once all are stored, and its acks are accepted only while their tickets are valid, so after the expiry an
 * undeclared chunk can no longer be declared with them. Bounded: when full, the entries expiring soonest go
 * first (those chunks fall back to the collector's file-age rule). In memory: a restart forgets it.
 */
export class InFlightChunks {
  private readonly until = new Map<string, number>();

  constructor(private readonly max = 100_000) {}

  get size(): number {
    return this.until.size;
  }

  note(cid: string, expiresAtMs: number): void {
    this.until.set(cid, Math.max(expiresAtMs, this.until.get(cid) ?? 0));
    if (this.until.size <= this.max) return;
    // Over the bound: drop expired entries, then the ones expiring soonest.
    const byExpiry = [...this.until.entries()].sort((a, b) => a[1] - b[1]);
    for (const [c] of byExpiry.slice(0, this.until.size - this.max)) this.until.delete(c);
  }

  /** True while a ticket the chunk was stored under is valid at `now`. */
  holds(cid: string, now: number): boolean {
    const t = this.until.get(cid);
    if (t === undefined) return false;
    if (t > now) return true;
    this.until.delete(cid);
    return false;
  }
}
