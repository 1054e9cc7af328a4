/** @module ReplicaAdded: a node (or a coordinator for it) records that the node holds a chunk. */
import type { ReplicaAdded } from "../../../proto/gen/dsdn/da/v1/events.js";
import { applyReplicaRecord } from "./applyReplica.js";
import type { ReplayState } from "./state.js";
import type { ApplyContext, ApplyOutcome } from "./transition.js";

export function applyReplicaAdded(state: ReplayState, ev: ReplicaAdded, ctx: ApplyContext): ApplyOutcome {
  return applyReplicaRecord(state, { cid: ev.cid, nodeId: ev.nodeId, ack: ev.ack, reason: "" }, true, ctx);
}
