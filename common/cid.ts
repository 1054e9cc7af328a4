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

/** RFC 4648 base32 (lowercase) digit values by char code; -1 for any other character. */
const BASE32_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 32; i++) BASE32_VALUE["abcdefghijklmnopqrstuvwxyz234567".charCodeAt(i)] = i;

/**
 * The canonical form exactly, without a parser: "b" + 58 base32 digits of 0x01 0x55 0x12 0x20 ‖ 32-byte digest,
 * the 2 spare bits zero. Every string this accepts is one `parseCid` accepts (tested against it); anything
 * else goes to `parseCid`, which is the judge. Replay checks a CID per event, and parsing one is costly.
 */
function isCanonicalRawSha256Cid(cid: string): boolean {
  if (cid.length !== 59 || cid.charCodeAt(0) !== 0x62) return false;
  let acc = 0;
  let prefix = 0;
  for (let i = 1; i < 59; i++) {
    const c = cid.charCodeAt(i);
    const v = c < 128 ? BASE32_VALUE[c]! : -1;
    if (v < 0) return false;
    // The first 6 digits and 2 bits of the 7th carry the 32-bit prefix; the last digit's low 2 bits are spare.
    if (i <= 6) prefix = prefix * 32 + v;
    else if (i === 7) prefix = prefix * 4 + (v >> 3);
    acc = v;
  }
  return prefix === 0x01551220 && (acc & 3) === 0;
}

export function isValidCid(cid: string): boolean {
  if (typeof cid === "string" && isCanonicalRawSha256Cid(cid)) return true;
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
