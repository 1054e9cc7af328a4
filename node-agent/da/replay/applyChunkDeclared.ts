/** @module ChunkDeclared: a coordinator records a stored chunk and its placement, pinned by the uploader's signed declaration. */
import { bytesEqual, sha256Native } from "../../../common/hash.js";
import type { ChunkDeclared, UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { checkShardInfo, shardFromProto } from "../../storage/erasure/shardInfo.js";
import { MAX_MANIFEST_BYTES } from "../../storage/manifest.js";
import {
  checkDeclarationFields,
  sharedDeclaration,
  verifyDeclaredObject,
  verifyUploadDeclaration,
} from "../events/declaration.js";
import { sharedNodeId } from "./principal.js";
import { deleteRecordId, OnePin, type PinRecord, type ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, superseded } from "./transition.js";
import { checkCid, MAX_PLACEMENT } from "./validate.js";
import { compareWriteKeys, type WriteKey } from "./writeKey.js";

function checkPlacement(placement: readonly Uint8Array[]): string | undefined {
  if (placement.length > MAX_PLACEMENT) return `placement longer than ${MAX_PLACEMENT}`;
  for (const n of placement) if (n.length !== 32) return "placement entry is not a 32-byte node id";
  // Pairwise: at most 64 entries, usually 3, so no set of hex strings per event.
  for (let i = 1; i < placement.length; i++)
    for (let j = 0; j < i; j++) if (bytesEqual(placement[i]!, placement[j]!)) return "placement names a node twice";
  return undefined;
}

/**
 * The pin a declaration makes — its id (manifest, uploader) and write key (signed height, sha256 of the signature)
 * — for the last declaration seen: a file's chunks arrive one after another under one declaration, so they share
 * one id string and one key instead of hashing the signature for each. Keyed by exactly what it is computed from.
 */
let lastPin: DeclaredPin | undefined;

interface DeclaredPin {
  readonly sig: Uint8Array;
  readonly manifestCid: string;
  readonly uploader: string;
  readonly height: bigint;
  readonly id: string;
  readonly key: WriteKey;
  /** The pin's record, and the pins of a chunk holding only this one (immutable, so chunks can share them). */
  readonly record: PinRecord;
  readonly only: OnePin;
}

function pinOf(d: UploadDeclaration): DeclaredPin {
  const p = lastPin;
  if (
    p !== undefined &&
    p.height === d.signedAtHeight &&
    p.manifestCid === d.manifestCid &&
    p.uploader === d.uploader &&
    bytesEqual(p.sig, d.signature)
  )
    return p;
  const key: WriteKey = { height: d.signedAtHeight, tie: sha256Native(d.signature) };
  const id = deleteRecordId(d.manifestCid, d.uploader);
  const record: PinRecord = { manifestCid: d.manifestCid, owner: d.uploader, key };
  lastPin = {
    sig: new Uint8Array(d.signature),
    manifestCid: d.manifestCid,
    uploader: d.uploader,
    height: d.signedAtHeight,
    id,
    key,
    record,
    only: new OnePin(id, record),
  };
  return lastPin;
}

/** A shard's stripe must be well formed (bounded, holding this object at its index, size a shard's). */
function checkShard(ev: ChunkDeclared): string | undefined {
  if (!ev.shard) return undefined;
  if (ev.replicationFactor !== 1) return "an erasure-coded shard has replication_factor 1";
  try {
    checkShardInfo(ev.cid, ev.size, shardFromProto(ev.shard));
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Ownership is a set of pins: a declaration adds (or renews) its uploader's pin and never changes another
 * uploader's, nor the chunk's size. Placement is the coordinator's: the newest declaration by envelope key.
 */
export function applyChunkDeclared(state: ReplayState, ev: ChunkDeclared, ctx: ApplyContext): ApplyOutcome {
  if (!ctx.isCoordinator) return rejected("unauthorized: only coordinators declare chunks");
  const d = ev.declaration;
  const bad =
    checkCid(ev.cid) ??
    checkCid(ev.manifestCid, "manifest_cid") ??
    (ev.size > 0n ? undefined : "size is 0") ??
    checkPlacement(ev.placement) ??
    checkShard(ev) ??
    (ev.replicationFactor >= 1 && ev.replicationFactor <= MAX_PLACEMENT
      ? undefined
      : "replication_factor out of range") ??
    (d ? undefined : "declaration missing: an upload must be signed by its uploader") ??
    checkDeclarationFields(d!) ??
    (d!.manifestCid === ev.manifestCid ? undefined : "manifest_cid differs from the signed declaration") ??
    (d!.signedAtHeight < ctx.blobHeight ? undefined : "declaration signed_at_height is not before the blob's height") ??
    (verifyDeclaredObject({ cid: ev.cid, size: ev.size }, ev.index, Number(d!.chunkCount), ev.proof, d!.chunksRoot)
      ? undefined
      : "chunk is not in the signed declaration (index/proof)");
  if (bad || !d) return rejected(bad ?? "declaration missing");
  if (ev.cid === d.manifestCid && ev.size > BigInt(MAX_MANIFEST_BYTES))
    return rejected("manifest larger than any valid manifest");
  if (!verifyUploadDeclaration(d)) return rejected("declaration signature does not verify");
  // The event is replay's own decoded copy: equal values shared across a file's chunks (declaration, node ids)
  // replace its per-chunk objects, so the state keeps fewer of them (same bytes, same digest).
  ev.declaration = sharedDeclaration(d);
  for (let i = 0; i < ev.placement.length; i++) ev.placement[i] = sharedNodeId(ev.placement[i]!);
  const old = state.chunks.get(ev.cid);
  if (old && !old.deleted && old.chunk.size !== ev.size)
    return rejected("size differs from the chunk's live declaration");
  const pin = pinOf(d);
  const { id: pinId, key: pinKey } = pin;
  const oldPin = old?.pins.get(pinId);
  const renews = oldPin !== undefined && compareWriteKeys(oldPin.key, pinKey) === 0;
  // A new pin only while the declaration is fresh; an existing one may be re-published (placement changes).
  if (!renews && ctx.blobHeight > d.expiresAtHeight) return rejected("declaration expired");
  const newPin = oldPin === undefined || compareWriteKeys(oldPin.key, pinKey) < 0;
  const newPlacement = !old || compareWriteKeys(old.key, ctx.key) < 0;
  if (!newPin && !newPlacement) return superseded;
  // Pins are never modified once stored, so the common cases share: an unchanged set stays the old one, and a
  // chunk pinned only by this declaration takes the declaration's one-pin set.
  let pins: ReadonlyMap<string, PinRecord>;
  if (!newPin) pins = old!.pins;
  else if (!old || old.pins.size === 0 || (old.pins.size === 1 && old.pins.has(pinId))) pins = pin.only;
  else {
    const m = new Map<string, PinRecord>(old.pins);
    m.set(pinId, pin.record);
    pins = m;
  }
  // A dead chunk (every pin deleted) is declared afresh; a live one keeps its size and first manifest.
  const chunk = newPlacement ? ev : old!.chunk;
  const rec = state.setChunk({ chunk, key: newPlacement ? ctx.key : old!.key, pins });
  if (rec.deleted) return applied([]);
  return applied([{ type: "chunkDeclared", cid: ev.cid }]);
}
