/** @module Fetch a chunk from the nearest healthy replica DA lists (zone, then measured latency), verified, with failover. */
import { NodeClient } from "../../clients/agent/nodeClient.js";
import { verifyCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError, isBaseError } from "../../common/errors.js";
import { assertServable, type ComplianceGate, NO_BLOCKS } from "../compliance/blockList.js";
import type { HealthMonitor } from "../coordinator/healthMonitor.js";
import type { ReplayState } from "../da/replay/state.js";
import { decodeStripe } from "../storage/erasure/codec.js";
import type { ChunkCache } from "./chunkCache.js";
import type { FilePart } from "./manifestCache.js";

export interface ReplicaChoice {
  readonly nodeId: string;
  readonly endpoint: string;
  readonly zone: string;
  readonly healthy: boolean;
  readonly latencyMs: number | null;
}

export interface FetchAttempt {
  readonly nodeId: string;
  readonly ok: boolean;
  readonly error?: string;
}

export class ChunkFetcher {
  private readonly clients = new Map<string, NodeClient>();

  constructor(
    private readonly state: () => ReplayState,
    private readonly health: HealthMonitor,
    private readonly zone: string | undefined,
    private readonly cache: ChunkCache,
    /** Blocked CIDs are never fetched or handed out (cached bytes included): every serve path goes through here. */
    private readonly gate: ComplianceGate = NO_BLOCKS,
  ) {}

  /** Active replicas of `cid`, best first: healthy, same zone, lowest latency. */
  replicas(cid: string): ReplicaChoice[] {
    const state = this.state();
    return state
      .replicasOf(cid)
      .map((id) => state.getNode(id))
      .filter((n) => n !== undefined && n.status === "active")
      .map((n) => {
        const h = this.health.get(n!.nodeId);
        return {
          nodeId: n!.nodeId,
          endpoint: n!.endpoint,
          zone: n!.zone,
          healthy: h?.healthy ?? false,
          latencyMs: h?.latencyMs ?? null,
        };
      })
      .sort(
        (a, b) =>
          Number(b.healthy) - Number(a.healthy) ||
          Number(b.zone === this.zone) - Number(a.zone === this.zone) ||
          (a.latencyMs ?? 1e9) - (b.latencyMs ?? 1e9) ||
          (a.nodeId < b.nodeId ? -1 : 1),
      );
  }

  private client(endpoint: string): NodeClient {
    let c = this.clients.get(endpoint);
    if (!c) {
      c = new NodeClient(endpoint, { retries: 0, timeoutMs: 30_000 });
      this.clients.set(endpoint, c);
    }
    return c;
  }

  /**
   * The whole chunk, checked against its CID before anything is returned (NodeClient hashes it), so a
   * response is built only from verified bytes; a failing or lying replica just moves us to the next one.
   */
  async get(cid: string, attempts: FetchAttempt[] = []): Promise<Buffer> {
    assertServable(this.gate, [cid]);
    const cached = this.cache.get(cid);
    if (cached) return cached;
    const choices = this.replicas(cid);
    for (const r of choices) {
      try {
        const bytes = await this.client(r.endpoint).get(cid);
        attempts.push({ nodeId: r.nodeId, ok: true });
        this.cache.set(cid, bytes);
        return bytes;
      } catch (e) {
        attempts.push({ nodeId: r.nodeId, ok: false, error: isBaseError(e) ? e.shortMessage : (e as Error).message });
      }
    }
    throw new BaseError(
      choices.length === 0 ? ErrorCode.NotFound : ErrorCode.Unavailable,
      choices.length === 0 ? `no Active replica of ${cid} is recorded on DA` : `no replica of ${cid} could serve it`,
      { meta: { attempts } },
    );
  }

  /**
   * A file's chunk: fetched whole, or — erasure-coded — rebuilt from the first k of its shards that verified
   * replicas serve (each shard checked against its CID and trailer, the result against the chunk's CID), then
   * kept in the cache under the chunk's CID.
   */
  async part(p: FilePart, attempts: FetchAttempt[] = []): Promise<Buffer> {
    assertServable(this.gate, [p.cid]);
    if (!p.stripe) return this.get(p.cid, attempts);
    const cached = this.cache.get(p.cid);
    if (cached) return cached;
    const got = new Map<number, Uint8Array>();
    for (const [i, shard] of p.stripe.shards.entries()) {
      if (got.size >= p.stripe.k) break;
      try {
        got.set(i, await this.get(shard, attempts));
      } catch {
        // the next shard; the attempts say why this one failed
      }
    }
    if (got.size < p.stripe.k)
      throw new BaseError(
        ErrorCode.Unavailable,
        `only ${got.size} of the ${p.stripe.k} shards needed to rebuild ${p.cid} could be fetched`,
        { meta: { attempts } },
      );
    const bytes = await decodeStripe(got, p.cid, { k: p.stripe.k, m: p.stripe.m }, p.size);
    if (!verifyCid(p.cid, bytes)) throw new IntegrityError(`chunk rebuilt from shards does not match ${p.cid}`);
    this.cache.set(p.cid, bytes);
    return bytes;
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
  }
}
