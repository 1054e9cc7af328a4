/** @module A byte-bounded LRU of verified chunks (a cache, not state: losing it changes no answer). */

export class ChunkCache {
  private readonly map = new Map<string, Buffer>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(cid: string): Buffer | undefined {
    const b = this.map.get(cid);
    if (b) {
      // Re-insert: Map keeps insertion order, so the first key is always the least recently used.
      this.map.delete(cid);
      this.map.set(cid, b);
    }
    return b;
  }

  /** Only ever given bytes already checked against `cid`. */
  set(cid: string, bytes: Buffer): void {
    if (bytes.length > this.maxBytes || this.map.has(cid)) return;
    this.map.set(cid, bytes);
    this.bytes += bytes.length;
    while (this.bytes > this.maxBytes) {
      const [k, v] = this.map.entries().next().value as [string, Buffer];
      this.map.delete(k);
      this.bytes -= v.length;
    }
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes };
  }
}
