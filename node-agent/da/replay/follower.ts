/** @module ReplayFollower: drives a DALayer subscription into the replay machine, with checkpoints and change events. */
import { EventEmitter } from "node:events";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { type DALogger, stderrLogger } from "../events/logger.js";
import type { DALayer } from "../types.js";
import { type CheckpointLoad, CheckpointStore } from "./checkpointStore.js";
import type { ReplayConfig } from "./config.js";
import { type HeightResult, ReplayMachine } from "./machine.js";
import type { ReplayState } from "./state.js";

export interface ReplayFollowerOptions {
  readonly da: DALayer;
  readonly config: ReplayConfig;
  /** Where checkpoints live; without it the follower always replays from `fromHeight`. */
  readonly checkpointDir?: string;
  /** Write a checkpoint every this many heights (default 1000). */
  readonly checkpointEvery?: bigint;
  /** Checkpoints kept on disk (default 3). */
  readonly keepCheckpoints?: number;
  /**
   * "adopt" (default): a checkpoint's stored digest accumulator is taken once its content matches its checksum,
   * counts and digest. "full": its entries are re-hashed into the digest too (catches a file edited and re-checksummed
   * by someone with write access to the directory, at the cost of a from-scratch digest).
   */
  readonly verifyCheckpoint?: "adopt" | "full";
  /** First height to replay when there is no checkpoint (default 1). */
  readonly fromHeight?: bigint;
  /** Awaited after each height, before the next is applied — consumers keep pace (backpressure). */
  readonly onHeight?: (result: HeightResult, machine: ReplayMachine) => void | Promise<void>;
  /** Delay before re-subscribing after the DA stream fails (default 1000 ms, doubling to 30 s). */
  readonly retryDelayMs?: number;
  readonly logger?: DALogger;
}

export interface FollowerCheckpointEvent {
  readonly height: bigint;
  readonly path: string;
}

/**
 * Events: "height" (HeightResult, after each height), "change" (StateChange, one per visible change),
 * "checkpoint" (FollowerCheckpointEvent), "stream-error" (Error, before a re-subscribe).
 */
export class ReplayFollower extends EventEmitter {
  private readonly da: DALayer;
  private readonly config: ReplayConfig;
  private readonly store: CheckpointStore | undefined;
  private readonly every: bigint;
  private readonly verify: "adopt" | "full";
  private readonly fromHeight: bigint;
  private readonly onHeight: ReplayFollowerOptions["onHeight"];
  private readonly retryDelayMs: number;
  private readonly log: DALogger;
  private machineRef: ReplayMachine;
  private restored = false;
  private lastCheckpointHeight = 0n;
  private abort: AbortController | undefined;
  private running: Promise<void> | undefined;
  private heightWaiters: { height: bigint; resolve: () => void }[] = [];

  constructor(options: ReplayFollowerOptions) {
    super();
    this.da = options.da;
    this.config = options.config;
    this.store = options.checkpointDir
      ? new CheckpointStore(options.checkpointDir, { keep: options.keepCheckpoints ?? 3 })
      : undefined;
    this.every = options.checkpointEvery ?? 1000n;
    this.verify = options.verifyCheckpoint ?? "adopt";
    this.fromHeight = options.fromHeight ?? 1n;
    this.onHeight = options.onHeight;
    this.retryDelayMs = options.retryDelayMs ?? 1000;
    this.log = options.logger ?? stderrLogger;
    this.machineRef = new ReplayMachine(this.config);
  }

  get machine(): ReplayMachine {
    return this.machineRef;
  }

  get state(): ReplayState {
    return this.machineRef.state;
  }

  get height(): bigint {
    return this.machineRef.height;
  }

  digestHex(): string {
    return this.machineRef.digestHex();
  }

  /** Loads the newest valid checkpoint (once); corrupt or foreign ones are logged and skipped. */
  restore(): CheckpointLoad {
    if (this.restored || !this.store) {
      this.restored = true;
      return { skipped: [] };
    }
    this.restored = true;
    const load = this.store.loadLatest(this.config, { verify: this.verify });
    for (const s of load.skipped)
      this.log.warn("skipping unusable replay checkpoint", { path: s.path, reason: s.reason });
    if (load.loaded) {
      this.machineRef = load.loaded.machine;
      this.lastCheckpointHeight = load.loaded.height;
      this.log.info("replay resumes from checkpoint", {
        height: load.loaded.height,
        digest: this.machineRef.digestHex(),
      });
    }
    return load;
  }

