/**
 * @module Scheduler inputs from DA + chain: the DA-registered nodes, each with the chain's record (operator, zone,
 * class, status) at one height, the latest node-signed heartbeat, and the submitter's wallet affinity per operator.
 * The coordinator and `dsdn-node schedule` both build candidates here, so they agree.
 */
import type { NodeHeartbeat, WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { ChainNode } from "../coordinator/chainView.js";
import type { SchedulerWeights } from "../scheduler/params.js";
import type { ScheduleRequest, SchedulerNode } from "../scheduler/schedule.js";
import { resourcesOf } from "./signed.js";

/** What the compute side asks the chain (the coordinator's ChainView plus the receipts module's affinity rule). */
export interface ComputeChain {
  chainId(): Promise<string>;
  height(): Promise<bigint>;
  node(nodeId: Uint8Array, height?: bigint): Promise<ChainNode | undefined>;
  stakeWeight(operator: string, height?: bigint): Promise<bigint>;
  /** The receipts module's affinity rule between two accounts (same address or a direct transfer). */
  affinity(a: string, b: string, height?: bigint): Promise<boolean>;
  /** The scheduler weights in the nodes module's params at `height` (the coordinator's and every recompute's). */
  schedulerWeights(height: bigint): Promise<SchedulerWeights>;
}

export async function buildCandidates(
  chain: ComputeChain,
  nodeIds: readonly string[],
  heartbeats: ReadonlyMap<string, NodeHeartbeat>,
  height: bigint,
): Promise<SchedulerNode[]> {
  const out: SchedulerNode[] = [];
  const chainId = await chain.chainId();
  for (const id of [...new Set(nodeIds)].sort()) {
    const n = await chain.node(Buffer.from(id, "hex"), height);
    if (!n) continue;
    const hb = heartbeats.get(id);
    out.push({
      nodeId: id,
      operator: n.operator,
      status: n.status,
      // The chain makes a node Active only with stake at or above its class minimum and no cooldown.
      staked: n.status === "active",
      stakeWeightMicro: await chain.stakeWeight(n.operator, height),
      zone: n.zone,
      class: n.nodeClass === "datacenter" ? "datacenter" : "regular",
      ...(hb ? { resources: resourcesOf(hb) } : {}),
      ...(hb && offeredMicroVM(hb.microvmBackend, chainId)
        ? { microvmBackend: offeredMicroVM(hb.microvmBackend, chainId) }
        : {}),
    });
  }
  return out;
}

/** A localnet chain id ("nusantara-localnet-1", "…-local"): the only place an unisolated mock MicroVM counts. */
export function isLocalnetChainId(chainId: string): boolean {
  return /(^|-)local(net)?(-|$)/.test(chainId);
}

/** The MicroVM backend a heartbeat offers that the scheduler accepts: bwrap anywhere, mock only on a localnet. */
export function offeredMicroVM(backend: string, chainId: string): "bwrap" | "mock" | undefined {
  if (backend === "bwrap") return "bwrap";
  if (backend === "mock" && isLocalnetChainId(chainId)) return "mock";
  return undefined;
}

export async function affinitySet(
  chain: ComputeChain,
  submitter: string,
  operators: Iterable<string>,
  height: bigint,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const op of new Set(operators))
    if (op !== submitter && (await chain.affinity(submitter, op, height))) out.add(op);
  return out;
}

/**
 * What schedule() is asked for a signed spec — the coordinator and every recomputation build it here, so they agree.
 * The RAM a node must have free is the run's memory pages plus the input and module (image) it holds while it runs.
 */
export function scheduleRequest(
  workloadId: Uint8Array,
  spec: WorkloadSpec,
  affinity: ReadonlySet<string>,
): ScheduleRequest {
  return {
    workloadId,
    submitter: spec.submitter,
    affinity,
    replicas: spec.replicas,
    zones: spec.zones,
    nodeClass: spec.nodeClass === "datacenter" ? "datacenter" : "regular",
    memoryBytes: BigInt(spec.memoryPages) * 65_536n + spec.inputSize + spec.moduleSize,
    runtime: spec.runtime === "microvm" ? "microvm" : "wasm",
  };
}
