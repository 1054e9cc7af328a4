/** @module Deterministic, zone-aware chunk placement: weighted rendezvous hashing over Active nodes (a pure, integer-only function). */
import { createHash } from "node:crypto";
import { log2Fixed, STAKE_WEIGHT_SCALE } from "../../modules/stake/stakeWeight.js";

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
  /** The chain height the nodes' stake weights were read at; recorded so the placement can be recomputed later. */
  readonly chainHeight?: bigint;
}

export interface PlacedNode {
  readonly nodeId: string;
  readonly zone: string;
  readonly endpoint: string;
  /** Rendezvous score (higher wins), an exact integer as a decimal string, so anyone can audit the ranking. */
  readonly score: string;
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
  /** The chain height whose stake weights (and node registrations) the candidates were read at, when known. */
  readonly chainHeight?: bigint;
}

export const DEFAULT_REPLICATION_FACTOR = 3;

/**
 * The node's weight: capacity (bytes) × (1 + stake weight), in millionths of the stake weight — an exact
 * integer. Stake weight is log2(stake/min), 0 at the minimum — the "+1" keeps a minimum-stake node placeable.
 */
export function placementWeight(n: PlacementNode): bigint {
  if (n.capacityBytes <= 0n) return 0n;
  return n.capacityBytes * (STAKE_WEIGHT_SCALE + (n.stakeWeightMicro > 0n ? n.stakeWeightMicro : 0n));
}

/**
 * −log2(u) in 2^-64 fixed point, for u = (h + ½) / 2^64 uniform in (0, 1), h = the first 64 bits of
 * sha256(cid ‖ 0 ‖ node id): the same everywhere for the same pair. At least 1 (never divides by zero).
 */
export function rendezvousNegLog2(cid: string, nodeId: string): bigint {
  const h = createHash("sha256").update(cid).update("\0").update(nodeId).digest().readBigUInt64BE(0);
  const v = log2Fixed(1n << 65n, 2n * h + 1n);
  return v > 0n ? v : 1n;
}

/**
 * Weighted rendezvous score w / −ln(u): node i wins with probability w_i / Σw (Schindelhauer &
 * Schomaker). The base of the logarithm is a common factor, so w·2^128 / −log2(u) ranks identically —
 * computed in bigint only, so every machine (and any later audit) ranks nodes the same way.
 */
export function rendezvousScore(cid: string, node: PlacementNode): bigint {
  const w = placementWeight(node);
  if (w <= 0n) return -1n;
  return (w << 128n) / rendezvousNegLog2(cid, node.nodeId);
}

/** Nodes ranked for `cid`, best first (ties by node id, so the order is total). */
export function rankNodes(cid: string, nodes: readonly PlacementNode[]): { node: PlacementNode; score: bigint }[] {
  return nodes
    .map((node) => ({ node, score: rendezvousScore(cid, node) }))
    .sort((a, b) => (b.score !== a.score ? (b.score > a.score ? 1 : -1) : a.node.nodeId < b.node.nodeId ? -1 : 1));
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
    (n) => n.status === "active" && !ownedBy(n, input.uploader) && placementWeight(n) > 0n,
  );
  const chosen: PlacedNode[] = [];
  const zones = new Set<string>();
  for (const { node, score } of rankNodes(input.cid, eligible)) {
    if (chosen.length >= rf) break;
    if (zones.has(node.zone)) continue;
    zones.add(node.zone);
    chosen.push({ nodeId: node.nodeId, zone: node.zone, endpoint: node.endpoint, score: score.toString() });
  }
  return {
    cid: input.cid,
    nodes: chosen,
    replicationFactor: rf,
    underReplicated: chosen.length < rf,
    eligible: eligible.length,
    ...(input.chainHeight !== undefined ? { chainHeight: input.chainHeight } : {}),
  };
}
