/** @module Storage-node garbage collection: drop chunks no live pin and no placement needs, after a grace period. */
import { stat } from "node:fs/promises";
import type { DALogger } from "../../da/events/logger.js";
import type { ReplayFollower } from "../../da/replay/follower.js";
import type { NodeIdentity } from "../identity.js";
import type { InFlightChunks } from "../inFlight.js";
import type { LocalFsStorage } from "../localfs.js";

export interface GarbageCollectorOptions {
  readonly follower: ReplayFollower;
  readonly storage: LocalFsStorage;
  readonly identity: NodeIdentity;
  /**
   * A chunk is deleted only after it has been unneeded (per DA) for this long and its file is at least this
   * old — so an upload in flight (stored, not yet declared) and a short replay lag never lose data.
   */
  readonly graceMs: number;
  /** Chunks stored under a still-valid ticket (the chunk server notes them): kept until the ticket expires. */
  readonly inFlight?: InFlightChunks;
  readonly intervalMs?: number;
  readonly logger: DALogger;
}

export interface GarbageStats {
  readonly scans: number;
  readonly deleted: number;
  readonly bytesFreed: number;
  /** Chunks unneeded now, waiting out the grace period. */
  readonly waiting: number;
}

/**
 * A chunk is needed while it is live (some owner still pins it) and DA places it on this node or records
 * this node as holding it. Anything else — deleted by every owner, never declared, re-placed elsewhere and
 * not recorded here — is garbage once the grace period has passed.
 */
export class GarbageCollector {
  private readonly o: GarbageCollectorOptions;
  private readonly unneededSince = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private s = { scans: 0, deleted: 0, bytesFreed: 0 };

  constructor(options: GarbageCollectorOptions) {
    this.o = options;
  }

  get stats(): GarbageStats {
    return { ...this.s, waiting: this.unneededSince.size };
  }

  start(): void {
    const every = this.o.intervalMs ?? Math.min(60_000, Math.max(500, Math.floor(this.o.graceMs / 4)));
    const arm = () => {
      this.timer = setTimeout(() => {
        this.running = this.scan()
          .catch((e) => this.o.logger.warn("garbage collection failed", { error: (e as Error).message }))
          .finally(() => {
            this.running = undefined;
            if (!this.stopped) arm();
          });
      }, every);
    };
    arm();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private needed(cid: string): boolean {
    const me = this.o.identity.nodeId;
    const chunk = this.o.follower.state.getChunk(cid);
    return chunk !== undefined && (chunk.placement.includes(me) || chunk.replicas.includes(me));
  }

  /** DA has (or had: deleted since) a declaration of this chunk. */
  private declared(cid: string): boolean {
    const state = this.o.follower.state;
    return state.getChunk(cid) !== undefined || (state.chunks?.has(cid) ?? false);
  }

  async scan(now = Date.now()): Promise<void> {
    this.s.scans++;
    const seen = new Set<string>();
    for await (const c of this.o.storage.list()) {
      seen.add(c.cid);
      // An upload in flight: stored under a valid ticket, not declared yet (an upload declares its chunks only
      // once all are stored). Once DA has declared it, only pins and placement count (a moved or deleted chunk goes).
      if (this.needed(c.cid) || (!this.declared(c.cid) && this.o.inFlight?.holds(c.cid, now))) {
        this.unneededSince.delete(c.cid);
        continue;
      }
      const since = this.unneededSince.get(c.cid);
      if (since === undefined) {
        this.unneededSince.set(c.cid, now);
        continue;
      }
      if (now - since < this.o.graceMs) continue;
      const st = await stat(this.o.storage.pathFor(c.cid)).catch(() => null);
      if (!st || now - st.mtimeMs < this.o.graceMs) continue;
      // Check again right before deleting: the replay may have moved on during the listing.
      if (this.needed(c.cid)) continue;
      if (await this.o.storage.deleteChunk(c.cid)) {
        this.s.deleted++;
        this.s.bytesFreed += c.size;
        this.o.logger.info("garbage-collected chunk: no live pin or placement needs it", { cid: c.cid });
      }
      this.unneededSince.delete(c.cid);
    }
    for (const cid of this.unneededSince.keys()) if (!seen.has(cid)) this.unneededSince.delete(cid);
  }
}
