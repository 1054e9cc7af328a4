/** @module NodeRegistered: a node joins or updates its registration (signed by the node, relayed by a coordinator). */

import { sha256 } from "../../../common/hash.js";
import { isValidAddress } from "../../../common/secp256k1.js";
import { NodeClass, type NodeRegistered } from "../../../proto/gen/dsdn/da/v1/events.js";
import { verifyNodeRegistration } from "../events/bindings.js";
import { nodeIdHex } from "./principal.js";
import type { ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, superseded } from "./transition.js";
import { checkHttpUrl, checkNodeId, checkText, MAX_ZONE } from "./validate.js";
import { compareWriteKeys, type WriteKey } from "./writeKey.js";

export function applyNodeRegistered(state: ReplayState, ev: NodeRegistered, ctx: ApplyContext): ApplyOutcome {
  const bad =
    checkNodeId(ev.nodeId) ??
    (isValidAddress(ev.operator) ? undefined : "operator is not a nusa address") ??
    (ev.zone.length > 0 ? checkText(ev.zone, "zone", MAX_ZONE) : "zone is empty") ??
    (ev.class === NodeClass.NODE_CLASS_REGULAR || ev.class === NodeClass.NODE_CLASS_DATACENTER
      ? undefined
      : "class unknown") ??
    (ev.capacityBytes > 0n ? undefined : "capacity_bytes is 0") ??
    checkHttpUrl(ev.endpoint, "endpoint") ??
    (ev.tlsFingerprint.length === 0 || ev.tlsFingerprint.length === 32
      ? undefined
      : "tls_fingerprint must be 32 bytes") ??
    (ev.registeredAtHeight < ctx.blobHeight ? undefined : "registered_at_height is not before the blob's height");
  if (bad) return rejected(bad);
  const nodeId = nodeIdHex(ev.nodeId);
  // Only the node can sign a registration, but only a coordinator publishes it — after checking zone, class,
  // capacity and endpoint against the chain (MsgRegisterNode). A node posting its own registration to DA
  // would otherwise rewrite what placement and every replayer use (zone, capacity 2^62, a metadata-service
  // endpoint) while staying Active.
  if (!ctx.isCoordinator)
    return rejected(
      nodeId === ctx.publisherHex
        ? "unauthorized: a node's own registration takes effect only when a coordinator relays it"
        : "unauthorized: not a coordinator",
    );
  if (!verifyNodeRegistration(ev)) return rejected("node_signature does not verify");
  // Ordered by what the node signed, so re-publishing an old registration can never roll it back.
  const key: WriteKey = { height: ev.registeredAtHeight, tie: sha256(ev.nodeSignature) };
  const old = state.registrations.get(nodeId);
  if (old && compareWriteKeys(old.key, key) >= 0) return superseded;
  state.setRegistration(nodeId, { registration: ev, key });
  return applied([{ type: "nodeRegistered", nodeId }]);
}
