/** @module secp256k1 account keys and Cosmos-style bech32 addresses (prefix `nusa`). */
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { createRequire } from "node:module";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ripemd160 } from "@noble/hashes/legacy.js";
import { bech32 } from "@scure/base";
import { sha256, sha256Native } from "./hash.js";
import { latin1String } from "./latin1.js";

export const BECH32_PREFIX = "nusa";

export interface Secp256k1KeyPair {
  readonly secretKey: Uint8Array; // 32 bytes
  readonly publicKey: Uint8Array; // 33-byte compressed
}

export function secp256k1KeyPair(secretKey?: Uint8Array): Secp256k1KeyPair {
  const sk = secretKey ?? secp256k1.utils.randomSecretKey();
  return { secretKey: sk, publicKey: secp256k1.getPublicKey(sk, true) };
}

/** Cosmos SIGN_MODE_DIRECT signature: ECDSA over sha256(signBytes), 64-byte r‖s, low-S. */
export function secp256k1Sign(signBytes: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return secp256k1.sign(sha256(signBytes), secretKey, { prehash: false, lowS: true, format: "compact" });
}

const CURVE_N = secp256k1.Point.CURVE().n;
const HALF_N = CURVE_N >> 1n;
/** DER SubjectPublicKeyInfo header for a 33-byte compressed secp256k1 point (id-ecPublicKey, secp256k1). */
const SPKI_PREFIX = Buffer.from("3036301006072a8648ce3d020106052b8104000a032200", "hex");
const keyObjects = new Map<string, KeyObject>();

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  const id = Buffer.from(publicKey).toString("hex");
  let key = keyObjects.get(id);
  if (!key) {
    key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: "der", type: "spki" });
    if (keyObjects.size >= 10_000) keyObjects.clear();
    keyObjects.set(id, key);
  }
  return key;
}

/** The part of the `secp256k1` package's native binding (bitcoin-core libsecp256k1) used here. */
interface LibSecp256k1 {
  ecdsaVerify(signature: Uint8Array, msg32: Uint8Array, publicKey: Uint8Array): boolean;
  publicKeyConvert(publicKey: Uint8Array, compressed: boolean): Uint8Array;
}

/**
 * libsecp256k1 through the `secp256k1` package's prebuilt N-API binding, loaded directly so a missing
 * binary never falls back to that package's pure-JS `elliptic` path; without it, OpenSSL verifies.
 */
const libsecp256k1: LibSecp256k1 | undefined = (() => {
  try {
    return createRequire(import.meta.url)("secp256k1/bindings.js") as LibSecp256k1;
  } catch {
    return undefined;
  }
})();

/** Which engine `secp256k1Verify` uses on this machine (benchmarks print it). */
export const secp256k1VerifyEngine: "libsecp256k1" | "openssl" = libsecp256k1 ? "libsecp256k1" : "openssl";

/** Keys kept in uncompressed form, bounded (the senders of the mempool and the next blocks). */
const UNCOMPRESSED_KEYS = 10_000;
const uncompressedKeys = new Map<string, Uint8Array>();

/** Byte string as a Map key: latin1 maps byte b to code unit b (cheaper than hex; one character per byte). */
function bytesKey(bytes: Uint8Array): string {
  return latin1String(bytes);
}

/**
 * The 65-byte form of a compressed key, parsed once per key: libsecp256k1 takes a square root to
 * decompress a 33-byte key on every verify (~12% of one verify here) and only checks the curve
 * equation for a 65-byte one. Both forms name the same point, so the verdict is the same. Throws for
 * a key that is not on the curve, as `ecdsaVerify` does.
 */
function uncompressedKey(lib: LibSecp256k1, publicKey: Uint8Array): Uint8Array {
  const id = bytesKey(publicKey);
  let full = uncompressedKeys.get(id);
  if (full === undefined) {
    full = lib.publicKeyConvert(publicKey, false);
    if (uncompressedKeys.size >= UNCOMPRESSED_KEYS) uncompressedKeys.clear();
    uncompressedKeys.set(id, full);
  }
  return full;
}

/** Shape checks shared by every engine: 64-byte r‖s with 0 < s ≤ n/2 (low-S), 33-byte compressed key. */
function wellFormed(signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 33) return false;
  const s = BigInt(`0x${Buffer.from(signature.buffer, signature.byteOffset + 32, 32).toString("hex")}`);
  return s !== 0n && s <= HALF_N;
}

/**
 * Verifies a 64-byte compact signature over sha256(signBytes) with a 33-byte compressed key.
 * High-S signatures are rejected (they are malleable copies of a valid one), as the Cosmos SDK
 * does. The curve math runs in libsecp256k1 (the library the SDK's Go code ports; ~5× faster than
 * OpenSSL's generic EC code here), or in OpenSSL when the native binding is missing; each is the
 * same pure function of its inputs as noble's (cross-checked in the tests).
 */
