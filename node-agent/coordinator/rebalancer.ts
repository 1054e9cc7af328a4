/** @module Rebalancing after a node joins or a node's capacity changes: a rate-limited walk over the chunks moving those whose rendezvous placement changed, or that overfill a node — each move a DA event. */
import { fromHex } from "../../common/hash.js";
import type { DAEventInput } from "../da/events/event.js";
import type { ReplayState } from "../da/replay/state.js";
import type { StateChange } from "../da/replay/transition.js";
import { type PlacementNode, placeChunk } from "../placement/placement.js";
import { placeStripe } from "../placement/stripe.js";
import { shardFromProto } from "../storage/erasure/shardInfo.js";

export interface RebalanceRound {
  readonly candidates: readonly PlacementNode[];
  readonly chainHeight: bigint;
  /** Moves (new placements) published at most per round: the rate limit. */
  readonly maxMoves: number;
  /** Chunks looked at per round at most (the walk resumes where it stopped). */
  readonly maxExamine: number;
}

export interface RebalanceStats {
  readonly examined: number;
  readonly moves: number;
  /** Chunks left in the current walk (0 when balanced). */
  readonly pending: number;
}

/** A candidate no chunk may move onto: the walk treats it as not Active. */
const closed = (n: PlacementNode): PlacementNode => ({ ...n, status: "full" });

/**
 * A node becoming Active (joined, or back) starts a walk over the live chunks in CID order (a snapshot of
 * the list, so the walk is bounded and resumable). For a replicated chunk the pure placement over today's
 * registry replaces the declared one when they differ — with rendezvous hashing only the chunks the new
 * node now wins move (≈ its fair share). A shard moves only onto a node holding no other shard of its
 * stripe and only when its zone stays within m. The newly placed node copies the chunk from its current
 * holder (self-healing); once it reports it, the coordinator drops the old holder's replica record and the
 * old holder's garbage collector frees the space after its grace period.
 *
 * A node's declared (chain) capacity changing also starts a walk: its rendezvous weight changed, so the chunks
 * it no longer wins move. Capacity is also a hard bound during a walk: the bytes placed on each node are
 * tallied at the walk's start (and kept up to date move by move), a chunk never moves onto a node it would
 * overfill, and a chunk placed on a node holding more than its capacity moves off it (to the best placement
 * without that node) even when the rendezvous ranking still prefers it — so a node whose capacity drops below
 * what it holds sheds the excess, rate-limited like any move.
 */
export class Rebalancer {
  private readonly stateOf: () => ReplayState;
  private walk: string[] = [];
  private cursor = 0;
  private s = { examined: 0, moves: 0 };
  /** Chunks that gained a replica: once every placed node holds one, holders off the placement are dropped. */
  private readonly settle = new Set<string>();
  /** Each node's declared capacity as last observed: a change starts a walk. */
  private readonly capacities = new Map<string, bigint>();
  /** Bytes placed on each node (tallied at the walk's start, updated by each move): the capacity bound. */
  private load = new Map<string, bigint>();

  constructor(state: () => ReplayState) {
    this.stateOf = state;
  }

  get stats(): RebalanceStats {
    return { ...this.s, pending: this.walk.length - this.cursor };
  }

  onChange(c: StateChange): void {
    if (c.type === "nodeStatusChanged" && c.status === "active") this.start();
    else if (c.type === "replicaAdded") this.settle.add(c.cid);
  }

  /**
   * For chunks that gained a replica since the last call (applied state, so two holders reporting at once
   * cannot both miss it): when every placed node holds the chunk, `ReplicaRemoved` for the holders it is no
   * longer placed on (it moved), so their garbage collectors free it after the grace period.
   */
  settleMoves(): DAEventInput[] {
    const state = this.stateOf();
    const events: DAEventInput[] = [];
    for (const cid of [...this.settle].sort()) {
      this.settle.delete(cid);
      const c = state.getChunk(cid);
      if (!c?.placement.every((n) => c.replicas.includes(n))) continue;
      for (const old of c.replicas)
        if (!c.placement.includes(old))
          events.push({
            type: "replicaRemoved",
            value: { cid, nodeId: Buffer.from(fromHex(old)), reason: "no longer placed here (moved)" },
          });
    }
    return events;
  }

  /**
   * Records each candidate's declared capacity; a node whose capacity changed since the last observation
   * (a new declaration on chain) starts a walk. Returns the nodes whose capacity changed.
   */
  observe(candidates: readonly Pick<PlacementNode, "nodeId" | "capacityBytes">[]): string[] {
    const changed: string[] = [];
    for (const n of candidates) {
      const before = this.capacities.get(n.nodeId);
      if (before !== undefined && before !== n.capacityBytes) changed.push(n.nodeId);
      this.capacities.set(n.nodeId, n.capacityBytes);
    }
    if (changed.length > 0) this.start();
    return changed;
  }

