/** @module Ed25519 identity keys for nodes, coordinators and validators' consensus keys. */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from "node:crypto";
import { ed25519 } from "@noble/curves/ed25519.js";

export interface Ed25519KeyPair {
  readonly secretKey: Uint8Array; // 32-byte seed
  readonly publicKey: Uint8Array; // 32 bytes
}

/** A new keypair from the OS CSPRNG, or from a given 32-byte seed. */
export function ed25519KeyPair(seed?: Uint8Array): Ed25519KeyPair {
  const secretKey = seed ?? ed25519.utils.randomSecretKey();
  if (secretKey.length !== 32) throw new TypeError("ed25519 seed must be 32 bytes");
  return { secretKey, publicKey: ed25519.getPublicKey(secretKey) };
}

export function ed25519Sign(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  return ed25519.sign(message, secretKey);
}

/** Strict verification (RFC 8032 / ZIP-215 rules as implemented by noble); never throws on bad input. */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return ed25519.verify(signature, message, publicKey);
  } catch {
    return false;
  }
}

/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the 32 raw key bytes follow it. */
const SPKI_ED25519 = Buffer.from("302a300506032b6570032100", "hex");

/**
 * Off-chain fast path (OpenSSL): about 20x cheaper than {@link ed25519Verify}, and no multi-millisecond table
 * build on a CLI's first verify. OpenSSL is cofactorless and RFC 8032-strict, so whatever it accepts ZIP-215
 * (noble's rules) accepts too, never the reverse: a stricter check for one party's own decisions (a client's
 * acks). Never use it where verifiers must agree with ed25519Verify (state transitions, consensus).
 */
export function ed25519VerifyNative(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_ED25519, publicKey]), format: "der", type: "spki" });
    return nodeVerify(null, message, key, signature);
  } catch {
    return false;
  }
}

/** DER PKCS#8 header of an Ed25519 private key (RFC 8410); the 32-byte seed follows it. */
const PKCS8_ED25519 = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * The same signature as {@link ed25519Sign} (RFC 8032 signing is deterministic: same seed and message, same
 * bytes), computed by OpenSSL: no table build on a fresh process's first signature, and cheaper per call.
 */
export function ed25519SignNative(message: Uint8Array, secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== 32) throw new TypeError("ed25519 seed must be 32 bytes");
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, secretKey]), format: "der", type: "pkcs8" });
  return new Uint8Array(nodeSign(null, message, key));
}
