/**
 * @module Recomputes a recorded schedule from what DA holds (the user-signed submission and the node-signed
 * heartbeats in `WorkloadScheduled`) and the chain at the recorded height: the check that the coordinator chose
 * fairly. Nodes without a heartbeat in the record could not have been chosen (no resources), so the heartbeat
 * nodes are the candidate set.
 */
import { toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { type NodeHeartbeat, type WorkloadSpec, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { DEFAULT_SCHEDULER_WEIGHTS, type SchedulerWeights } from "../scheduler/params.js";
import { type Schedule, schedule } from "../scheduler/schedule.js";
import { affinitySet, buildCandidates, type ComputeChain } from "./candidates.js";
import { openHeartbeat } from "./signed.js";
import { verifySubmission } from "./workload.js";

export interface Recomputed {
  readonly workloadId: string;
  /** The user-signed spec the record carries. */
  readonly spec: WorkloadSpec;
  readonly recorded: readonly string[];
  readonly schedule: Schedule;
  readonly matches: boolean;
}

export async function recomputeSchedule(
  ev: WorkloadScheduled,
  chain: ComputeChain,
  weights: SchedulerWeights = DEFAULT_SCHEDULER_WEIGHTS,
): Promise<Recomputed> {
  const sub = decodeCanonical(WorkloadSubmission, ev.submission, "WorkloadSubmission");
  const id = toHex(verifySubmission(sub, await chain.chainId()));
  const spec = sub.spec!;
  const hbs = new Map<string, NodeHeartbeat>();
  for (const b of ev.heartbeats) {
    const h = openHeartbeat(b);
    hbs.set(toHex(h.nodeId), h);
  }
  const candidates = await buildCandidates(chain, [...hbs.keys()], hbs, ev.chainHeight);
  const affinity = await affinitySet(
    chain,
    spec.submitter,
    candidates.map((c) => c.operator),
    ev.chainHeight,
  );
  const s = schedule(
    candidates,
    {
      workloadId: Buffer.from(id, "hex"),
      submitter: spec.submitter,
      affinity,
      replicas: spec.replicas,
      zones: spec.zones,
      nodeClass: spec.nodeClass === "datacenter" ? "datacenter" : "regular",
      memoryBytes: BigInt(spec.memoryPages) * 65_536n,
      runtime: spec.runtime === "microvm" ? "microvm" : "wasm",
    },
    weights,
  );
  const recorded = ev.nodeIds.map((n) => toHex(n));
  return {
    workloadId: id,
    spec,
    recorded,
    schedule: s,
    matches: recorded.length === s.chosen.length && recorded.every((n, i) => n === s.chosen[i]),
  };
}
