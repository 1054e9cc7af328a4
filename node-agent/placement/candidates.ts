/** @module Placement candidates from replayed DA state: every registered node with its DA status and chain stake weight. */
import type { ReplayState } from "../da/replay/state.js";
import type { PlacementNode } from "./placement.js";

/**
 * Lists registered nodes for placement. `stakeWeights` maps operator → stake weight (millionths) as the
 * chain reports it; an operator missing from the map weighs 0 (minimum stake). `unhealthy` node ids are
 * treated as not Active (the coordinator's live view; an independent replay passes none).
 */
export function placementCandidates(
  state: ReplayState,
  stakeWeights: ReadonlyMap<string, bigint> = new Map(),
  unhealthy: ReadonlySet<string> = new Set(),
): PlacementNode[] {
  return state.listNodes().map((n) => ({
    nodeId: n.nodeId,
    operator: n.operator,
    zone: n.zone,
    capacityBytes: n.capacityBytes,
    stakeWeightMicro: stakeWeights.get(n.operator) ?? 0n,
    status: unhealthy.has(n.nodeId) ? "offline" : n.status,
    endpoint: n.endpoint,
  }));
}
