/** @module Shared rule of ReplicaAdded / ReplicaRemoved: who may write a (chunk, node) replica record. */
import { nodeIdHex } from "./principal.js";
import type { ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, superseded } from "./transition.js";
import { checkCid, checkNodeId, checkText, MAX_ACK_BYTES } from "./validate.js";
import { compareWriteKeys } from "./writeKey.js";

export function applyReplicaRecord(
  state: ReplayState,
  ev: { cid: string; nodeId: Uint8Array; ack: Uint8Array; reason: string },
  present: boolean,
  ctx: ApplyContext,
): ApplyOutcome {
  const bad =
    checkCid(ev.cid) ??
    checkNodeId(ev.nodeId) ??
    (ev.ack.length <= MAX_ACK_BYTES ? undefined : `ack longer than ${MAX_ACK_BYTES} bytes`) ??
    checkText(ev.reason, "reason");
  if (bad) return rejected(bad);
  const nodeId = nodeIdHex(ev.nodeId);
  // A node speaks for its own replicas; coordinators for anyone's (self-healing, dead nodes).
  if (nodeId !== ctx.publisherHex && !ctx.isCoordinator)
    return rejected("unauthorized: not the node nor a coordinator");
  // A node may add itself only where DA places it: it cannot make itself a holder of arbitrary chunks.
  if (present && !ctx.isCoordinator) {
    const chunk = state.chunks.get(ev.cid);
    // (A deleted chunk keeps its placement, so a report racing the delete is judged the same in any order.)
    if (!chunk?.chunk.placement.some((n) => nodeIdHex(n) === nodeId))
      return rejected("unauthorized: chunk is not placed on this node");
  }
  const old = state.replicas.get(ev.cid)?.get(nodeId);
  if (old && compareWriteKeys(old.key, ctx.key) >= 0) return superseded;
  state.setReplica(ev.cid, nodeId, { present, ack: ev.ack, reason: ev.reason, key: ctx.key });
  if ((old?.present ?? false) === present) return applied([]);
  return applied([{ type: present ? "replicaAdded" : "replicaRemoved", cid: ev.cid, nodeId }]);
}
