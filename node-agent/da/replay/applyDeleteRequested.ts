/** @module DeleteRequested: an owner removes their own pin of a file (anyone may relay it); other owners' pins stay. */

import { sha256 } from "../../../common/hash.js";
import type { DeleteRequested } from "../../../proto/gen/dsdn/da/v1/events.js";
import { verifyDeleteRequest } from "../events/bindings.js";
import { principalKey } from "./principal.js";
import { deleteRecordId, type ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, type StateChange, superseded } from "./transition.js";
import { checkCid } from "./validate.js";
import { compareWriteKeys, type WriteKey } from "./writeKey.js";

export function applyDeleteRequested(state: ReplayState, ev: DeleteRequested, ctx: ApplyContext): ApplyOutcome {
  const ownerKey = principalKey(ev.owner);
  const bad =
    checkCid(ev.manifestCid, "manifest_cid") ??
    (ownerKey ? undefined : "owner is not a node id or nusa address") ??
    (ev.requestedAtHeight < ctx.blobHeight ? undefined : "requested_at_height is not before the blob's height");
  if (bad || !ownerKey || !ev.owner) return rejected(bad ?? "owner missing");
  if (!verifyDeleteRequest(ev)) return rejected("owner_signature does not verify");
  // Ordered by what the owner signed: a relayed copy of an old request cannot delete a later re-upload.
  const key: WriteKey = { height: ev.requestedAtHeight, tie: sha256(ev.ownerSignature) };
  const id = deleteRecordId(ev.manifestCid, ownerKey);
  const old = state.deletes.get(id);
  if (old && compareWriteKeys(old.key, key) >= 0) return superseded;
  state.setDelete({ manifestCid: ev.manifestCid, owner: ev.owner, ownerKey, key });
  // Only this owner's pins under this manifest, declared before the request, are removed.
  const changes: StateChange[] = [];
  for (const cid of [...state.chunksOfPin(ev.manifestCid, ownerKey)].sort())
    if (state.refreshChunk(cid)) changes.push({ type: "chunkDeleted", cid, manifestCid: ev.manifestCid });
  return applied(changes);
}
