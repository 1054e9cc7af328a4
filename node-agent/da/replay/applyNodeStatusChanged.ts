/** @module NodeStatusChanged: a coordinator moves a node between pending/active/quarantined/banned/offline. */
import type { NodeStatusChanged } from "../../../proto/gen/dsdn/da/v1/events.js";
import { nodeIdHex } from "./principal.js";
import { NODE_STATUS_NAMES, type ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, superseded } from "./transition.js";
import { checkNodeId, checkText } from "./validate.js";
import { compareWriteKeys } from "./writeKey.js";

export function applyNodeStatusChanged(state: ReplayState, ev: NodeStatusChanged, ctx: ApplyContext): ApplyOutcome {
  if (!ctx.isCoordinator) return rejected("unauthorized: only coordinators change node status");
  const name = NODE_STATUS_NAMES[ev.status];
  const bad = checkNodeId(ev.nodeId) ?? (name ? undefined : "status unknown") ?? checkText(ev.reason, "reason");
  if (bad || !name) return rejected(bad ?? "status unknown");
  const nodeId = nodeIdHex(ev.nodeId);
  // Kept even before the node's registration is seen, so delivery order cannot change the outcome.
  const old = state.statuses.get(nodeId);
  if (old && compareWriteKeys(old.key, ctx.key) >= 0) return superseded;
  state.setStatus(nodeId, { status: ev.status, reason: ev.reason, key: ctx.key });
  return applied([{ type: "nodeStatusChanged", nodeId, status: name }]);
}
