/** @module FallbackRouter: a DALayer that writes to Celestia, the validator-quorum DA or the emergency DA by health. */
import { EventEmitter } from "node:events";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { bytesEqual } from "../../../common/hash.js";
import { type DALogger, stderrLogger } from "../events/logger.js";
import type { BlobRef, DAHealth, DAHeightBlobs, DALayer, DALayerName, SubscribeOptions } from "../types.js";
import { FallbackJournal } from "./journal.js";
import {
  defaultFallbackThresholds,
  type FallbackSnapshot,
  type FallbackState,
  type FallbackThresholds,
  type FallbackTransition,
  initialSnapshot,
  nextSnapshot,
  targetOf,
} from "./stateMachine.js";

export interface FallbackRouterOptions {
  /** Celestia (or the local DA server standing in for it): the log of record. */
  readonly primary: DALayer;
  /** Validator-quorum DA (ChainDA). Without it Degraded has nowhere to write and waits for Emergency. */
  readonly secondary?: DALayer;
  /** The operators' self-hosted DA (`dsdn-node da`). */
  readonly emergency?: DALayer;
  /** SQLite file of the reconciliation journal. */
  readonly journalPath: string;
  readonly journalMaxBytes?: number;
  readonly thresholds?: Partial<FallbackThresholds>;
  /** How often the health monitor probes (default 10 s). */
  readonly healthIntervalMs?: number;
  /** A probe unanswered this long counts as "down" (default 2 × warnLatencyMs). */
  readonly probeTimeoutMs?: number;
  /** Blobs per reconciliation submission when the primary supports postBlobs (default 16) … */
  readonly reconcileBatch?: number;
  /** … and their total bytes (default 1.5 MiB, under celestia-app's tx size limit). */
  readonly reconcileBatchBytes?: number;
  /** Heights searched on the primary for a repost interrupted by a crash (default 10 000). */
  readonly maxRecoveryScan?: bigint;
  readonly now?: () => number;
  readonly logger?: DALogger;
  /** close() also closes the three layers (default false: they belong to the caller). */
  readonly ownsLayers?: boolean;
}

/** Emitted as "transition" for every state change. */
export interface FallbackActivation extends FallbackTransition {
  readonly atMs: number;
  /** Layer new blobs go to from now on. */
  readonly layer: DALayerName;
  readonly primaryHead: bigint;
}

/** Emitted as "reconciled" per blob moved to the primary. */
export interface ReconciledBlob {
  readonly from: BlobRef;
  readonly to: BlobRef;
  /** true: found already on the primary after an interrupted repost, not posted again. */
  readonly found: boolean;
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new BaseError(ErrorCode.Timeout, `no answer within ${ms} ms`)), ms);
    t.unref?.();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/**
 * Implements the same DALayer the EventPublisher posts through, so publishers do not change. Reads
 * (`getAll`, `head`, `subscribe`) are the primary's: it stays the log of record, and every blob a
 * fallback layer took is reposted to it in the original order (Recovering) before anything new.
 * Posts are serialized, so the order blobs reach any layer is the order they were posted.
 */
export class FallbackRouter extends EventEmitter implements DALayer {
  readonly layer: DALayerName;
  private readonly primary: DALayer;
  private readonly secondary: DALayer | undefined;
  private readonly emergency: DALayer | undefined;
  private readonly journal: FallbackJournal;
  private readonly thresholds: FallbackThresholds;
  private readonly intervalMs: number;
  private readonly probeTimeoutMs: number;
  private readonly maxScan: bigint;
  private readonly reconcileBatch: number;
  private readonly reconcileBatchBytes: number;
  private readonly now: () => number;
  private readonly log: DALogger;
  private snap: FallbackSnapshot;
  private lastPrimaryHead = 0n;
  private chain: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private closed = false;
  private readonly ownsLayers: boolean;

