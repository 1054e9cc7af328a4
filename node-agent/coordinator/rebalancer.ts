/** @module Rebalancing after a node joins: a rate-limited walk over the chunks moving those whose rendezvous placement now prefers the new node — each move a DA event. */
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

/**
 * A node becoming Active (joined, or back) starts a walk over the live chunks in CID order (a snapshot of
 * the list, so the walk is bounded and resumable). For a replicated chunk the pure placement over today's
 * registry replaces the declared one when they differ — with rendezvous hashing only the chunks the new
 * node now wins move (≈ its fair share). A shard moves only onto a node holding no other shard of its
 * stripe and only when its zone stays within m. The newly placed node copies the chunk from its current
 * holder (self-healing); once it reports it, the coordinator drops the old holder's replica record and the
 * old holder's garbage collector frees the space after its grace period.
 */
export class Rebalancer {
  private readonly stateOf: () => ReplayState;
  private walk: string[] = [];
  private cursor = 0;
  private s = { examined: 0, moves: 0 };
  /** Chunks that gained a replica: once every placed node holds one, holders off the placement are dropped. */
  private readonly settle = new Set<string>();

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

  /** (Re)starts the walk over every live chunk. */
  start(): void {
    this.walk = this.stateOf().listChunkCids();
    this.cursor = 0;
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
          nodes: round.candidates,
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
        moves++;
        continue;
      }
      // Only a fully held chunk moves (never one still healing).
      if (c.placement.some((n) => !c.replicas.includes(n))) continue;
      const p = placeChunk({
        cid,
        nodes: round.candidates,
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