export function secp256k1Verify(signature: Uint8Array, signBytes: Uint8Array, publicKey: Uint8Array): boolean {
  if (!libsecp256k1) return secp256k1VerifyOpenSsl(signature, signBytes, publicKey);
  if (!wellFormed(signature, publicKey)) return false;
  try {
    // libsecp256k1 itself also refuses high-S and r or s outside [1, n-1]; a key off the curve throws.
    return libsecp256k1.ecdsaVerify(signature, sha256Native(signBytes), uncompressedKey(libsecp256k1, publicKey));
  } catch {
    return false;
  }
}

/** The same check through OpenSSL (node:crypto) with a cached key object per public key. */
export function secp256k1VerifyOpenSsl(signature: Uint8Array, signBytes: Uint8Array, publicKey: Uint8Array): boolean {
  if (!wellFormed(signature, publicKey)) return false;
  try {
    return verify("sha256", signBytes, { key: publicKeyObject(publicKey), dsaEncoding: "ieee-p1363" }, signature);
  } catch {
    return false;
  }
}

/** The same check in pure JS (noble), kept as the reference implementation. */
export function secp256k1VerifyNoble(signature: Uint8Array, signBytes: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 33) return false;
  try {
    return secp256k1.verify(signature, sha256(signBytes), publicKey, { prehash: false, lowS: true, format: "compact" });
  } catch {
    return false;
  }
}

/** 20-byte account address: ripemd160(sha256(compressed pubkey)). */
export function addressBytes(compressedPubKey: Uint8Array): Uint8Array {
  if (compressedPubKey.length !== 33) throw new TypeError("secp256k1 public key must be 33 bytes (compressed)");
  return ripemd160(sha256(compressedPubKey));
}

/** Bech32 results by input, bounded: every tx converts the same few addresses several times (checksums are costly). */
const BECH32_CACHE_ENTRIES = 20_000;
// Keys join prefix and input with a space, which bech32 prefixes cannot contain.
const bech32Encoded = new Map<string, string>();
const bech32Decoded = new Map<string, Uint8Array>();

export function toBech32Address(bytes: Uint8Array, prefix: string = BECH32_PREFIX): string {
  const id = `${prefix} ${bytesKey(bytes)}`;
  let address = bech32Encoded.get(id);
  if (address === undefined) {
    address = bech32.encode(prefix, bech32.toWords(bytes));
    if (bech32Encoded.size >= BECH32_CACHE_ENTRIES) bech32Encoded.clear();
    bech32Encoded.set(id, address);
  }
  return address;
}

/** Addresses by key, bounded: the ante handler derives the signer's address from its key in every check. */
const keyAddresses = new Map<string, string>();

export function pubKeyToAddress(compressedPubKey: Uint8Array, prefix: string = BECH32_PREFIX): string {
  if (compressedPubKey.length !== 33) return toBech32Address(addressBytes(compressedPubKey), prefix);
  const id = `${prefix} ${bytesKey(compressedPubKey)}`;
  let address = keyAddresses.get(id);
  if (address === undefined) {
    address = toBech32Address(addressBytes(compressedPubKey), prefix);
    if (keyAddresses.size >= BECH32_CACHE_ENTRIES) keyAddresses.clear();
    keyAddresses.set(id, address);
  }
  return address;
}

/** Decodes and checks a bech32 address; throws a TypeError naming what is wrong. */
export function fromBech32Address(address: string, prefix: string = BECH32_PREFIX): Uint8Array {
  const id = `${prefix} ${address}`;
  const known = bech32Decoded.get(id);
  // A copy: the caller may write into what it gets.
  if (known !== undefined) return known.slice();
  const bytes = decodeBech32Address(address, prefix);
  if (bech32Decoded.size >= BECH32_CACHE_ENTRIES) bech32Decoded.clear();
  bech32Decoded.set(id, bytes.slice());
  return bytes;
}

function decodeBech32Address(address: string, prefix: string): Uint8Array {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32.decode(address as `${string}1${string}`);
  } catch (e) {
    throw new TypeError(`invalid address "${address}": ${(e as Error).message}`);
  }
  if (decoded.prefix !== prefix) {
    throw new TypeError(`invalid address "${address}": prefix "${decoded.prefix}", expected "${prefix}"`);
  }
  const bytes = bech32.fromWords(decoded.words);
  if (bytes.length !== 20 && bytes.length !== 32) {
    throw new TypeError(`invalid address "${address}": ${bytes.length} bytes, expected 20 or 32`);
  }
  return bytes;
}

/**
 * The one spelling of an address used after decoding: lowercase bech32. BIP-173 allows an
 * all-uppercase address (it is the same address) and forbids mixed case, which is refused.
 */
export function normalizeAddress(address: string, prefix: string = BECH32_PREFIX): string {
  return toBech32Address(fromBech32Address(address, prefix), prefix);
}

export function isValidAddress(address: string, prefix: string = BECH32_PREFIX): boolean {
  try {
    fromBech32Address(address, prefix);
    return true;
  } catch {
    return false;
  }
}