  constructor(options: FallbackRouterOptions) {
    super();
    const names = [options.primary, options.secondary, options.emergency].filter(Boolean).map((l) => l!.layer);
    if (new Set(names).size !== names.length)
      throw new BaseError(ErrorCode.InvalidArgument, `DA fallback layers need distinct names, got ${names.join(", ")}`);
    this.primary = options.primary;
    this.secondary = options.secondary;
    this.emergency = options.emergency;
    this.layer = options.primary.layer;
    this.thresholds = { ...defaultFallbackThresholds, ...options.thresholds };
    const t = this.thresholds;
    if (!(t.warnLatencyMs > 0 && t.degradedAfterMs > 0 && t.emergencyAfterMs >= t.degradedAfterMs))
      throw new BaseError(
        ErrorCode.InvalidArgument,
        "DA fallback thresholds: need warnLatencyMs > 0, degradedAfterMs > 0, emergencyAfterMs ≥ degradedAfterMs",
      );
    this.intervalMs = options.healthIntervalMs ?? 10_000;
    this.probeTimeoutMs = options.probeTimeoutMs ?? 2 * t.warnLatencyMs;
    this.maxScan = options.maxRecoveryScan ?? 10_000n;
    this.reconcileBatch = Math.max(1, options.reconcileBatch ?? 16);
    this.reconcileBatchBytes = options.reconcileBatchBytes ?? 1536 * 1024;
    this.now = options.now ?? Date.now;
    this.log = options.logger ?? stderrLogger;
    this.journal = FallbackJournal.open(options.journalPath, {
      ...(options.journalMaxBytes !== undefined ? { maxBytes: options.journalMaxBytes } : {}),
    });
    this.snap = initialSnapshot(this.now());
    this.ownsLayers = options.ownsLayers ?? false;
  }

  get state(): FallbackState {
    return this.snap.state;
  }

  /** Blobs on a fallback layer not yet on the primary. */
  get pendingReconcile(): number {
    return this.journal.count();
  }

  get reconciledTotal(): bigint {
    return this.journal.reconciledTotal();
  }

