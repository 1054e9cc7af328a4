/** @module EventPublisher: signs and sequences DA events, keeps them in a durable outbox, posts them in batches. */
import { EventEmitter } from "node:events";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { type NativeSigner, nativeSigner } from "../../../common/ed25519Native.js";
import { BaseError, ErrorCode, isBaseError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import type { BlobRef, DALayer } from "../types.js";
import { batchEntrySize, encodeBatch } from "./batch.js";
import { encodeUnsignedEnvelope } from "./envelope.js";
import type { DAEventInput } from "./event.js";
import { BATCH_PREFIX_LENGTH, BATCH_SEAL_LENGTH, MAX_BLOB_BYTES, SEALED_ENVELOPE_VERSION } from "./format.js";
import { type DALogger, stderrLogger } from "./logger.js";
import { EventOutbox } from "./outbox.js";
import { encodeSealedBatch } from "./sealedBatch.js";

/** Header bytes of a sealed blob (prefix and seal), what each batch budgets before its envelopes. */
const SEALED_HEADER_LENGTH = BATCH_PREFIX_LENGTH + BATCH_SEAL_LENGTH;

/** Outbox rows are sealed (version 2) envelopes; a row left by an older version is a self-signed one (version 1). */
function isSealedEnvelope(envelope: Uint8Array): boolean {
  return envelope[0] === 0x08 && envelope[1] === SEALED_ENVELOPE_VERSION;
}

export interface EventPublisherOptions {
  readonly da: DALayer;
  /** The publisher's ed25519 secret key (32-byte seed). Its public key is the publisher id. */
  readonly secretKey: Uint8Array;
  /** SQLite file of the durable outbox (created if missing). One process per file. */
  readonly outboxPath: string;
  /**
   * The DA height this publisher has applied (e.g. `() => follower.machine.height`); stamped on each
   * event to order it after everything the publisher saw. Default: the highest height of its own posts.
   */
  readonly observedHeight?: () => bigint;
  /**
   * The last sequence of this key already on DA (`machine.appliedSequence(key)` from a replay). Numbering
   * continues after max(outbox, knownSequence), so a lost outbox cannot make new events look like duplicates.
   */
  readonly knownSequence?: bigint;
  /** A blob is posted when it would exceed this many bytes (default 512 KiB, at most MAX_BLOB_BYTES). */
  readonly maxBatchBytes?: number;
  /** … or holds this many events (default 2000) … */
  readonly maxBatchEvents?: number;
  /** … or its oldest event has waited this long (default 100 ms). */
  readonly maxDelayMs?: number;
  /** Backoff after a failed post: starts here (default 500 ms), doubles, capped at retryMaxMs (default 30 s). */
  readonly retryInitialMs?: number;
  readonly retryMaxMs?: number;
  readonly logger?: DALogger;
}

export interface PostedBatch {
  readonly ref: BlobRef;
  readonly firstSequence: bigint;
  readonly lastSequence: bigint;
  readonly events: number;
  readonly bytes: number;
}

export interface PostFailure {
  readonly attempt: number;
  readonly retryInMs: number;
  readonly queuedEvents: number;
  readonly error: { readonly code: string; readonly message: string };
}

interface Waiter {
  readonly sequence: bigint;
  readonly resolve: (ref: BlobRef) => void;
  readonly reject: (e: unknown) => void;
}

/**
 * Events are durable once `publish` resolves: numbered and in the outbox. Each posted blob is a sealed batch
 * (one signature over the Merkle root of its events; `sealedBatch.ts`); self-signed events an older version left
 * in the outbox are posted as format-1 batches of their own. A background loop posts
 * them in order, one blob in flight at a time; when DA fails it logs, backs off and retries the same
 * events, so they reach DA in their original order with none lost. Emits "posted" (PostedBatch) and
 * "post-failed" (PostFailure).
 */
export class EventPublisher extends EventEmitter {
  readonly publicKey: Uint8Array;
  readonly publisherHex: string;
  private readonly da: DALayer;
  private readonly signer: NativeSigner;
  private readonly outbox: EventOutbox;
  private readonly log: DALogger;
  private readonly observed: () => bigint;
  private readonly maxBatchBytes: number;
  private readonly maxBatchEvents: number;
  private readonly maxDelayMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;
  private nextSequence: bigint;
  private queuedEvents: number;
  private queuedBytes: number;
  private oldestQueuedAt: number | undefined;
  private flushRequested = false;
  private closing = false;
  private wakeUp: (() => void) | undefined;
  private readonly loopDone: Promise<void>;
  private waiters: Waiter[] = [];
  private flushWaiters: (() => void)[] = [];
  private recent: PostedBatch[] = [];
  private maxSeenHeight = 0n;
  private lastObserved: bigint;
  private lastFailure: PostFailure | undefined;

  private constructor(options: EventPublisherOptions) {
    super();
    const kp = ed25519KeyPair(options.secretKey);
    this.publicKey = kp.publicKey;
    this.publisherHex = toHex(kp.publicKey);
    this.signer = nativeSigner(options.secretKey, kp.publicKey);
    this.da = options.da;
    this.log = options.logger ?? stderrLogger;
    this.observed = options.observedHeight ?? (() => this.maxSeenHeight);
    this.maxBatchBytes = Math.min(options.maxBatchBytes ?? 512 * 1024, MAX_BLOB_BYTES);
    this.maxBatchEvents = options.maxBatchEvents ?? 2000;
    this.maxDelayMs = options.maxDelayMs ?? 100;
    this.retryInitialMs = options.retryInitialMs ?? 500;
    this.retryMaxMs = options.retryMaxMs ?? 30_000;
    this.outbox = EventOutbox.open(options.outboxPath, this.publisherHex);
    if (options.knownSequence !== undefined) this.outbox.reserveThrough(options.knownSequence);
    this.nextSequence = this.outbox.lastSequence() + 1n;
    this.lastObserved = this.outbox.observedHeight();
    const size = this.outbox.size();
    this.queuedEvents = size.events;
    this.queuedBytes = size.bytes;
    // Events left by a previous process go out at once, ahead of anything new.
    this.oldestQueuedAt = size.events > 0 ? 0 : undefined;
    if (size.events > 0)
      this.log.info("DA outbox holds events from a previous run; posting them first", { events: size.events });
    this.loopDone = this.loop();
  }

  /** Opens the outbox and starts posting. Without `observedHeight`, asks DA for its head (best effort). */
  static async open(options: EventPublisherOptions): Promise<EventPublisher> {
    const p = new EventPublisher(options);
    if (!options.observedHeight) {
      try {
        const head = await Promise.race([
          options.da.head(),
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2000).unref()),
        ]);
        if (head > p.maxSeenHeight) p.maxSeenHeight = head;
      } catch {
        // DA down at start: the persisted floor still keeps heights monotone.
      }
    }
    return p;
  }

  /** Numbers and durably stores one event (signed with its batch when posted); resolves with its sequence (posting happens in the background). */
  async publish(event: DAEventInput): Promise<bigint> {
    const [seq] = await this.publishMany([event]);
    return seq!;
  }

  /** Several events, stored atomically with consecutive sequences. */
  async publishMany(events: readonly DAEventInput[]): Promise<bigint[]> {
    if (this.closing) throw new BaseError(ErrorCode.Unavailable, "DA publisher is closed");
    // Never below what this key stamped before (also across restarts): its later writes must win.
    let observedHeight = this.observed();
    if (observedHeight < this.lastObserved) observedHeight = this.lastObserved;
    const entries = events.map((event, i) => {
      const sequence = this.nextSequence + BigInt(i);
      return {
        sequence,
        envelope: encodeUnsignedEnvelope(
          { publisher: this.publicKey, sequence, observedHeight, event },
          SEALED_ENVELOPE_VERSION,
        ),
      };
    });
    for (const e of entries) {
      if (SEALED_HEADER_LENGTH + batchEntrySize(e.envelope.length) > this.maxBatchBytes) {
        throw new BaseError(
          ErrorCode.TooLarge,
          `DA event of ${e.envelope.length} bytes does not fit a ${this.maxBatchBytes}-byte blob`,
        );
      }
    }
    this.outbox.append(entries, observedHeight);
    this.lastObserved = observedHeight;
    this.nextSequence += BigInt(entries.length);
    this.queuedEvents += entries.length;
    for (const e of entries) this.queuedBytes += e.envelope.length;
    this.oldestQueuedAt ??= Date.now();
    this.wakeUp?.();
    return entries.map((e) => e.sequence);
  }

  /** Publishes and waits until the event is included on DA. */
  async publishAndWait(event: DAEventInput): Promise<{ sequence: bigint; ref: BlobRef }> {
    const sequence = await this.publish(event);
    return { sequence, ref: await this.waitPosted(sequence) };
  }

  /** Resolves with the blob that carries `sequence` once it is included. */
  waitPosted(sequence: bigint): Promise<BlobRef> {
    const known = this.recent.find((b) => b.firstSequence <= sequence && sequence <= b.lastSequence);
    if (known) return Promise.resolve(known.ref);
    if (sequence <= this.outbox.postedThrough()) {
      return Promise.reject(
        new BaseError(ErrorCode.NotFound, `sequence ${sequence} was posted earlier; its blob is no longer remembered`),
      );
    }
    if (sequence >= this.nextSequence)
      return Promise.reject(new BaseError(ErrorCode.InvalidArgument, `sequence ${sequence} not published yet`));
    return new Promise((resolve, reject) => this.waiters.push({ sequence, resolve, reject }));
  }

  /** Posts everything queued now (without waiting for a full batch) and resolves once the outbox is empty. */
  flush(): Promise<void> {
    if (this.queuedEvents === 0) return Promise.resolve();
    this.flushRequested = true;
    this.wakeUp?.();
    return new Promise((resolve) => this.flushWaiters.push(resolve));
  }

  /** Next sequence to be assigned. */
  get sequence(): bigint {
    return this.nextSequence;
  }

  /** Events stored but not yet included on DA. */
  get queued(): number {
    return this.queuedEvents;
  }

  /** The most recent failed attempt, until the next success. */
  get lastError(): PostFailure | undefined {
    return this.lastFailure;
  }

  /** Stops posting (after the attempt in flight) and closes the outbox; queued events stay for the next run. */
  async close(): Promise<void> {
    if (this.closing) return this.loopDone;
    this.closing = true;
    this.wakeUp?.();
    await this.loopDone;
    this.outbox.close();
    const err = new BaseError(
      ErrorCode.Unavailable,
      "DA publisher closed; the event stays in the outbox for the next run",
    );
    for (const w of this.waiters) w.reject(err);
    this.waiters = [];
    for (const f of this.flushWaiters) f();
    this.flushWaiters = [];
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        if (self.wakeUp === done) self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  private batchReady(): boolean {
    if (this.flushRequested) return true;
    if (this.queuedEvents >= this.maxBatchEvents) return true;
    if (SEALED_HEADER_LENGTH + this.queuedBytes + this.queuedEvents * 4 >= this.maxBatchBytes) return true;
    return this.oldestQueuedAt !== undefined && Date.now() - this.oldestQueuedAt >= this.maxDelayMs;
  }

  private takeBatch(): { envelopes: Uint8Array[]; first: bigint; last: bigint; bytes: number; sealed: boolean } {
    const rows = this.outbox.peek(this.maxBatchEvents);
    const envelopes: Uint8Array[] = [];
    // One format per blob: the first row decides, and the batch stops where the format changes.
    const sealed = isSealedEnvelope(rows[0]!.envelope);
    let size = sealed ? SEALED_HEADER_LENGTH : BATCH_PREFIX_LENGTH;
    for (const r of rows) {
      if (isSealedEnvelope(r.envelope) !== sealed) break;
      const add = batchEntrySize(r.envelope.length);
      if (envelopes.length > 0 && size + add > this.maxBatchBytes) break;
      envelopes.push(r.envelope);
      size += add;
    }
    const first = rows[0]!.sequence;
    return { envelopes, first, last: first + BigInt(envelopes.length - 1), bytes: size, sealed };
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    while (!this.closing) {
      if (this.queuedEvents === 0) {
        this.flushRequested = false;
        await this.sleep(60_000);
        continue;
      }
      if (!this.batchReady()) {
        const waited = this.oldestQueuedAt === undefined ? 0 : Date.now() - this.oldestQueuedAt;
        await this.sleep(Math.max(1, this.maxDelayMs - waited));
        continue;
      }
      const batch = this.takeBatch();
      let ref: BlobRef;
      try {
        // Sealing is deterministic (ed25519), so a retried batch posts the same bytes.
        const blob = batch.sealed ? encodeSealedBatch(batch.envelopes, this.signer) : encodeBatch(batch.envelopes);
        ref = await this.da.postBlob(blob);
      } catch (e) {
        attempt++;
        const retryInMs = Math.min(this.retryMaxMs, this.retryInitialMs * 2 ** Math.min(attempt - 1, 20));
        const error = {
          code: isBaseError(e) ? e.code : "DSDN_UNAVAILABLE",
          message: (e as Error)?.message?.split("\n")[0] ?? String(e),
        };
        this.lastFailure = { attempt, retryInMs, queuedEvents: this.queuedEvents, error };
        this.log.error(
          `DA post failed (${this.da.layer}); ${this.queuedEvents} event(s) kept in the outbox, retry in ${retryInMs} ms`,
          {
            attempt,
            firstSequence: batch.first,
            lastSequence: batch.last,
            error: error.message,
          },
        );
        this.emit("post-failed", this.lastFailure);
        await this.sleep(retryInMs);
        continue;
      }
      if (attempt > 0) this.log.info("DA reachable again; outbox draining", { afterAttempts: attempt });
      attempt = 0;
      this.lastFailure = undefined;
      this.outbox.markPosted(batch.last);
      // Heights of a fallback layer (another chain) are not the log's heights: stamping one as
      // observed_height would get the event refused once it is reconciled onto the primary.
      if (ref.layer === this.da.layer && ref.height > this.maxSeenHeight) this.maxSeenHeight = ref.height;
      this.queuedEvents -= batch.envelopes.length;
      for (const e of batch.envelopes) this.queuedBytes -= e.length;
      this.oldestQueuedAt = this.queuedEvents > 0 ? (this.oldestQueuedAt ?? Date.now()) : undefined;
      const posted: PostedBatch = {
        ref,
        firstSequence: batch.first,
        lastSequence: batch.last,
        events: batch.envelopes.length,
        bytes: batch.bytes,
      };
      this.recent.push(posted);
      if (this.recent.length > 256) this.recent.shift();
      const still: Waiter[] = [];
      for (const w of this.waiters) {
        if (w.sequence <= batch.last) w.resolve(ref);
        else still.push(w);
      }
      this.waiters = still;
      this.emit("posted", posted);
      if (this.queuedEvents === 0) {
        this.flushRequested = false;
        const fw = this.flushWaiters;
        this.flushWaiters = [];
        for (const f of fw) f();
      }
    }
  }
}
