/** @module The S3 index's DA side: replays the gateway namespace into an S3Index (resuming from a checkpoint) and publishes signed records to it. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import type { DALayer } from "../da/types.js";
import type { SignedRecord } from "./records.js";
import type { S3Index, S3IndexSnapshot } from "./s3Index.js";

export interface LedgerCheckpointOptions {
  /** The checkpoint file (written atomically, owner-only). */
  readonly path: string;
  /** A checkpoint is written after this many new heights (and on stop). Default 100. */
  readonly everyHeights?: number;
  readonly log?: (line: string) => void;
}

/** The checkpoint file: the index after `height`, the last height with records and their digest, a checksum. */
interface CheckpointFile {
  readonly v: 1;
  readonly height: string;
  /** The last height (≤ height) that carried blobs, with the sha256 of them: ties the file to this DA. */
  readonly anchor?: { readonly height: string; readonly digest: string };
  readonly index: S3IndexSnapshot;
  readonly sum: string;
}

const blobsDigest = (blobs: readonly { data: Uint8Array }[]) => {
  const h = createHash("sha256");
  for (const b of blobs) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.data.length);
    h.update(len).update(b.data);
  }
  return h.digest("hex");
};
const checksum = (c: Omit<CheckpointFile, "sum">) =>
  createHash("sha256")
    .update(JSON.stringify([c.v, c.height, c.anchor ?? null, c.index]))
    .digest("hex");

/**
 * State is only ever what DA ordered: a published record takes effect when the follower reaches the height
 * it was included at, so every gateway instance reading the namespace computes the same index. With a
 * checkpoint, a restart restores the index as of the checkpoint's height and replays only the heights after
 * it — not the whole namespace.
 */
export class S3Ledger {
  private height = 0n;
  private readonly abort = new AbortController();
  private readonly waiters: { height: bigint; resolve: () => void }[] = [];
  private running?: Promise<void>;
  private anchor?: { height: bigint; digest: string };
  private written = 0n;
  private loaded = false;
  /** Heights fetched from DA by sync() (a restart from a checkpoint fetches only the ones after it). */
  replayedHeights = 0;

  constructor(
    private readonly da: DALayer,
    readonly index: S3Index,
    private readonly checkpoint?: LedgerCheckpointOptions,
  ) {}

  get daHeight(): bigint {
    return this.height;
  }

  private applyHeight(h: bigint, blobs: readonly { data: Uint8Array }[]): void {
    for (const b of blobs) this.index.applyBlob(b.data);
    this.height = h;
    if (blobs.length > 0) this.anchor = { height: h, digest: blobsDigest(blobs) };
    if (this.checkpoint && h - this.written >= BigInt(this.checkpoint.everyHeights ?? 100)) this.writeCheckpoint();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (w.height <= h) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  /** Writes the index as of the current height (a no-op without a checkpoint path or before the first height). */
  writeCheckpoint(): void {
    if (!this.checkpoint || this.height === 0n) return;
    const body = {
      v: 1 as const,
      height: this.height.toString(),
      ...(this.anchor ? { anchor: { height: this.anchor.height.toString(), digest: this.anchor.digest } } : {}),
      index: this.index.snapshot(),
    };
    writeFileAtomicSync(this.checkpoint.path, JSON.stringify({ ...body, sum: checksum(body) }));
    this.written = this.height;
  }

  /**
   * Restores the index from the checkpoint file when it is whole (checksum), was taken under the same
   * trusted gateways, is not ahead of DA's head and its anchor height still carries the same blobs on this DA;
   * anything else is logged and the namespace is replayed from the start.
   */
  private async loadCheckpoint(): Promise<void> {
    const c = this.checkpoint;
    if (!c || this.loaded) return;
    this.loaded = true;
    const log = c.log ?? (() => {});
    let text: string;
    try {
      text = readFileSync(c.path, "utf8");
    } catch {
      return; // none yet
    }
    try {
      const f = JSON.parse(text) as CheckpointFile;
      if (f.v !== 1 || typeof f.height !== "string" || !/^\d{1,20}$/.test(f.height)) throw new Error("unknown format");
      if (checksum(f) !== f.sum) throw new Error("checksum mismatch (truncated or altered)");
      const height = BigInt(f.height);
      const head = await this.da.head();
      if (head < height) throw new Error(`it is at height ${height}, DA's head is ${head} (another DA?)`);
      if (f.anchor) {
        const { blobs } = await this.da.getAll(BigInt(f.anchor.height));
        if (blobsDigest(blobs) !== f.anchor.digest)
          throw new Error(`DA height ${f.anchor.height} holds other records than when it was written (another DA?)`);
      }
      this.index.restore(f.index);
      this.height = height;
      this.written = height;
      if (f.anchor) this.anchor = { height: BigInt(f.anchor.height), digest: f.anchor.digest };
      log(`s3 index: resumed from checkpoint at DA height ${height}`);
    } catch (e) {
      log(`s3 index: checkpoint ${c.path} not used (${(e as Error).message}); replaying the namespace`);
    }
  }

  /** Replays every height up to the current head (after the checkpoint's height, when one is usable). */
  async sync(): Promise<void> {
    await this.loadCheckpoint();
    const head = await this.da.head();
    for (let h = this.height + 1n; h <= head; h++) {
      const { blobs } = await this.da.getAll(h);
      this.replayedHeights++;
      this.applyHeight(h, blobs);
    }
  }

  /** Follows new heights in the background until stop(). */
  start(onError: (e: unknown) => void = () => {}): void {
    const run = async () => {
      await this.loadCheckpoint().catch(onError);
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

  /** Stops following; writes a last checkpoint so the next start resumes here. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running?.catch(() => {});
    for (const w of this.waiters.splice(0)) w.resolve();
    try {
      this.writeCheckpoint();
    } catch (e) {
      this.checkpoint?.log?.(`s3 index: checkpoint not written: ${(e as Error).message}`);
    }
  }
}
