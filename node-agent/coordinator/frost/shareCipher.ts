/** @module Encryption of DKG round-2 secret shares: X25519 (per-session keys) + HKDF-SHA256 + AES-256-GCM. */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { x25519 } from "@noble/curves/ed25519.js";
import { concatBytes } from "../../../common/hash.js";
import { FrostProtocolError } from "./errors.js";

const INFO = new TextEncoder().encode("dsdn.committee.v1.DkgRound2");

/** Who sends a share to whom, in which session and epoch: bound into both the key and the AAD. */
export interface ShareContext {
  readonly sessionId: Uint8Array;
  readonly epoch: bigint;
  readonly senderIndex: number;
  readonly recipientIndex: number;
}

export interface EncryptedShare {
  readonly nonce: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

function u64(n: bigint): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

function shareKey(mySecret: Uint8Array, peerPublic: Uint8Array, ctx: ShareContext): Buffer {
  let shared: Uint8Array;
  try {
    shared = x25519.getSharedSecret(mySecret, peerPublic); // rejects low-order points
  } catch (e) {
    throw new FrostProtocolError("invalid X25519 encryption key in round 1", { cause: e });
  }
  const info = concatBytes(INFO, u32(ctx.senderIndex), u32(ctx.recipientIndex));
  return Buffer.from(hkdfSync("sha256", shared, ctx.sessionId, info, 32));
}

function aad(ctx: ShareContext): Uint8Array {
  return concatBytes(ctx.sessionId, u64(ctx.epoch), u32(ctx.senderIndex), u32(ctx.recipientIndex));
}

/** A fresh X25519 key pair for one DKG session (forward secrecy: discarded after the session). */
export function newEncryptionKeyPair(): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secretKey = x25519.utils.randomSecretKey();
  return { secretKey, publicKey: x25519.getPublicKey(secretKey) };
}

export function encryptShare(
  share: Uint8Array,
  senderSecret: Uint8Array,
  recipientPublic: Uint8Array,
  ctx: ShareContext,
): EncryptedShare {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", shareKey(senderSecret, recipientPublic, ctx), nonce);
  cipher.setAAD(aad(ctx));
  const ciphertext = Buffer.concat([cipher.update(share), cipher.final(), cipher.getAuthTag()]);
  return { nonce: new Uint8Array(nonce), ciphertext: new Uint8Array(ciphertext) };
}

/** Throws FrostProtocolError when the share was not encrypted to us for this exact context, or was altered. */
export function decryptShare(
  enc: EncryptedShare,
  recipientSecret: Uint8Array,
  senderPublic: Uint8Array,
  ctx: ShareContext,
): Uint8Array {
  if (enc.nonce.length !== 12 || enc.ciphertext.length < 17) {
    throw new FrostProtocolError(`malformed encrypted share from participant ${ctx.senderIndex}`);
  }
  const tagAt = enc.ciphertext.length - 16;
  try {
    const decipher = createDecipheriv("aes-256-gcm", shareKey(recipientSecret, senderPublic, ctx), enc.nonce);
    decipher.setAAD(aad(ctx));
    decipher.setAuthTag(enc.ciphertext.subarray(tagAt));
    return new Uint8Array(Buffer.concat([decipher.update(enc.ciphertext.subarray(0, tagAt)), decipher.final()]));
  } catch (e) {
    throw new FrostProtocolError(`cannot decrypt the round-2 share from participant ${ctx.senderIndex}`, {
      cause: e,
    });
  }
}
