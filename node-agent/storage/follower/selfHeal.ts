/** @module Storage-node self-healing: hold every chunk DA places on this node, fetching missing ones from other replicas. */

import { NodeClient } from "../../../clients/agent/nodeClient.js";
import { verifyCid } from "../../../common/cid.js";
import { BaseError, isBaseError } from "../../../common/errors.js";
import type { ErasureShard } from "../../../proto/gen/dsdn/da/v1/events.js";
import type { CoordinatorClient } from "../../coordinator/client.js";
import type { DALogger } from "../../da/events/logger.js";
import type { ReplayFollower } from "../../da/replay/follower.js";
import { signAck } from "../ack.js";
import { rebuildStripe, shardObjectSize } from "../erasure/codec.js";
import { erasureOf, shardFromProto } from "../erasure/shardInfo.js";
import type { NodeIdentity } from "../identity.js";
import type { LocalFsStorage } from "../localfs.js";
import { checkTicket, type VerifiedTicket } from "../ticket.js";
import { ByteRateLimiter } from "./rateLimiter.js";

export interface SelfHealerOptions {
  readonly follower: ReplayFollower;
  readonly storage: LocalFsStorage;
  readonly identity: NodeIdentity;
  readonly zone: string;
  /** Where heal tickets come from and fetched replicas are reported (the coordinator records them on DA). */
  readonly coordinator?: CoordinatorClient;
  /** Coordinators whose heal tickets this node accepts (hex keys); required with `coordinator`. */
  readonly trustedCoordinators?: ReadonlySet<string>;
  /** Healing bandwidth cap, bytes per second (0 = unlimited; default 64 MiB/s). */
  readonly bytesPerSecond?: number;
  /** Full comparison of DA's placement with the store every this many ms (default 2000). */
  readonly intervalMs?: number;
  /** Parallel fetches (default 2). */
  readonly concurrency?: number;
  readonly logger: DALogger;
}

export interface SelfHealStats {
  readonly scans: number;
  readonly fetched: number;
  readonly bytesFetched: number;
  /** Erasure-coded shards rebuilt from k siblings. */
  readonly rebuilt: number;
  /** Bytes of sibling shards fetched to rebuild them (also counted in bytesFetched). */
  readonly rebuildBytesFetched: number;
  readonly failed: number;
  readonly reported: number;
  readonly pending: number;
}

/**
 * The node takes no instructions over RPC: it reads DA (through its own replay) to learn which chunks are
 * placed on it, compares with its store, and fetches what is missing from nodes DA lists as holding it —
 * every fetched byte checked against the CID before it is stored. Fetched chunks are reported with a
 * signed ack so the replica is recorded on DA.
 */
export class SelfHealer {
  private readonly o: SelfHealerOptions;
  private readonly limiter: ByteRateLimiter;
  private readonly inFlight = new Set<string>();
  /** cid → time of the last report, so a slow DA round trip does not cause a report storm. */
  private readonly reportedAt = new Map<string, number>();
  /** cid → time of the last failed fetch (retried after a back-off). */
  private readonly failedAt = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  private rescan = false;
  private s = { scans: 0, fetched: 0, bytesFetched: 0, rebuilt: 0, rebuildBytesFetched: 0, failed: 0, reported: 0 };
  private readonly clients = new Map<string, NodeClient>();

  constructor(options: SelfHealerOptions) {
    this.o = options;
    this.limiter = new ByteRateLimiter(options.bytesPerSecond ?? 64 * 1024 * 1024);
  }

  get stats(): SelfHealStats {
    return { ...this.s, pending: this.inFlight.size };
  }

  start(): void {
    // New placements and removals show up as DA changes: look again soon instead of waiting a full interval.
    this.o.follower.on("change", this.onChange);
    this.schedule(0);
  }

