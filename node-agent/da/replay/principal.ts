/** @module Principals (node ids and account addresses) as canonical strings for maps and views. */

import { isValidAddress } from "../../../common/secp256k1.js";
import type { Principal } from "../../../proto/gen/dsdn/da/v1/events.js";

/** Node ids are lowercase hex of the 32-byte ed25519 key; accounts are bech32 "nusa1…" — never ambiguous. */
export function principalKey(p: Principal | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (p.nodeId !== undefined && p.address === undefined)
    return p.nodeId.length === 32 ? p.nodeId.toString("hex") : undefined;
  if (p.address !== undefined && p.nodeId === undefined) return isValidAddress(p.address) ? p.address : undefined;
  return undefined;
}

/**
 * Hex ids of the 32-byte keys seen recently, bucketed by their first four bytes. Replay turns a node id into its
 * hex map key for nearly every event, and a network has few nodes: a hit hands back the one string already held
 * (no new 64-character string per event, and the state's maps share it). The result is a pure function of the
 * bytes, so the cache cannot change an outcome; bounded (cleared when full).
 */
const hexIds = new Map<number, { readonly bytes: Buffer; readonly hex: string }[]>();
let hexIdCount = 0;
const MAX_HEX_IDS = 16_384;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 32; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function nodeIdHex(id: Uint8Array): string {
  if (id.length !== 32) return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("hex");
  return internedNodeId(id).hex;
}

/**
 * One Buffer per 32-byte node id (equal bytes, never to be written to): a chunk's placement keeps these instead of
 * three views of its own, so a million chunks hold a few dozen node-id objects.
 */
export function sharedNodeId(id: Buffer): Buffer {
  return id.length === 32 ? internedNodeId(id).bytes : id;
}

function internedNodeId(id: Uint8Array): { readonly bytes: Buffer; readonly hex: string } {
  const bucket = (id[0]! | (id[1]! << 8) | (id[2]! << 16) | (id[3]! << 24)) >>> 0;
  let list = hexIds.get(bucket);
  if (list) for (const e of list) if (sameBytes(e.bytes, id)) return e;
  const hex = Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("hex");
  if (hexIdCount >= MAX_HEX_IDS) {
    hexIds.clear();
    hexIdCount = 0;
    list = undefined;
  }
  if (!list) {
    list = [];
    hexIds.set(bucket, list);
  }
  const entry = { bytes: Buffer.from(id), hex };
  list.push(entry);
  hexIdCount++;
  return entry;
}
