/** @module ChunkDeclared: a coordinator records a stored chunk, its manifest, uploader and placement. */
import type { ChunkDeclared } from "../../../proto/gen/dsdn/da/v1/events.js";
import { nodeIdHex, principalKey } from "./principal.js";
import { deleteRecordId, type ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, superseded } from "./transition.js";
import { checkCid, MAX_PLACEMENT } from "./validate.js";
import { compareWriteKeys } from "./writeKey.js";

function checkPlacement(placement: readonly Uint8Array[]): string | undefined {
  if (placement.length > MAX_PLACEMENT) return `placement longer than ${MAX_PLACEMENT}`;
  const seen = new Set<string>();
  for (const n of placement) {
    if (n.length !== 32) return "placement entry is not a 32-byte node id";
    const id = nodeIdHex(n);
    if (seen.has(id)) return "placement names a node twice";
    seen.add(id);
  }
  return undefined;
}

export function applyChunkDeclared(state: ReplayState, ev: ChunkDeclared, ctx: ApplyContext): ApplyOutcome {
  if (!ctx.isCoordinator) return rejected("unauthorized: only coordinators declare chunks");
  const uploader = principalKey(ev.uploader);
  const bad =
    checkCid(ev.cid) ??
    checkCid(ev.manifestCid, "manifest_cid") ??
    (ev.size > 0n ? undefined : "size is 0") ??
    (uploader ? undefined : "uploader is not a node id or nusa address") ??
    checkPlacement(ev.placement) ??
    (ev.replicationFactor >= 1 && ev.replicationFactor <= MAX_PLACEMENT
      ? undefined
      : "replication_factor out of range");
  if (bad || !uploader) return rejected(bad ?? "uploader missing");
  const old = state.chunks.get(ev.cid);
  if (old && compareWriteKeys(old.key, ctx.key) >= 0) return superseded;
  const tomb = state.deletes.get(deleteRecordId(ev.manifestCid, uploader));
  const deleted = tomb !== undefined && compareWriteKeys(tomb.key, ctx.key) > 0;
  state.setChunk({ chunk: ev, uploader, key: ctx.key, deleted });
  if (deleted) {
    return old && !old.deleted
      ? applied([{ type: "chunkDeleted", cid: ev.cid, manifestCid: old.chunk.manifestCid }])
      : applied([]);
  }
  return applied([{ type: "chunkDeclared", cid: ev.cid }]);
}