  /** Runs the next scan after `ms` (sooner than a pending one; never two at once). */
  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.rescan = false;
      this.scanning = this.scan()
        .catch((e) => this.o.logger.warn("self-heal scan failed", { error: (e as Error).message }))
        .finally(() => {
          this.scanning = undefined;
          this.schedule(this.rescan ? 0 : (this.o.intervalMs ?? 2000));
        });
    }, ms);
  }

  private readonly onChange = (c: { type: string; nodeId?: string; cid?: string }) => {
    if (this.stopped) return;
    // A removal of our replica makes any earlier report stale: report again at once.
    if (c.type === "replicaRemoved" && c.nodeId === this.o.identity.nodeId && c.cid) this.reportedAt.delete(c.cid);
    if (c.type === "chunkDeclared" || (c.type === "replicaRemoved" && c.nodeId === this.o.identity.nodeId))
      this.schedule(50);
  };

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.o.follower.off("change", this.onChange);
    await this.scanning;
    for (const c of this.clients.values()) c.close();
  }

  /** One pass: everything placed on this node that the store lacks is fetched; held-but-unrecorded is reported. */
  async scan(): Promise<void> {
    this.s.scans++;
    const state = this.o.follower.state;
    const me = this.o.identity.nodeId;
    const now = Date.now();
    const missing: string[] = [];
    for (const cid of state.chunksPlacedOn(me)) {
      if (this.inFlight.has(cid)) continue;
      if (await this.o.storage.hasChunk(cid)) {
        if (!state.replicasOf(cid).includes(me)) await this.report(cid);
        continue;
      }
      const failed = this.failedAt.get(cid);
      if (failed !== undefined && now - failed < 3000) continue;
      missing.push(cid);
    }
    const limit = this.o.concurrency ?? 2;
    let next = 0;
    const worker = async () => {
      while (next < missing.length && !this.stopped) await this.fetch(missing[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(limit, missing.length) }, worker));
  }

  private client(endpoint: string): NodeClient {
    let c = this.clients.get(endpoint);
    if (!c) {
      c = new NodeClient(endpoint, { retries: 0, timeoutMs: 60_000 });
      this.clients.set(endpoint, c);
    }
    return c;
  }

  /** Fetches `cid` from the first DA-listed holder that serves the right bytes (same zone first). */
  private async fetch(cid: string): Promise<void> {
    this.inFlight.add(cid);
    try {
      const state = this.o.follower.state;
      const chunk = state.getChunk(cid);
      if (!chunk) return;
      const me = this.o.identity.nodeId;
      // The heal ticket is this node's authority to store the chunk; its ack names it.
      let ticket: VerifiedTicket | undefined;
      if (this.o.coordinator) {
        try {
          ticket = await this.healTicket(cid);
        } catch (e) {
          this.s.failed++;
          this.failedAt.set(cid, Date.now());
          this.o.logger.warn("self-heal: no heal ticket", {
            cid,
            error: isBaseError(e) ? e.shortMessage : (e as Error).message,
          });
          return;
        }
      }
      const sources = state
        .replicasOf(cid)
        .filter((n) => n !== me)
        .map((n) => state.getNode(n))
        .filter((n) => n !== undefined && n.status === "active")
        .sort((a, b) => Number(b!.zone === this.o.zone) - Number(a!.zone === this.o.zone));
      const reasons: string[] = [];
      for (const src of sources) {
        await this.limiter.take(Number(chunk.size));
        try {
          const bytes = await this.client(src!.endpoint).get(cid);
          await this.o.storage.putChunk(cid, bytes, ticket ? { expectedSize: ticket.size } : {});
          this.s.fetched++;
          this.s.bytesFetched += bytes.length;
          this.failedAt.delete(cid);
          this.o.logger.info("self-heal: fetched chunk", { cid, from: src!.nodeId.slice(0, 16), bytes: bytes.length });
          await this.report(cid, ticket);
          return;
        } catch (e) {
          reasons.push(`${src!.nodeId.slice(0, 12)}: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`);
        }
      }
      // A shard of an erasure-coded chunk has no other copy: rebuild it from k of its stripe's other shards.
      if (chunk.shard && (await this.rebuild(cid, chunk.shard, ticket, reasons))) return;
      this.s.failed++;
      this.failedAt.set(cid, Date.now());
      this.o.logger.warn("self-heal: no replica could serve chunk", { cid, tried: reasons.length, reasons });
    } finally {
      this.inFlight.delete(cid);
    }
  }

  /**
   * Rebuilds shard `cid` from k sibling shards fetched from the nodes DA records as holding them (each checked
   * against its CID by the client, each trailer against the stripe), checks the result against `cid`, stores it.
   * Moves k shards' bytes per rebuilt shard — only for shards DA places here and this node lacks.
   */
  private async rebuild(
    cid: string,
    proto: ErasureShard,
    ticket: VerifiedTicket | undefined,
    reasons: string[],
  ): Promise<boolean> {
    const shard = shardFromProto(proto);
    const state = this.o.follower.state;
    const me = this.o.identity.nodeId;
    const got = new Map<number, Uint8Array>();
    let bytes = 0;
    for (const [i, sibling] of shard.stripe.entries()) {
      if (got.size >= shard.k) break;
      if (i === shard.index) continue;
      const local = await this.o.storage.readChunk(sibling).catch(() => null);
      if (local) {
        got.set(i, local);
        continue;
      }
      const holders = state
        .replicasOf(sibling)
        .filter((n) => n !== me)
        .map((n) => state.getNode(n))
        .filter((n) => n !== undefined && n.status === "active");
      for (const h of holders) {
        try {
          await this.limiter.take(shardObjectSize(shard.chunkSize, shard.k));
          const b = await this.client(h!.endpoint).get(sibling);
          got.set(i, b);
          bytes += b.length;
          break;
        } catch (e) {
          reasons.push(
            `shard ${i} @${h!.nodeId.slice(0, 12)}: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`,
          );
        }
      }
    }
    this.s.bytesFetched += bytes;
    this.s.rebuildBytesFetched += bytes;
    if (got.size < shard.k) {
      reasons.push(`only ${got.size} of the ${shard.k} sibling shards could be fetched`);
      return false;
    }
    const [rebuilt] = await rebuildStripe(got, shard.chunkCid, erasureOf(shard), shard.chunkSize, [shard.index]);
    if (!rebuilt || !verifyCid(cid, rebuilt)) {
      reasons.push("rebuilt shard does not match its CID");
      return false;
    }
    await this.o.storage.putChunk(cid, rebuilt, ticket ? { expectedSize: ticket.size } : {});
    this.s.rebuilt++;
    this.failedAt.delete(cid);
    this.o.logger.info("self-heal: rebuilt erasure-coded shard", { cid, index: shard.index, bytesFetched: bytes });
    await this.report(cid, ticket);
    return true;
  }

  /** Asks the coordinator for a heal ticket and checks it as the chunk server checks a PUT's. */
  private async healTicket(cid: string): Promise<VerifiedTicket> {
    const grant = await this.o.coordinator!.healTicket(cid, this.o.identity.nodeId);
    return checkTicket(grant.ticket, {
      trustedCoordinators: this.o.trustedCoordinators ?? new Set(),
      nodeId: this.o.identity.nodeId,
      cid,
      nowMs: Date.now(),
    });
  }

  private async report(cid: string, heldUnder?: VerifiedTicket): Promise<void> {
    if (!this.o.coordinator) return;
    const last = this.reportedAt.get(cid);
    if (last !== undefined && Date.now() - last < 5000) return;
    const info = await this.o.storage.statChunk(cid);
    if (!info) return;
    this.reportedAt.set(cid, Date.now());
    try {
      const ticket = heldUnder ?? (await this.healTicket(cid));
      const ack = signAck(
        { cid, size: info.size, zone: this.o.zone, receivedAtMs: Date.now(), ticket },
        this.o.identity.publicKey,
        this.o.identity.secretKey,
      );
      const r = await this.o.coordinator.reportReplica(Buffer.from(ack).toString("base64"));
      if (r.recorded) this.s.reported++;
    } catch (e) {
      this.o.logger.warn("self-heal: coordinator did not record replica", {
        cid,
        error: e instanceof BaseError ? e.shortMessage : (e as Error).message,
      });
    }
  }
}
