/**
 * @module Recomputes a recorded schedule from what DA holds (the user-signed submission and the node-signed
 * heartbeats in `WorkloadScheduled`) and the chain at the recorded height: the check that the coordinator chose
 * fairly, with the scheduler weights of the chain's params at that height. Nodes without a heartbeat in the record could not have been chosen (no resources), so the heartbeat
 * nodes are the candidate set.
 */
import { toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { type NodeHeartbeat, type WorkloadSpec, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { WorkloadScheduled } from "../../proto/gen/dsdn/da/v1/events.js";
import { type Schedule, schedule } from "../scheduler/schedule.js";
import { affinitySet, buildCandidates, type ComputeChain, scheduleRequest } from "./candidates.js";
import { HEARTBEAT_MAX_AGE_MS, HEARTBEAT_SKEW_MS, openHeartbeat } from "./signed.js";
import { SUBMISSION_SKEW_MS, verifySubmission } from "./workload.js";

export interface Recomputed {
  readonly workloadId: string;
  /** The user-signed spec the record carries. */
  readonly spec: WorkloadSpec;
  readonly recorded: readonly string[];
  readonly schedule: Schedule;
  readonly matches: boolean;
}

export async function recomputeSchedule(ev: WorkloadScheduled, chain: ComputeChain): Promise<Recomputed> {
  const sub = decodeCanonical(WorkloadSubmission, ev.submission, "WorkloadSubmission");
  const id = toHex(verifySubmission(sub, await chain.chainId()));
  const spec = sub.spec!;
  // The heartbeats a coordinator could have used for this submission: taken within HEARTBEAT_SKEW_MS of a block time
  // (itself within SUBMISSION_SKEW_MS of signed_at_ms) and fresh then (≤ HEARTBEAT_MAX_AGE_MS). Anything else is a
  // record rewritten with a heartbeat from another time (a friend's idle hour, a rival's busy one); one per node.
  const at = Number(sub.signedAtMs);
  const earliest = at - SUBMISSION_SKEW_MS - HEARTBEAT_MAX_AGE_MS;
  const latest = at + SUBMISSION_SKEW_MS + HEARTBEAT_SKEW_MS;
  const hbs = new Map<string, NodeHeartbeat>();
  for (const b of ev.heartbeats) {
    const h = openHeartbeat(b);
    const node = toHex(h.nodeId);
    if (hbs.has(node)) throw new Error(`the record holds node ${node.slice(0, 16)}…'s heartbeat twice`);
    const t = Number(h.atMs);
    if (t < earliest || t > latest)
      throw new Error(
        `node ${node.slice(0, 16)}…'s heartbeat (at ${t}) is not within ${(SUBMISSION_SKEW_MS + HEARTBEAT_MAX_AGE_MS) / 1000} s before to ${(SUBMISSION_SKEW_MS + HEARTBEAT_SKEW_MS) / 1000} s after the submission (signed at ${at})`,
      );
    hbs.set(node, h);
  }
  const candidates = await buildCandidates(chain, [...hbs.keys()], hbs, ev.chainHeight);
  const affinity = await affinitySet(
    chain,
    spec.submitter,
    candidates.map((c) => c.operator),
    ev.chainHeight,
  );
  // The weights in the chain's params at the recorded height, the same height the candidates are read at: a record
  // ranked with any other weights (a coordinator's own, favouring a friend) does not match.
  const weights = await chain.schedulerWeights(ev.chainHeight);
  const s = schedule(candidates, scheduleRequest(Buffer.from(id, "hex"), spec, affinity), weights);
  const recorded = ev.nodeIds.map((n) => toHex(n));
  return {
    workloadId: id,
    spec,
    recorded,
    schedule: s,
    matches: recorded.length === s.chosen.length && recorded.every((n, i) => n === s.chosen[i]),
  };
}
