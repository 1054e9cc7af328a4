/** @module ReplicaRemoved: a node (or a coordinator for it) records that the node no longer holds a chunk. */
import type { ReplicaRemoved } from "../../../proto/gen/dsdn/da/v1/events.js";
import { applyReplicaRecord } from "./applyReplica.js";
import type { ReplayState } from "./state.js";
import type { ApplyContext, ApplyOutcome } from "./transition.js";

export function applyReplicaRemoved(state: ReplayState, ev: ReplicaRemoved, ctx: ApplyContext): ApplyOutcome {
  return applyReplicaRecord(
    state,
    { cid: ev.cid, nodeId: ev.nodeId, ack: new Uint8Array(0), reason: ev.reason },
    false,
    ctx,
  );
}
