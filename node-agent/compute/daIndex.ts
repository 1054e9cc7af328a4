/**
 * @module Compute records read back from DA: `WorkloadScheduled` and `ComputeDisagreement` count only when a
 * coordinator published them; `ComputeReported` carries a node-signed result that is checked when used. A
 * restarted coordinator rebuilds its compute index from here; `dsdn-node schedule` finds a workload here.
 * A full scan from height 1 (bounded by `maxHeights`): fine for a localnet, a checkpointed index later.
 */
import { toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { decodeBatch } from "../da/events/batch.js";
import { openEnvelope } from "../da/events/envelope.js";
import type { DALayer } from "../da/types.js";
import type { ComputeService } from "./service.js";

export interface ComputeRecords {
  readonly scheduled: Map<string, { event: WorkloadScheduled; daHeight: bigint }>;
  readonly reports: { workloadId: string; result: Uint8Array }[];
  readonly disagreements: Set<string>;
}

export async function scanComputeRecords(
  da: Pick<DALayer, "head" | "getAll">,
  coordinators: readonly string[],
  opts: { fromHeight?: bigint; maxHeights?: bigint } = {},
): Promise<ComputeRecords> {
  const coord = new Set(coordinators.map((c) => c.toLowerCase()));
  const out: ComputeRecords = { scheduled: new Map(), reports: [], disagreements: new Set() };
  const head = await da.head();
  const from = opts.fromHeight ?? 1n;
  const to = opts.maxHeights !== undefined && head - from + 1n > opts.maxHeights ? from + opts.maxHeights - 1n : head;
  for (let h = from; h <= to; h++) {
    for (const b of (await da.getAll(h)).blobs) {
      const batch = decodeBatch(b.data);
      if (batch.kind !== "batch") continue;
      for (const bytes of batch.envelopes) {
        let env: ReturnType<typeof openEnvelope>;
        try {
          env = openEnvelope(bytes);
        } catch {
          continue;
        }
        const e = env.event;
        const byCoordinator = coord.has(env.publisherHex);
        if (e.type === "workloadScheduled" && byCoordinator) {
          const id = toHex(e.value.workloadId);
          if (!out.scheduled.has(id)) out.scheduled.set(id, { event: e.value, daHeight: h });
        } else if (e.type === "computeReported" && byCoordinator) {
          out.reports.push({ workloadId: toHex(e.value.workloadId), result: e.value.result });
        } else if (e.type === "computeDisagreement" && byCoordinator) {
          out.disagreements.add(toHex(e.value.workloadId));
        }
      }
    }
  }
  return out;
}

/** Loads every scheduled workload and reported result from DA into a coordinator's compute service. */
export async function rebuildComputeIndex(
  svc: ComputeService,
  da: Pick<DALayer, "head" | "getAll">,
  coordinators: readonly string[],
): Promise<number> {
  const r = await scanComputeRecords(da, coordinators);
  for (const [id, { event, daHeight }] of r.scheduled) {
    let sub: WorkloadSubmission;
    try {
      sub = decodeCanonical(WorkloadSubmission, event.submission, "WorkloadSubmission");
    } catch {
      continue;
    }
    if (!sub.spec) continue;
    svc.record({
      id,
      spec: sub.spec,
      submission: event.submission,
      nodes: event.nodeIds.map((n) => toHex(n)),
      chainHeight: event.chainHeight,
      daHeight,
      heartbeats: event.heartbeats,
    });
  }
  for (const rep of r.reports) svc.recordResult(rep.workloadId, rep.result, r.disagreements.has(rep.workloadId));
  return r.scheduled.size;
}