  /** Starts the health monitor (one probe now, then every healthIntervalMs). */
  start(): void {
    if (this.timer || this.closed) return;
    const tick = () => {
      if (this.closed) return;
      this.probing ??= this.checkHealth()
        .then(() => undefined)
        .catch((e) => this.log.error("DA fallback health round failed", { error: (e as Error).message }))
        .finally(() => {
          this.probing = undefined;
        });
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref?.();
  }

  /** One monitor round: probe, step the state machine, reconcile when Recovering. Returns the new state. */
  async checkHealth(): Promise<FallbackState> {
    const started = this.now();
    let primaryUp = false;
    let latency: number | undefined;
    try {
      const h = await withTimeout(this.primary.health(), this.probeTimeoutMs);
      latency = h.latencyMs ?? this.now() - started;
      primaryUp = h.status !== "down";
      if (h.headHeight !== undefined && h.headHeight > this.lastPrimaryHead) this.lastPrimaryHead = h.headHeight;
    } catch {
      primaryUp = false;
    }
    let secondaryUp = false;
    if (!primaryUp && this.secondary && this.snap.state !== "healthy" && this.snap.state !== "recovering") {
      try {
        secondaryUp = (await withTimeout(this.secondary.health(), this.probeTimeoutMs)).status !== "down";
      } catch {
        secondaryUp = false;
      }
    }
    this.step({
      nowMs: this.now(),
      primaryUp,
      ...(latency !== undefined ? { primaryLatencyMs: latency } : {}),
      // No secondary configured: Degraded cannot write anywhere, so treat it as down.
      secondaryUp: this.secondary ? secondaryUp : false,
      pendingReconcile: this.journal.count(),
    });
    if (this.snap.state === "recovering") {
      await this.serialize(() => this.reconcileNow());
      // Reconciled everything: the next step ends Recovering at once rather than a full interval later.
      this.step({
        nowMs: this.now(),
        primaryUp: true,
        ...(latency !== undefined ? { primaryLatencyMs: latency } : {}),
        secondaryUp,
        pendingReconcile: this.journal.count(),
      });
    }
    return this.snap.state;
  }

  private step(o: Parameters<typeof nextSnapshot>[1]): void {
    const { snapshot, transition } = nextSnapshot(this.snap, o, this.thresholds);
    this.snap = snapshot;
    if (!transition) return;
    const activation: FallbackActivation = {
      ...transition,
      atMs: o.nowMs,
      layer: this.targetLayer().layer,
      primaryHead: this.lastPrimaryHead,
    };
    this.log.warn(`DA fallback: ${transition.from} → ${transition.to} (${transition.reason})`, {
      layer: activation.layer,
    });
    this.emit("transition", activation);
  }

  private targetLayer(): DALayer {
    const target = targetOf(this.snap.state);
    if (target === "secondary") return this.secondary ?? this.emergency ?? this.primary;
    if (target === "emergency") return this.emergency ?? this.secondary ?? this.primary;
    return this.primary;
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  async postBlob(data: Uint8Array): Promise<BlobRef> {
    if (this.closed) throw new BaseError(ErrorCode.Unavailable, "DA fallback router is closed");
    return this.serialize(async () => {
      const layer = this.targetLayer();
      if (layer === this.primary) {
        // Keep the original order: anything still journaled goes to the primary before this blob.
        if (this.journal.count() > 0) await this.reconcileNow();
        const ref = await this.primary.postBlob(data);
        if (ref.height > this.lastPrimaryHead) this.lastPrimaryHead = ref.height;
        return ref;
      }
      const ref = await layer.postBlob(data);
      this.journal.add(ref, data);
      return ref;
    });
  }

  /**
   * Reposts every journaled blob to the primary, oldest first; stops at the first failure. With a primary
   * that takes several blobs per submission, up to `reconcileBatch` blobs (≤ `reconcileBatchBytes`) go in
   * one, so a backlog drains faster than one blob per primary block, still in order.
   */
  private async reconcileNow(): Promise<void> {
    for (;;) {
      const pending = this.journal.pending(64);
      if (pending.length === 0) return;
      for (let i = 0; i < pending.length; ) {
        const e = pending[i]!;
        if (e.status === "posting") {
          const found = await this.findOnPrimary(e.data, e.attemptHead);
          if (found) {
            this.journal.markReconciled(e.id);
            this.emit("reconciled", { from: this.refOf(e), to: found, found: true } satisfies ReconciledBlob);
            i++;
            continue;
          }
        }
        const group = [e];
        let bytes = e.data.length;
        if (this.primary.postBlobs)
          for (let j = i + 1; j < pending.length && group.length < this.reconcileBatch; j++) {
            const next = pending[j]!;
            if (next.status === "posting" || bytes + next.data.length > this.reconcileBatchBytes) break;
            group.push(next);
            bytes += next.data.length;
          }
        const head = await this.primary.head();
        for (const g of group) this.journal.markPosting(g.id, head);
        const refs =
          group.length > 1 && this.primary.postBlobs
            ? await this.primary.postBlobs(group.map((g) => g.data))
            : [await this.primary.postBlob(e.data)];
        group.forEach((g, k) => {
          const to = refs[k]!;
          if (to.height > this.lastPrimaryHead) this.lastPrimaryHead = to.height;
          this.journal.markReconciled(g.id);
          this.emit("reconciled", { from: this.refOf(g), to, found: false } satisfies ReconciledBlob);
        });
        i += group.length;
      }
    }
  }

  private refOf(e: { layer: DALayerName; height: bigint; commitment: Uint8Array }): BlobRef {
    return { layer: e.layer, height: e.height, commitment: e.commitment, namespace: new Uint8Array() };
  }

  /** Searches the primary above `fromHead` for a blob with exactly these bytes (an interrupted repost). */
  private async findOnPrimary(data: Uint8Array, fromHead: bigint): Promise<BlobRef | undefined> {
    const head = await this.primary.head();
    const last = head - fromHead > this.maxScan ? fromHead + this.maxScan : head;
    for (let h = fromHead + 1n; h <= last; h++) {
      const all = await this.primary.getAll(h);
      for (const b of all.blobs) if (bytesEqual(b.data, data)) return b.ref;
    }
    return undefined;
  }

  async getBlob(ref: BlobRef): Promise<Uint8Array> {
    for (const l of [this.primary, this.secondary, this.emergency])
      if (l && l.layer === ref.layer) return l.getBlob(ref);
    throw new BaseError(ErrorCode.NotFound, `no DA layer "${ref.layer}" configured in this router`);
  }

  getAll(height: bigint): Promise<DAHeightBlobs> {
    return this.primary.getAll(height);
  }

  head(): Promise<bigint> {
    return this.primary.head();
  }

  subscribe(options: SubscribeOptions): AsyncIterable<DAHeightBlobs> {
    return this.primary.subscribe(options);
  }

  async health(): Promise<DAHealth> {
    const status =
      this.snap.state === "healthy"
        ? "healthy"
        : this.snap.state === "warning"
          ? "warning"
          : this.snap.state === "emergency" && !this.emergency
            ? "down"
            : "degraded";
    return {
      layer: this.layer,
      status,
      headHeight: this.lastPrimaryHead,
      detail: `fallback ${this.snap.state}; writing to ${this.targetLayer().layer}; ${this.journal.count()} blob(s) to reconcile`,
    };
  }

  /** Stops the monitor and closes the journal (and the layers when it owns them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    await this.probing;
    await this.chain;
    this.journal.close();
    if (this.ownsLayers)
      for (const l of [this.primary, this.secondary, this.emergency]) await l?.close().catch(() => undefined);
  }
}
