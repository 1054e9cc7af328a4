/** @module An in-memory DALayer (layer "memory") for unit tests and as a reference: outages, delays, reordering. */

import { BaseError, ErrorCode } from "../../common/errors.js";
import { bytesEqual, concatBytes, sha256Native } from "../../common/hash.js";
import { sleep } from "./celestia/backoff.js";
import type { BlobRef, DABlob, DAHealth, DAHeightBlobs, DALayer, SubscribeOptions } from "./types.js";

/** 29-byte version-0 namespace used when none is given: 18 zero bytes then "dsdn-test!". */
export const MEMORY_DA_DEFAULT_NAMESPACE = concatBytes(new Uint8Array(19), new TextEncoder().encode("dsdn-test!"));

export interface MemoryDAOptions {
  readonly namespace?: Uint8Array;
  /**
   * Seal a new height on the next event-loop turn after blobs are posted (default true). With false,
   * heights are made only by `seal()` — tests then control exactly what lands where.
   */
  readonly autoSeal?: boolean;
}

interface Waiting {
  readonly data: Uint8Array;
  /** Not included before this height (inclusion delay). */
  readonly notBefore: bigint;
  readonly resolve: (ref: BlobRef) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * A whole DA chain in memory. Commitments are sha256(namespace || data) — this layer is not Celestia and
 * its refs say so (`layer: "memory"`). Posting resolves once the blob is included in a sealed height, like
 * blob.Submit, so one publisher's sequential posts always land at increasing heights.
 */
export class MemoryDA implements DALayer {
  readonly layer = "memory" as const;
  readonly namespace: Uint8Array;
  private readonly autoSeal: boolean;
  private readonly heights: DAHeightBlobs[] = [];
  private queue: Waiting[] = [];
  private postCount = 0;
  private down: string | undefined;
  private latencyMs = 0;
  private inclusionDelay: (data: Uint8Array, postIndex: number) => number = () => 0;
  private sealScheduled = false;
  private sealWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: MemoryDAOptions = {}) {
    this.namespace = options.namespace ?? MEMORY_DA_DEFAULT_NAMESPACE;
    if (this.namespace.length !== 29) throw new TypeError("namespace must be 29 bytes");
    this.autoSeal = options.autoSeal ?? true;
  }

  // ---- fault injection ----

  /** Makes every call fail with Unavailable (message included) until `setDown(false)`. Queued posts stay queued. */
  setDown(down: boolean, message = "memory DA is down"): void {
    this.down = down ? message : undefined;
    if (!down) this.scheduleSeal();
  }

  /** Adds latency to every call. */
  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /** Delays inclusion of a posted blob by the returned number of heights — reorders blobs across heights. */
  setInclusionDelay(fn: (data: Uint8Array, postIndex: number) => number): void {
    this.inclusionDelay = fn;
  }

  // ---- building heights directly ----

  /** Seals the next height with every queued blob whose delay has passed; returns the new height. */
  seal(): bigint {
    const height = BigInt(this.heights.length + 1);
    const ready = this.queue.filter((w) => w.notBefore <= height);
    this.queue = this.queue.filter((w) => w.notBefore > height);
    const blobs: DABlob[] = ready.map((w, index) => ({ ref: this.refFor(height, w.data), index, data: w.data }));
    this.heights.push({ height, blobs });
    for (const [i, w] of ready.entries()) w.resolve(blobs[i]!.ref);
    const waiters = this.sealWaiters;
    this.sealWaiters = [];
    for (const w of waiters) w();
    if (this.queue.length > 0) this.scheduleSeal();
    return height;
  }

  /** Appends a height holding exactly these blobs (foreign data, forged batches, hand-made orders). */
  appendHeight(blobs: readonly Uint8Array[]): bigint {
    const height = this.seal();
    const h = this.heights[Number(height) - 1]!;
    const extra = blobs.map((data, i) => ({ ref: this.refFor(height, data), index: h.blobs.length + i, data }));
    this.heights[Number(height) - 1] = { height, blobs: [...h.blobs, ...extra] };
    return height;
  }

  private refFor(height: bigint, data: Uint8Array): BlobRef {
    return {
      layer: "memory",
      height,
      commitment: sha256Native(concatBytes(this.namespace, data)),
      namespace: this.namespace,
    };
  }

  private scheduleSeal(): void {
    if (!this.autoSeal || this.sealScheduled || this.closed) return;
    this.sealScheduled = true;
    setImmediate(() => {
      this.sealScheduled = false;
      if (this.down || this.closed || this.queue.length === 0) return;
      this.seal();
    });
  }

  private async gate(): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (this.closed) throw new BaseError(ErrorCode.Unavailable, "memory DA is closed");
    if (this.down) throw new BaseError(ErrorCode.Unavailable, this.down);
  }

  // ---- DALayer ----

  async postBlob(data: Uint8Array): Promise<BlobRef> {
    if (data.length === 0) throw new BaseError(ErrorCode.InvalidArgument, "blob: empty blobs are not allowed");
    await this.gate();
    const copy = new Uint8Array(data);
    const delay = Math.max(0, Math.floor(this.inclusionDelay(copy, this.postCount++)));
    return new Promise<BlobRef>((resolve, reject) => {
      this.queue.push({ data: copy, notBefore: BigInt(this.heights.length + 1 + delay), resolve, reject });
      this.scheduleSeal();
    });
  }

  async getBlob(ref: BlobRef): Promise<Uint8Array> {
    await this.gate();
    const h = this.heights[Number(ref.height) - 1];
    const blob = h?.blobs.find((b) => bytesEqual(b.ref.commitment, ref.commitment));
    if (!blob) throw new BaseError(ErrorCode.NotFound, "blob: not found");
    return blob.data;
  }

  async getAll(height: bigint): Promise<DAHeightBlobs> {
    await this.gate();
    if (height < 1n) throw new BaseError(ErrorCode.InvalidArgument, "height must be ≥ 1");
    const h = this.heights[Number(height) - 1];
    if (!h) {
      throw new BaseError(
        ErrorCode.NotFound,
        `header: given height is from the future: networkHeight: ${this.heights.length}, requestedHeight: ${height}`,
      );
    }
    return h;
  }

  async head(): Promise<bigint> {
    await this.gate();
    return BigInt(this.heights.length);
  }

  /** Every height from `fromHeight`, in order; waits out outages (retrying) so the stream has no gaps. */
  async *subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs> {
    let next = options.fromHeight < 1n ? 1n : options.fromHeight;
    const signal = options.signal;
    while (!signal?.aborted && !this.closed) {
      if (this.down) {
        await sleep(20, signal);
        continue;
      }
      if (next <= BigInt(this.heights.length)) {
        yield this.heights[Number(next) - 1]!;
        next++;
        continue;
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener("abort", done);
          resolve();
        };
        this.sealWaiters.push(done);
        signal?.addEventListener("abort", done, { once: true });
      });
    }
  }

  async health(): Promise<DAHealth> {
    if (this.down) return { layer: "memory", status: "down", detail: this.down };
    return { layer: "memory", status: "healthy", headHeight: BigInt(this.heights.length), latencyMs: this.latencyMs };
  }

  async close(): Promise<void> {
    this.closed = true;
    const queued = this.queue;
    this.queue = [];
    for (const w of queued) w.reject(new BaseError(ErrorCode.Unavailable, "memory DA is closed"));
    const waiters = this.sealWaiters;
    this.sealWaiters = [];
    for (const w of waiters) w();
  }
}
