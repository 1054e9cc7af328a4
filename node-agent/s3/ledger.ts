/** @module The S3 index's DA side: replays the gateway namespace into an S3Index and publishes signed records to it. */
import type { DALayer } from "../da/types.js";
import type { SignedRecord } from "./records.js";
import type { S3Index } from "./s3Index.js";

/**
 * State is only ever what DA ordered: a published record takes effect when the follower reaches the height
 * it was included at, so every gateway instance reading the namespace computes the same index.
 */
export class S3Ledger {
  private height = 0n;
  private readonly abort = new AbortController();
  private readonly waiters: { height: bigint; resolve: () => void }[] = [];
  private running?: Promise<void>;

  constructor(
    private readonly da: DALayer,
    readonly index: S3Index,
  ) {}

  get daHeight(): bigint {
    return this.height;
  }

  private applyHeight(h: bigint, blobs: readonly { data: Uint8Array }[]): void {
    for (const b of blobs) this.index.applyBlob(b.data);
    this.height = h;
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.height <= h) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Replays every height up to the current head. */
  async sync(): Promise<void> {
    const head = await this.da.head();
    for (let h = this.height + 1n; h <= head; h++) {
      const { blobs } = await this.da.getAll(h);
      this.applyHeight(h, blobs);
    }
  }

  /** Follows new heights in the background until stop(). */
  start(onError: (e: unknown) => void = () => {}): void {
    const run = async () => {
      while (!this.abort.signal.aborted) {
        try {
          for await (const hb of this.da.subscribe({ fromHeight: this.height + 1n, signal: this.abort.signal }))
            this.applyHeight(hb.height, hb.blobs);
        } catch (e) {
          if (this.abort.signal.aborted) return;
          onError(e);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    this.running = run();
  }

  /** Posts a record and resolves once this instance has applied the height it landed at. */
  async publish(record: SignedRecord): Promise<void> {
    const ref = await this.da.postBlob(new TextEncoder().encode(JSON.stringify(record)));
    if (this.height >= ref.height) return;
    if (!this.running) {
      await this.sync();
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push({ height: ref.height, resolve }));
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => {});
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}
