/**
 * @module ECVRF-EDWARDS25519-SHA512-TAI (RFC 9381, suite 0x03): a verifiable random function whose output is
 * unique per (key, input) — the holder of the secret key cannot choose among outputs, only publish or withhold.
 * Curve arithmetic is @noble/curves' edwards25519; this file only composes the RFC's steps. Pure and
 * deterministic, so the chain verifies proofs with it.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { bytesToNumberLE, numberToBytesLE } from "@noble/curves/utils.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes } from "./hash.js";

const Point = ed25519.Point;
type EdPoint = InstanceType<typeof Point>;
/** The prime order of the edwards25519 base point (RFC 8032's L). */
const Q = Point.Fn.ORDER;
const SUITE = 0x03;
const C_LEN = 16;

/** Proof length (Gamma 32 ‖ c 16 ‖ s 32) and output length. */
export const ECVRF_PROOF_BYTES = 80;
export const ECVRF_OUTPUT_BYTES = 64;

/** RFC 8032 strict point decoding (canonical y only); undefined when the bytes are not a curve point. */
function decodePoint(bytes: Uint8Array): EdPoint | undefined {
  if (bytes.length !== 32) return undefined;
  try {
    return Point.fromBytes(bytes, false);
  } catch {
    return undefined;
  }
}

/** RFC 9381 §5.4.1.1 encode_to_curve_try_and_increment, salt = the public key string. */
function encodeToCurveTai(publicKey: Uint8Array, alpha: Uint8Array): EdPoint {
  for (let ctr = 0; ctr < 256; ctr++) {
    const h = sha512(concatBytes(Uint8Array.of(SUITE, 0x01), publicKey, alpha, Uint8Array.of(ctr, 0x00)));
    const p = decodePoint(h.subarray(0, 32));
    if (!p) continue;
    const c = p.clearCofactor();
    if (!c.is0()) return c;
  }
  // Probability 2^-256; the RFC leaves the loop unbounded.
  throw new Error("ECVRF encode_to_curve found no point in 256 tries");
}

/** RFC 9381 §5.4.3 challenge generation over (Y, H, Gamma, U, V), truncated to 16 bytes. */
function challenge(points: readonly EdPoint[]): bigint {
  const h = sha512(concatBytes(Uint8Array.of(SUITE, 0x02), ...points.map((p) => p.toBytes()), Uint8Array.of(0x00)));
  return bytesToNumberLE(h.subarray(0, C_LEN));
}

/** A VRF public key the verifier accepts (validate_key): a canonical point that is not of small order. */
export function isValidVrfPublicKey(publicKey: Uint8Array): boolean {
  const Y = decodePoint(publicKey);
  return !!Y && !Y.isSmallOrder();
}

/** The VRF public key of a 32-byte RFC 8032 secret key (the same derivation as Ed25519). */
export function ecvrfPublicKey(secretKey: Uint8Array): Uint8Array {
  return ed25519.getPublicKey(secretKey);
}

/** RFC 9381 §5.1: the 80-byte proof pi for `alpha` under `secretKey` (32-byte seed). Deterministic. */
export function ecvrfProve(secretKey: Uint8Array, alpha: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new TypeError("ECVRF secret key must be 32 bytes");
  const { scalar: x, prefix, pointBytes: Y } = ed25519.utils.getExtendedPublicKey(secretKey);
  const H = encodeToCurveTai(Y, alpha);
  const hBytes = H.toBytes();
  const gamma = H.multiply(x);
  // §5.4.2.2 nonce: SHA-512(second half of SHA-512(sk) ‖ H) mod q, as RFC 8032 derives signing nonces.
  const k = bytesToNumberLE(sha512(concatBytes(prefix, hBytes))) % Q;
  const c = challenge([Point.fromBytes(Y), H, gamma, Point.BASE.multiply(k), H.multiply(k)]);
  const s = (k + c * x) % Q;
  return concatBytes(gamma.toBytes(), numberToBytesLE(c, C_LEN), numberToBytesLE(s, 32));
}

/** RFC 9381 §5.2: the 64-byte output beta of a (structurally valid) proof; undefined if Gamma is not a point. */
export function ecvrfProofToHash(proof: Uint8Array): Uint8Array | undefined {
  if (proof.length !== ECVRF_PROOF_BYTES) return undefined;
  const gamma = decodePoint(proof.subarray(0, 32));
  if (!gamma) return undefined;
  return sha512(concatBytes(Uint8Array.of(SUITE, 0x03), gamma.clearCofactor().toBytes(), Uint8Array.of(0x00)));
}

/**
 * RFC 9381 §5.3 with validate_key = TRUE: beta when `proof` is the valid proof of `alpha` under `publicKey`,
 * undefined otherwise (wrong length, non-canonical point or scalar, small-order key, failed check). Never throws.
 */
export function ecvrfVerify(publicKey: Uint8Array, alpha: Uint8Array, proof: Uint8Array): Uint8Array | undefined {
  if (proof.length !== ECVRF_PROOF_BYTES) return undefined;
  const Y = decodePoint(publicKey);
  if (!Y || Y.isSmallOrder()) return undefined; // §5.4.5 validate_key
  const gamma = decodePoint(proof.subarray(0, 32));
  if (!gamma) return undefined;
  const c = bytesToNumberLE(proof.subarray(32, 32 + C_LEN));
  const s = bytesToNumberLE(proof.subarray(32 + C_LEN));
  if (s >= Q) return undefined;
  const H = encodeToCurveTai(publicKey, alpha);
  // U = s·B − c·Y, V = s·H − c·Gamma (public values: the variable-time multiplications are fine).
  const U = Point.BASE.multiplyUnsafe(s).subtract(Y.multiplyUnsafe(c));
  const V = H.multiplyUnsafe(s).subtract(gamma.multiplyUnsafe(c));
  if (challenge([Y, H, gamma, U, V]) !== c) return undefined;
  return ecvrfProofToHash(proof);
}
