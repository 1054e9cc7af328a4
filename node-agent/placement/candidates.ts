/** @module Placement candidates: DA-registered nodes with the chain's registration (zone, capacity, endpoint) and stake weight at one height. */
import type { ChainView } from "../coordinator/chainView.js";
import type { ReplayState } from "../da/replay/state.js";
import type { PlacementNode } from "./placement.js";

/** What the chain says about one node at `ChainPlacementInput.height`. */
export interface ChainPlacementNode {
  readonly operator: string;
  readonly zone: string;
  readonly capacityBytes: bigint;
  readonly endpoint: string;
  readonly stakeWeightMicro: bigint;
  /** The chain's status: anything but "active" keeps the node out of placement. */
  readonly status: string;
}

/** Every node's chain registration and stake weight, all read at one recorded chain height. */
export interface ChainPlacementInput {
  readonly height: bigint;
  /** node id (hex) → chain record; a node the chain does not know is absent. */
  readonly nodes: ReadonlyMap<string, ChainPlacementNode>;
}

/**
 * Reads, at one chain height (default: the latest), the registration and stake weight of each node, so a
 * placement can name that height and be recomputed later from the same inputs.
 */
export async function readChainPlacementInput(
  chain: Pick<ChainView, "height" | "node" | "stakeWeight">,
  nodeIds: Iterable<string>,
  height?: bigint,
): Promise<ChainPlacementInput> {
  const h = height ?? (await chain.height());
  const nodes = new Map<string, ChainPlacementNode>();
  await Promise.all(
    [...new Set(nodeIds)].map(async (id) => {
      const n = await chain.node(Buffer.from(id, "hex"), h);
      if (!n) return;
      nodes.set(id, {
        operator: n.operator,
        zone: n.zone,
        capacityBytes: n.capacityBytes,
        endpoint: n.endpoint,
        stakeWeightMicro: await chain.stakeWeight(n.operator, h),
        status: n.status,
      });
    }),
  );
  return { height: h, nodes };
}

/**
 * Lists DA-registered nodes for placement. With `chain`, zone, capacity, endpoint, operator and stake weight
 * are the chain's (a node's own DA registration cannot change them) and a node the chain does not list as
 * Active is not eligible. Without it (an offline estimate) the DA registration is used with stake weight 0.
 * `unhealthy` node ids are treated as not Active (the coordinator's live view; an independent replay passes none).
 */
export function placementCandidates(
  state: ReplayState,
  chain?: ChainPlacementInput,
  unhealthy: ReadonlySet<string> = new Set(),
): PlacementNode[] {
  return state.listNodes().map((n) => {
    const status = unhealthy.has(n.nodeId) ? "offline" : n.status;
    if (!chain)
      return {
        nodeId: n.nodeId,
        operator: n.operator,
        zone: n.zone,
        capacityBytes: n.capacityBytes,
        stakeWeightMicro: 0n,
        status,
        endpoint: n.endpoint,
      };
    const c = chain.nodes.get(n.nodeId);
    return {
      nodeId: n.nodeId,
      operator: c?.operator ?? n.operator,
      zone: c?.zone ?? n.zone,
      capacityBytes: c?.capacityBytes ?? 0n,
      stakeWeightMicro: c?.stakeWeightMicro ?? 0n,
      status: !c ? "unregistered" : c.status !== "active" ? c.status : status,
      endpoint: c?.endpoint ?? "",
    };
  });
}
