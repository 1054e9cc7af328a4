/**
 * @module A committee member's own check of a compute result against the workload record on DA: the job was
 * scheduled there (coordinator-published `WorkloadScheduled`), the recorded choice is what `schedule()` gives from
 * DA + chain (recomputed, not taken on the coordinator's word), the reporting node is one of the chosen, and for
 * redundant runs the replicas' reports on DA reach the spec's majority/unanimity on this node's commitment.
 */
import { toHex } from "../../common/hash.js";
import type { ComputeResult } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { commitmentHash, decideAgreement, type ReplicaReport } from "./agreement.js";
import type { ComputeChain } from "./candidates.js";
import { recomputeSchedule } from "./recompute.js";
import { openResult } from "./signed.js";

/** Compute records as DA holds them (only coordinator-published events count). */
export interface ComputeRecordSource {
  /** The first `WorkloadScheduled` for the id, once caught up with DA; undefined when there is none. */
  scheduled(workloadId: string): Promise<{ event: WorkloadScheduled; daHeight: bigint } | undefined>;
  /** The node-signed results relayed for the id (`ComputeReported`), in DA order; checked when used. */
  reports(workloadId: string): Promise<readonly Uint8Array[]>;
}

/**
 * Returns why the result must not get a receipt, or undefined when the DA record backs it. `result` is already
 * opened (signature checked) and names `workloadId`.
 */
export async function workloadRecordProblem(
  workloadId: string,
  result: ComputeResult,
  records: ComputeRecordSource,
  chain: ComputeChain,
): Promise<string | undefined> {
  const rec = await records.scheduled(workloadId);
  if (!rec) return `no WorkloadScheduled for workload ${workloadId.slice(0, 16)}… on DA`;
  const nodeId = toHex(result.nodeId);
  if (!rec.event.nodeIds.some((n) => toHex(n) === nodeId)) return "the node was not scheduled for this workload";
  let recomputed: Awaited<ReturnType<typeof recomputeSchedule>>;
  try {
    recomputed = await recomputeSchedule(rec.event, chain);
  } catch (e) {
    return `the DA record of the workload does not verify: ${(e as Error).message}`;
  }
  if (recomputed.workloadId !== workloadId) return "the DA record is for another workload";
  if (!recomputed.matches)
    return `the recorded schedule is not what schedule() gives from DA + chain (recomputed ${recomputed.schedule.chosen
      .map((n) => `${n.slice(0, 12)}…`)
      .join(", ")})`;
  const spec = recomputed.spec;
  // A MicroVM run is not provable step by step: only ≥ 2 agreeing replicas back it (the spec rule, re-checked here).
  if (spec.runtime === "microvm" && spec.replicas < 2) return "a MicroVM workload needs ≥ 2 agreeing replicas";
  if (spec.replicas <= 1) return undefined;
  // Redundant execution: the replicas' own signed reports from DA, one per scheduled node (the first counts).
  const byNode = new Map<string, ReplicaReport>();
  byNode.set(nodeId, { nodeId, ...(result.commitment ? { commitment: result.commitment } : {}) });
  for (const bytes of await records.reports(workloadId)) {
    let r: ComputeResult;
    try {
      r = openResult(bytes);
    } catch {
      continue;
    }
    const n = toHex(r.nodeId);
    if (toHex(r.workloadId) !== workloadId || !recomputed.recorded.includes(n) || byNode.has(n)) continue;
    byNode.set(n, { nodeId: n, ...(r.commitment ? { commitment: r.commitment } : {}) });
  }
  const reports = recomputed.recorded.filter((n) => byNode.has(n)).map((n) => byNode.get(n)!);
  const rule = spec.agreement === "unanimous" ? "unanimous" : "majority";
  const a = decideAgreement(reports, spec.replicas, rule);
  if (!a.agreed)
    return `redundant execution: ${rule} of ${spec.replicas} replicas not reached on DA (${reports.length} reported)`;
  if (!result.commitment || commitmentHash(result.commitment) !== a.agreed)
    return `redundant execution: this node's commitment is not the one the ${rule} agreed on`;
  return undefined;
}
