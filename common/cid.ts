/** @module Content IDs: CIDv1, raw codec, sha2-256 multihash — the `bafkrei…` strings IPFS tools print. */

import { base32 } from "multiformats/bases/base32";
import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { InvalidArgumentError } from "./errors.js";
import { bytesEqual, sha256Native } from "./hash.js";

export const RAW_CODEC = 0x55;
export const SHA2_256_CODE = 0x12;

/** The CID of bytes held in memory (chunks, manifests). */
export function cidForBytes(bytes: Uint8Array): string {
  return cidFromSha256(sha256Native(bytes));
}

/** The CID of data whose SHA-256 digest is already known (streamed hashing). */
export function cidFromSha256(digest: Uint8Array): string {
  if (digest.length !== 32) throw new TypeError("sha2-256 digest must be 32 bytes");
  return CID.createV1(RAW_CODEC, Digest.create(SHA2_256_CODE, digest)).toString(base32);
}

/**
 * Parses a CID string and returns its sha2-256 digest. Only CIDv1/raw/sha2-256 is accepted, so a
 * malformed or foreign CID is refused with a clear message before any I/O happens.
 */
export function parseCid(cid: string): { readonly cid: string; readonly digest: Uint8Array } {
  if (typeof cid !== "string" || cid.length === 0 || cid.length > 128) {
    throw new InvalidArgumentError(`malformed CID: "${String(cid).slice(0, 64)}"`);
  }
  let parsed: CID;
  try {
    parsed = CID.parse(cid);
  } catch (e) {
    throw new InvalidArgumentError(`malformed CID: "${cid.slice(0, 64)}"`, { cause: e });
  }
  if (parsed.version !== 1 || parsed.code !== RAW_CODEC || parsed.multihash.code !== SHA2_256_CODE) {
    throw new InvalidArgumentError(`unsupported CID "${cid}": expected CIDv1, raw codec, sha2-256`);
  }
  const canonical = parsed.toString(base32);
  if (canonical !== cid) throw new InvalidArgumentError(`non-canonical CID "${cid}": use "${canonical}"`);
  return { cid: canonical, digest: parsed.multihash.digest };
}

export function isValidCid(cid: string): boolean {
  try {
    parseCid(cid);
    return true;
  } catch {
    return false;
  }
}

/** True when `bytes` are exactly the content named by `cid`. */
export function verifyCid(cid: string, bytes: Uint8Array): boolean {
  return bytesEqual(parseCid(cid).digest, sha256Native(bytes));
}
