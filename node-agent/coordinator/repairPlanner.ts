/** @module Incremental repair: chunks queued by DA events (a node lost, a replica removed), re-placed only when needed — never a scan of every chunk. */
import { fromHex } from "../../common/hash.js";
import type { DAEventInput } from "../da/events/event.js";
import type { ReplayState } from "../da/replay/state.js";
import type { StateChange } from "../da/replay/transition.js";
import { type PlacementNode, placeChunk } from "../placement/placement.js";
import { placeStripe } from "../placement/stripe.js";
import { shardFromProto } from "../storage/erasure/shardInfo.js";

/**
 * Extra shards, beyond k, that an erasure-coded stripe keeps before it is repaired: it is re-placed once its
 * shards on Active nodes are at most k + safety (Storj's repair threshold). Default ⌈m/2⌉: a 10+4 stripe is
 * repaired after its 2nd lost shard (12 left), a 4+2 stripe after its 1st (5 left).
 */
export function defaultRepairSafety(m: number): number {
  return Math.ceil(m / 2);
}

export interface RepairStats {
  /** Chunks (or stripes' shards) looked at by repair since start: the work, proportional to what was lost. */
  readonly examined: number;
  /** Chunks and shards given a new placement. */
  readonly replaced: number;
  /** Stripes with lost shards left alone because they are still above their repair threshold. */
  readonly deferred: number;
  /** Chunks waiting in the queue. */
  readonly queued: number;
}

export interface RepairRound {
  readonly candidates: readonly PlacementNode[];
  readonly chainHeight: bigint;
  /** At most this many chunks or stripes re-placed this round (the rest stay queued). */
  readonly max: number;
}

/**
 * Keeps the set of chunks whose placement may have lost a node, fed by DA state changes: a node leaving
 * Active queues what the placement index says it held (`chunksPlacedOn`/`chunksHeldBy`), a removed replica
 * queues its chunk. A round looks only at the queue. On start every chunk is queued once (a restarted
 * coordinator cannot know what changed while it was down).
 */
export class RepairPlanner {
  private readonly stateOf: () => ReplayState;
  private readonly safety: (m: number) => number;
  private readonly queue = new Set<string>();
  private s = { examined: 0, replaced: 0, deferred: 0 };

  /** `state` is read afresh each time: a follower may swap its state (a checkpoint restore). */
  constructor(state: () => ReplayState, safety: (m: number) => number = defaultRepairSafety) {
    this.stateOf = state;
    this.safety = safety;
  }

  private get state(): ReplayState {
    return this.stateOf();
  }

  get stats(): RepairStats {
    return { ...this.s, queued: this.queue.size };
  }

  /** Queues every live chunk (once, at start). */
  seedAll(): void {
    for (const cid of this.state.listChunkCids()) this.queue.add(cid);
  }

  onChange(c: StateChange): void {
    if (c.type === "nodeStatusChanged" && c.status !== "active") {
      for (const cid of this.state.chunksPlacedOn(c.nodeId)) this.queue.add(cid);
      for (const cid of this.state.chunksHeldBy(c.nodeId)) this.queue.add(cid);
    } else if (c.type === "replicaRemoved") this.queue.add(c.cid);
  }

  /** One round: the queued chunks, in CID order, until `max` have been re-placed. Returns the DA events. */
  plan(round: RepairRound): { events: DAEventInput[]; healed: number } {
    const events: DAEventInput[] = [];
    let healed = 0;
    const active = new Set(this.state.listNodes({ status: "active" }).map((n) => n.nodeId));
    for (const cid of [...this.queue].sort()) {
      if (healed >= round.max) break;
      this.queue.delete(cid);
      const c = this.state.getChunk(cid);
      this.s.examined++;
      if (!c) continue;
      if (c.shard) {
        if (this.planStripe(cid, active, round, events)) healed++;
        continue;
      }
      const lost = c.placement.filter((n) => !active.has(n));
      if (lost.length === 0) continue;
      const p = placeChunk({
        cid,
        nodes: round.candidates,
        replicationFactor: c.replicationFactor,
        uploader: c.uploader,
        chainHeight: round.chainHeight,
      });
      const next = p.nodes.map((n) => n.nodeId);
      if (next.length === 0 || (next.length === c.placement.length && next.every((n, i) => n === c.placement[i])))
        continue;
      const rec = this.state.chunks.get(cid)!;
      events.push({
        type: "chunkDeclared",
        value: { ...rec.chunk, placement: next.map((n) => Buffer.from(fromHex(n))), chainHeight: round.chainHeight },
      });
      for (const n of c.replicas)
        if (!active.has(n))
          events.push({
            type: "replicaRemoved",
            value: { cid, nodeId: Buffer.from(fromHex(n)), reason: "node not Active" },
          });
      this.s.replaced++;
      healed++;
    }
    return { events, healed };
  }

  /**
   * The stripe `cid` belongs to, as a whole (its other queued shards are taken off the queue): when its shards
   * on Active nodes are at most k + safety, every lost shard is re-placed by `placeStripe` (survivors stay) —
   * each newly placed node then rebuilds its shard from k others. Above the threshold nothing moves.
   */
  private planStripe(cid: string, active: ReadonlySet<string>, round: RepairRound, events: DAEventInput[]): boolean {
    const c = this.state.getChunk(cid)!;
    const shard = shardFromProto(c.shard!);
    const current = new Map<number, string>();
    const lost: number[] = [];
    for (const [i, sibling] of shard.stripe.entries()) {
      if (sibling !== cid && this.queue.delete(sibling)) this.s.examined++;
      const node = this.state.getChunk(sibling)?.placement[0];
      if (node !== undefined && active.has(node)) current.set(i, node);
      else if (this.state.getChunk(sibling)) lost.push(i);
    }
    if (lost.length === 0) return false;
    if (current.size > shard.k + this.safety(shard.m)) {
      this.s.deferred++;
      return false;
    }
    const p = placeStripe({
      shards: shard.stripe,
      parity: shard.m,
      nodes: round.candidates,
      current,
      uploader: c.uploader,
    });
    let moved = false;
    for (const i of lost) {
      const sibling = shard.stripe[i]!;
      const next = p.nodes[i]?.nodeId;
      const s = this.state.getChunk(sibling)!;
      if (next === undefined || next === s.placement[0]) continue;
      const rec = this.state.chunks.get(sibling)!;
      events.push({
        type: "chunkDeclared",
        value: { ...rec.chunk, placement: [Buffer.from(fromHex(next))], chainHeight: round.chainHeight },
      });
      for (const n of s.replicas)
        if (!active.has(n))
          events.push({
            type: "replicaRemoved",
            value: { cid: sibling, nodeId: Buffer.from(fromHex(n)), reason: "node not Active" },
          });
      this.s.replaced++;
      moved = true;
    }
    return moved;
  }
}