  /** (Re)starts the walk over every live chunk, tallying the bytes placed on each node. */
  start(): void {
    const state = this.stateOf();
    this.walk = state.listChunkCids();
    this.cursor = 0;
    this.load = new Map();
    for (const cid of this.walk) {
      const c = state.getChunk(cid);
      if (c) for (const n of c.placement) this.load.set(n, (this.load.get(n) ?? 0n) + c.size);
    }
  }

  private overfull(n: PlacementNode): boolean {
    return (this.load.get(n.nodeId) ?? 0n) > n.capacityBytes;
  }

  /**
   * The candidates for one chunk of `size` bytes now placed on `current`: a node it is not on yet that it
   * would overfill is closed, and so is a node it is on that already holds more than its capacity.
   */
  private fitting(candidates: readonly PlacementNode[], size: bigint, current: readonly string[]): PlacementNode[] {
    return candidates.map((n) => {
      const on = current.includes(n.nodeId);
      if (on ? this.overfull(n) : (this.load.get(n.nodeId) ?? 0n) + size > n.capacityBytes) return closed(n);
      return n;
    });
  }

  private moved(size: bigint, from: readonly string[], to: readonly string[]): void {
    for (const n of from) if (!to.includes(n)) this.load.set(n, (this.load.get(n) ?? 0n) - size);
    for (const n of to) if (!from.includes(n)) this.load.set(n, (this.load.get(n) ?? 0n) + size);
  }

  plan(round: RebalanceRound): DAEventInput[] {
    const state = this.stateOf();
    const events: DAEventInput[] = [];
    let moves = 0;
    let examined = 0;
    const movedStripes = new Set<string>();
    while (this.cursor < this.walk.length && moves < round.maxMoves && examined < round.maxExamine) {
      const cid = this.walk[this.cursor++]!;
      examined++;
      const c = state.getChunk(cid);
      if (!c) continue;
      const rec = state.chunks.get(cid)!;
      if (c.shard) {
        const shard = shardFromProto(c.shard);
        if (movedStripes.has(shard.chunkCid)) continue;
        const current = shard.stripe.map((s) => state.getChunk(s)?.placement[0]);
        if (current.some((n) => n === undefined)) continue;
        const fresh = placeStripe({
          shards: shard.stripe,
          parity: shard.m,
          nodes: this.fitting(round.candidates, c.size, [current[shard.index]!]),
          uploader: c.uploader,
        });
        const next = fresh.nodes[shard.index]?.nodeId;
        if (next === undefined || next === current[shard.index] || current.includes(next)) continue;
        const zoneOf = (id: string) => round.candidates.find((n) => n.nodeId === id)?.zone;
        const zone = zoneOf(next);
        const inZone = current.filter((n, i) => i !== shard.index && zoneOf(n!) === zone).length;
        if (zone === undefined || inZone + 1 > shard.m) continue;
        events.push({
          type: "chunkDeclared",
          value: { ...rec.chunk, placement: [Buffer.from(fromHex(next))], chainHeight: round.chainHeight },
        });
        movedStripes.add(shard.chunkCid); // one shard of a stripe per round: never two in flight at once
        this.moved(c.size, [current[shard.index]!], [next]);
        moves++;
        continue;
      }
      // Only a fully held chunk moves (never one still healing).
      if (c.placement.some((n) => !c.replicas.includes(n))) continue;
      const p = placeChunk({
        cid,
        nodes: this.fitting(round.candidates, c.size, c.placement),
        replicationFactor: c.replicationFactor,
        uploader: c.uploader,
        chainHeight: round.chainHeight,
      });
      const next = p.nodes.map((n) => n.nodeId);
      if (next.length < c.placement.length) continue; // fewer eligible nodes now: that is repair's business
      const same = next.length === c.placement.length && next.every((n) => c.placement.includes(n));
      if (same) continue;
      events.push({
        type: "chunkDeclared",
        value: { ...rec.chunk, placement: next.map((n) => Buffer.from(fromHex(n))), chainHeight: round.chainHeight },
      });
      this.moved(c.size, c.placement, next);
      moves++;
    }
    this.s.examined += examined;
    this.s.moves += moves;
    if (this.cursor >= this.walk.length) {
      this.walk = [];
      this.cursor = 0;
    }
    return events;
  }
}
