/** @module Deterministic, zone-aware chunk placement: weighted rendezvous hashing over Active nodes (a pure function). */
import { createHash } from "node:crypto";

/** A node as placement sees it — everything comes from DA-derived state (and chain stake weight). */
export interface PlacementNode {
  /** ed25519 node id, lowercase hex. */
  readonly nodeId: string;
  readonly operator: string;
  readonly zone: string;
  readonly capacityBytes: bigint;
  /** Chain stake weight in millionths: floor(10^6 · log2(stake / class minimum)); 0 at the minimum. */
  readonly stakeWeightMicro: bigint;
  /** Only "active" nodes are ever placed on. */
  readonly status: string;
  readonly endpoint: string;
}

export interface PlacementInput {
  readonly cid: string;
  readonly nodes: readonly PlacementNode[];
  /** Replicas wanted (default 3), each in a distinct zone. */
  readonly replicationFactor?: number;
  /** The uploader: a node id (hex) or an account address. Its own nodes are never chosen. */
  readonly uploader?: string;
}

export interface PlacedNode {
  readonly nodeId: string;
  readonly zone: string;
  readonly endpoint: string;
  /** Rendezvous score (higher wins); shown so anyone can audit the ranking. */
  readonly score: number;
}

export interface Placement {
  readonly cid: string;
  /** Most preferred first; at most one per zone. */
  readonly nodes: readonly PlacedNode[];
  readonly replicationFactor: number;
  /** Fewer distinct zones (or eligible nodes) than the replication factor. */
  readonly underReplicated: boolean;
  /** Nodes that were eligible (Active, not the uploader's). */
  readonly eligible: number;
}

export const DEFAULT_REPLICATION_FACTOR = 3;
const MIB = 1n << 20n;
const TWO_POW_53 = 2 ** 53;

/**
 * The node's weight: capacity (MiB, so huge capacities stay exact in a double) × (1 + stake weight).
 * Stake weight is log2(stake/min), 0 at the minimum — the "+1" keeps a minimum-stake node placeable.
 */
export function placementWeight(n: PlacementNode): number {
  const mib = Number(n.capacityBytes / MIB) + Number(n.capacityBytes % MIB) / Number(MIB);
  const stake = n.stakeWeightMicro > 0n ? Number(n.stakeWeightMicro) / 1e6 : 0;
  return mib * (1 + stake);
}

/** A uniform number in (0, 1) from sha256(cid ‖ 0 ‖ node id): the same everywhere for the same pair. */
export function rendezvousUniform(cid: string, nodeId: string): number {
  const h = createHash("sha256").update(cid).update("\0").update(nodeId).digest();
  const top53 = h.readBigUInt64BE(0) >> 11n;
  return (Number(top53) + 0.5) / TWO_POW_53;
}

/** Weighted rendezvous score −w / ln(u): node i wins with probability w_i / Σw (Schindelhauer & Schomaker). */
export function rendezvousScore(cid: string, node: PlacementNode): number {
  const w = placementWeight(node);
  if (!(w > 0)) return Number.NEGATIVE_INFINITY;
  return -w / Math.log(rendezvousUniform(cid, node.nodeId));
}

/** Nodes ranked for `cid`, best first (ties by node id, so the order is total). */
export function rankNodes(cid: string, nodes: readonly PlacementNode[]): { node: PlacementNode; score: number }[] {
  return nodes
    .map((node) => ({ node, score: rendezvousScore(cid, node) }))
    .sort((a, b) => (b.score !== a.score ? b.score - a.score : a.node.nodeId < b.node.nodeId ? -1 : 1));
}

/** True when the node belongs to the uploader (same operator account, or the uploader is the node itself). */
export function ownedBy(node: PlacementNode, uploader: string | undefined): boolean {
  return uploader !== undefined && uploader !== "" && (node.operator === uploader || node.nodeId === uploader);
}

/**
 * Where a chunk lives: walk the rendezvous ranking of the eligible nodes (Active, not the uploader's)
 * and take the best node of each zone until `replicationFactor` zones are covered. With fewer zones,
 * every zone gets one replica and the chunk is reported under-replicated.
 */
export function placeChunk(input: PlacementInput): Placement {
  const rf = input.replicationFactor ?? DEFAULT_REPLICATION_FACTOR;
  if (!Number.isInteger(rf) || rf < 1 || rf > 64) throw new RangeError(`replication factor must be 1–64, got ${rf}`);
  const eligible = input.nodes.filter(
    (n) => n.status === "active" && !ownedBy(n, input.uploader) && placementWeight(n) > 0,
  );
  const chosen: PlacedNode[] = [];
  const zones = new Set<string>();
  for (const { node, score } of rankNodes(input.cid, eligible)) {
    if (chosen.length >= rf) break;
    if (zones.has(node.zone)) continue;
    zones.add(node.zone);
    chosen.push({ nodeId: node.nodeId, zone: node.zone, endpoint: node.endpoint, score });
  }
  return {
    cid: input.cid,
    nodes: chosen,
    replicationFactor: rf,
    underReplicated: chosen.length < rf,
    eligible: eligible.length,
  };
}
