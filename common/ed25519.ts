/** @module Ed25519 identity keys for nodes, coordinators and validators' consensus keys. */
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

/**
 * Off-chain fast path (OpenSSL, `ed25519Native.ts`): about 20x cheaper than {@link ed25519Verify}, and no
 * multi-millisecond table build on a CLI's first verify. OpenSSL is cofactorless and RFC 8032-strict, so whatever it
 * accepts ZIP-215 (noble's rules) accepts too, never the reverse: a stricter check for one party's own decisions (a
 * client's acks). Never use it where verifiers must agree with ed25519Verify (state transitions, consensus).
 */
export { nativeSign as ed25519SignNative, nativeVerify as ed25519VerifyNative } from "./ed25519Native.js";
