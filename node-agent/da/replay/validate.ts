/** @module Field checks shared by the transitions; each returns a reason string or undefined. */
import { isValidCid } from "../../../common/cid.js";

export const MAX_TEXT = 256;
export const MAX_ZONE = 64;
export const MAX_ACK_BYTES = 4096;
export const MAX_PLACEMENT = 64;

export function checkNodeId(id: Uint8Array, field = "node_id"): string | undefined {
  return id.length === 32 ? undefined : `${field} must be 32 bytes`;
}

/**
 * CIDs recently found valid: a chunk's CID comes back in its ChunkDeclared and every ReplicaAdded, and parsing
 * one costs more than the rest of the check. Validity is a pure function of the string, so this cannot change
 * any outcome; bounded (cleared when full).
 */
const validCids = new Set<string>();
const VALID_CID_CACHE = 16_384;

export function checkCid(cid: string, field = "cid"): string | undefined {
  if (validCids.has(cid)) return undefined;
  if (!isValidCid(cid)) return `${field} is not a CIDv1 raw sha2-256`;
  if (validCids.size >= VALID_CID_CACHE) validCids.clear();
  validCids.add(cid);
  return undefined;
}

export function checkText(s: string, field: string, max = MAX_TEXT): string | undefined {
  return s.length <= max ? undefined : `${field} longer than ${max}`;
}

export function checkHttpUrl(s: string, field: string): string | undefined {
  if (s.length === 0 || s.length > 2048) return `${field} must be an http(s) URL`;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? undefined : `${field} must be an http(s) URL`;
  } catch {
    return `${field} must be an http(s) URL`;
  }
}
