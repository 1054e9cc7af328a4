/**
 * @module A committee member's own check of a compute result against the user-signed spec and the workload record
 * on DA: the commitment states the spec's module, input, checkpoint interval and the limits the run started under
 * (fuel, memory pages, the empty kv state: everything step 0 depends on, so a fraud game can pin it). The job was
 * scheduled there (coordinator-published `WorkloadScheduled`), the recorded choice is what `schedule()` gives from
 * DA + chain (recomputed, not taken on the coordinator's word), the reporting node is one of the chosen, and for
 * redundant runs the replicas' reports on DA reach the spec's majority/unanimity on this node's commitment.
 */
import { bytesEqual, toHex } from "../../common/hash.js";
import type { ComputeResult, WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { type ExecutionCommitment, ExecutionKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { commitmentHash, decideAgreement, type ReplicaReport } from "./agreement.js";
import type { ComputeChain } from "./candidates.js";
import { recomputeSchedule } from "./recompute.js";
import { openResult } from "./signed.js";

const isZero = (h: Uint8Array) => h.length === 32 && h.every((b) => b === 0);

/**
 * Why a traced WASM commitment does not describe a run of `spec`, or undefined. The start of the run (step 0 of the
 * trace) is a pure function of module, input, fuel, memory pages and the initial kv state: the chain recomputes it
 * from the receipt (fraud MsgPinStart) and convicts a trace that starts elsewhere, so the receipt must state exactly
 * what the user signed. A spec carries no initial state: a job starts from the empty kv state (root all zeros).
 */
export function commitmentSpecProblem(ec: ExecutionCommitment, spec: WorkloadSpec): string | undefined {
  if (!bytesEqual(ec.moduleHash, spec.moduleHash)) return "module_hash is not the signed module's";
  if (!bytesEqual(ec.inputHash, spec.inputHash)) return "input_hash is not the signed input's";
  // A MicroVM run has no checkpoints and no step 0 to pin (its commitment's form says so).
  if (ec.executionKind !== ExecutionKind.EXECUTION_KIND_TRACED_WASM) return undefined;
  if (ec.traceEvery !== spec.traceEvery) return "trace_every is not the signed interval";
  if (ec.fuelLimit !== spec.fuel) return `fuel_limit ${ec.fuelLimit} is not the signed fuel ${spec.fuel}`;
  if (ec.memoryPages !== spec.memoryPages)
    return `memory_pages ${ec.memoryPages} is not the signed ${spec.memoryPages} pages`;
  if (!isZero(ec.stateRootBefore)) return "state_root_before is not the empty kv state a job starts from";
  return undefined;
}

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