  /** Writes a checkpoint of the current state now; returns its path (undefined without a checkpoint dir). */
  checkpoint(): string | undefined {
    if (!this.store || this.machineRef.height === 0n) return undefined;
    const path = this.store.write(this.machineRef);
    this.lastCheckpointHeight = this.machineRef.height;
    this.emit("checkpoint", { height: this.machineRef.height, path } satisfies FollowerCheckpointEvent);
    return path;
  }

  /** Follows DA in the background until `stop()`. */
  start(): void {
    if (this.running) return;
    this.restore();
    this.abort = new AbortController();
    this.running = this.follow(undefined, this.abort.signal);
  }

  /** Stops following, and writes a checkpoint if anything was applied since the last one. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
    this.running = undefined;
    if (this.store && this.machineRef.height > this.lastCheckpointHeight) this.checkpoint();
  }

  /**
   * Replays (without `start`) until `height` is applied. Gives up with an Unavailable error after
   * `maxFailures` consecutive stream failures (default 5) instead of retrying forever.
   */
  async syncTo(height: bigint, options: { signal?: AbortSignal; maxFailures?: number } = {}): Promise<void> {
    this.restore();
    if (this.machineRef.height >= height) return;
    if (this.running) return this.waitForHeight(height);
    await this.follow(height, options.signal, options.maxFailures ?? 5);
  }

  /** Replays up to the DA head as it is now; returns that head. */
  async syncToHead(options: { signal?: AbortSignal; maxFailures?: number } = {}): Promise<bigint> {
    const head = await this.da.head();
    await this.syncTo(head, options);
    return head;
  }

  /** Resolves once the follower has applied `height`. */
  waitForHeight(height: bigint): Promise<void> {
    if (this.machineRef.height >= height) return Promise.resolve();
    return new Promise((resolve) => this.heightWaiters.push({ height, resolve }));
  }

  private async follow(
    until: bigint | undefined,
    signal: AbortSignal | undefined,
    maxFailures = Number.POSITIVE_INFINITY,
  ): Promise<void> {
    let delay = this.retryDelayMs;
    let failures = 0;
    while (!signal?.aborted) {
      const inner = new AbortController();
      const relay = () => inner.abort();
      signal?.addEventListener("abort", relay, { once: true });
      const start = this.machineRef.height > 0n ? this.machineRef.height + 1n : this.fromHeight;
      try {
        for await (const h of this.da.subscribe({ fromHeight: start, signal: inner.signal })) {
          if (h.height <= this.machineRef.height) continue; // a backfill overlap: already applied
          const result = this.machineRef.applyHeight(h);
          delay = this.retryDelayMs;
          failures = 0;
          await this.onHeight?.(result, this.machineRef);
          this.emit("height", result);
          for (const c of result.changes) this.emit("change", c);
          if (this.store && this.machineRef.height - this.lastCheckpointHeight >= this.every) this.checkpoint();
          if (this.heightWaiters.length) {
            const due = this.heightWaiters.filter((w) => w.height <= this.machineRef.height);
            this.heightWaiters = this.heightWaiters.filter((w) => w.height > this.machineRef.height);
            for (const w of due) w.resolve();
          }
          if (until !== undefined && this.machineRef.height >= until) {
            inner.abort();
            return;
          }
        }
        if (signal?.aborted) return;
        // The stream ended on its own (backend closed): treat it like a failure and re-subscribe.
        throw new BaseError(ErrorCode.Unavailable, "DA subscription ended");
      } catch (e) {
        if (signal?.aborted) return;
        failures++;
        if (failures > maxFailures) {
          throw new BaseError(
            ErrorCode.Unavailable,
            `DA replay stopped at height ${this.machineRef.height} after ${failures} failed attempts`,
            { cause: e },
          );
        }
        this.log.warn("DA subscription failed; re-subscribing", {
          fromHeight: this.machineRef.height + 1n,
          retryInMs: delay,
          error: (e as Error).message,
        });
        this.emit("stream-error", e);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, delay);
          signal?.addEventListener(
            "abort",
            () => {
              clearTimeout(t);
              resolve();
            },
            { once: true },
          );
        });
        delay = Math.min(delay * 2, 30_000);
      } finally {
        signal?.removeEventListener("abort", relay);
      }
    }
  }
}
