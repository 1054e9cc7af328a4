/** @module Ed25519 through node:crypto (OpenSSL), ~15× faster than JS for the millions of envelope checks replay does. */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

// DER prefixes that wrap a raw 32-byte seed / public key as PKCS#8 / SPKI (RFC 8410).
const PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** A reusable signing key (KeyObject creation costs more than a signature). */
export interface NativeSigner {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

function privateKeyObject(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new TypeError("ed25519 seed must be 32 bytes");
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: "der", type: "pkcs8" });
}

export function nativeSigner(seed: Uint8Array, publicKey: Uint8Array): NativeSigner {
  const key = privateKeyObject(seed);
  return { publicKey, sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/** One signature (RFC 8032 is deterministic: the same bytes as the JS signer); prefer {@link nativeSigner} for many. */
export function nativeSign(message: Uint8Array, seed: Uint8Array): Uint8Array {
  return new Uint8Array(sign(null, message, privateKeyObject(seed)));
}

// Replay sees few distinct publishers; caching their KeyObjects removes DER parsing from the hot path.
const keyCache = new Map<string, KeyObject | null>();
const KEY_CACHE_LIMIT = 4096;

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const id = Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("hex");
  let key = keyCache.get(id);
  if (key === undefined) {
    try {
      key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    } catch {
      key = null; // not a point encoding OpenSSL accepts: every signature under it is invalid
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
    keyCache.set(id, key);
  }
  return key;
}

/** RFC 8032 verification as OpenSSL implements it; never throws on bad input. */
export function nativeVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  const key = publicKeyObject(publicKey);
  if (key === null) return false;
  try {
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
