/** @module Placement of an erasure-coded stripe's shards: one node per shard by weighted rendezvous, no zone holding more shards than the code can lose. */
import { ownedBy, type PlacedNode, type PlacementNode, placementWeight, rankNodes } from "./placement.js";

export interface StripePlacementInput {
  /** The stripe's shard CIDs, in shard order (k data then m parity). */
  readonly shards: readonly string[];
  /** Parity shards: the most shards one zone may hold (losing a zone then loses no data). */
  readonly parity: number;
  readonly nodes: readonly PlacementNode[];
  readonly uploader?: string;
  /**
   * Where shards already live (shard index → node id), kept as they are when that node is still eligible:
   * a repair or rebalance moves only the shards that must move.
   */
  readonly current?: ReadonlyMap<number, string>;
}

export interface StripePlacement {
  /** shard index → the node that holds it: every index when any node is eligible, else empty. */
  readonly nodes: readonly PlacedNode[];
  /** Shards sharing a node with another shard of this stripe (too few eligible nodes). */
  readonly sharedNodes: number;
  /** Shards in a zone already holding `parity` shards (too few zones): losing that zone could lose data. */
  readonly overZone: number;
}

/**
 * Shard i goes to the best-ranked eligible node (rendezvous over shard i's CID, so each shard is placed by
 * the same stake- and capacity-weighted hashing as a replicated chunk) that holds no other shard of the
 * stripe and whose zone holds fewer than `parity` of them. When no node qualifies the constraints relax in
 * order — first a zone may exceed the cap, then a node may hold two shards — and the result says so.
 * Shards in `current` on eligible nodes stay (and count toward the caps) — the result is deterministic.
 */
export function placeStripe(input: StripePlacementInput): StripePlacement {
  const n = input.shards.length;
  if (n < 2 || n > 64) throw new RangeError(`a stripe has 2–64 shards, got ${n}`);
  if (!Number.isInteger(input.parity) || input.parity < 1 || input.parity >= n)
    throw new RangeError(`parity must be 1–${n - 1}, got ${input.parity}`);
  const eligible = input.nodes.filter(
    (x) => x.status === "active" && !ownedBy(x, input.uploader) && placementWeight(x) > 0n,
  );
  if (eligible.length === 0) return { nodes: [], sharedNodes: 0, overZone: 0 };
  const byId = new Map(eligible.map((x) => [x.nodeId, x]));
  const perNode = new Map<string, number>();
  const perZone = new Map<string, number>();
  const out: (PlacedNode | undefined)[] = new Array(n).fill(undefined);
  const take = (i: number, node: PlacementNode, score: string) => {
    out[i] = { nodeId: node.nodeId, zone: node.zone, endpoint: node.endpoint, score };
    perNode.set(node.nodeId, (perNode.get(node.nodeId) ?? 0) + 1);
    perZone.set(node.zone, (perZone.get(node.zone) ?? 0) + 1);
  };
  // Surviving shards keep their node (in index order, so the result does not depend on map order).
  for (let i = 0; i < n; i++) {
    const cur = input.current?.get(i);
    const node = cur !== undefined ? byId.get(cur) : undefined;
    if (node) take(i, node, "kept");
  }
  let sharedNodes = 0;
  let overZone = 0;
  for (let i = 0; i < n; i++) {
    if (out[i]) continue;
    const ranked = rankNodes(input.shards[i]!, eligible);
    const fits = (relax: number) =>
      ranked.find(
        ({ node }) =>
          (relax >= 2 || !perNode.has(node.nodeId)) && (relax >= 1 || (perZone.get(node.zone) ?? 0) < input.parity),
      );
    // Relaxing: 0 = distinct node, zone under cap; 1 = distinct node; 2 = the node holding fewest shards.
    let pick = fits(0);
    if (!pick) {
      pick = fits(1);
      if (pick) overZone++;
    }
    if (!pick && ranked.length > 0) {
      const fewest = Math.min(...ranked.map(({ node }) => perNode.get(node.nodeId) ?? 0));
      pick = ranked.find(({ node }) => (perNode.get(node.nodeId) ?? 0) === fewest);
      sharedNodes++;
      if ((perZone.get(pick!.node.zone) ?? 0) >= input.parity) overZone++;
    }
    if (pick) take(i, pick.node, pick.score.toString());
  }
  return { nodes: out.filter((x): x is PlacedNode => x !== undefined), sharedNodes, overZone };
}
