/** @module DeleteRequested: the owner of a file asks for its chunks to be dropped (anyone may relay it). */

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
  // Only chunks this owner uploaded, declared before the request, are covered.
  const changes: StateChange[] = [];
  for (const cid of [...state.declaredUnderManifest(ev.manifestCid)].sort()) {
    const rec = state.chunks.get(cid);
    if (!rec || rec.deleted || rec.uploader !== ownerKey || compareWriteKeys(rec.key, key) >= 0) continue;
    state.markChunkDeleted(cid);
    changes.push({ type: "chunkDeleted", cid, manifestCid: ev.manifestCid });
  }
  return applied(changes);
}
