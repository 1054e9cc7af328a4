/**
 * @module Client-side AES-256-GCM per chunk: random per-file key, nonce = per-file prefix ‖ chunk index,
 * chunk index and file identity bound as AAD, and an HMAC tag that authenticates the manifest.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";
import { IntegrityError, InvalidArgumentError } from "../../common/errors.js";
import { sha256Native } from "../../common/hash.js";
import { encodeMessage } from "../../common/protobuf.js";
import { GCM_TAG_BYTES } from "../../node-agent/storage/manifest.js";
import { type Encryption, Manifest } from "../../proto/gen/dsdn/storage/v1/manifest.js";

export const SCHEME = "aes-256-gcm";
export const KEY_BYTES = 32;
const NONCE_PREFIX_BYTES = 8;
const FILE_ID_BYTES = 16;
const CHUNK_AAD_DOMAIN = Buffer.from("dsdn/storage/v1/chunk\0");

/** Everything needed to encrypt or decrypt one file; derived keys never leave this object. */
export interface FileCipher {
  readonly keyId: Uint8Array;
  readonly fileId: Uint8Array;
  readonly noncePrefix: Uint8Array;
  readonly encKey: Buffer;
  readonly macKey: Buffer;
}

export function newFileKey(): Uint8Array {
  return new Uint8Array(randomBytes(KEY_BYTES));
}

/** How the keystore and manifests name a key: its SHA-256 (a 256-bit random key stays secret). */
export function keyIdOf(key: Uint8Array): Uint8Array {
  return sha256Native(key);
}

/** Derives separate chunk-encryption and manifest-MAC keys from the file key (HKDF-SHA256, salt = file id). */
export function fileCipher(key: Uint8Array, fileId?: Uint8Array, noncePrefix?: Uint8Array): FileCipher {
  if (key.length !== KEY_BYTES)
    throw new InvalidArgumentError(`file key must be ${KEY_BYTES} bytes, got ${key.length}`);
  const fid = fileId ?? new Uint8Array(randomBytes(FILE_ID_BYTES));
  const prefix = noncePrefix ?? new Uint8Array(randomBytes(NONCE_PREFIX_BYTES));
  if (fid.length !== FILE_ID_BYTES || prefix.length !== NONCE_PREFIX_BYTES) {
    throw new InvalidArgumentError("file id must be 16 bytes and nonce prefix 8 bytes");
  }
  return {
    keyId: keyIdOf(key),
    fileId: fid,
    noncePrefix: prefix,
    encKey: Buffer.from(hkdfSync("sha256", key, fid, "dsdn/storage/v1/chunk-key", 32)),
    macKey: Buffer.from(hkdfSync("sha256", key, fid, "dsdn/storage/v1/manifest-mac", 32)),
  };
}

/** 12-byte GCM nonce: the per-file prefix then the chunk index (u32 big-endian) — unique per chunk. */
export function chunkNonce(prefix: Uint8Array, index: number): Buffer {
  if (!Number.isInteger(index) || index < 0 || index > 0xffffffff)
    throw new InvalidArgumentError(`chunk index ${index} out of range`);
  const n = Buffer.alloc(12);
  n.set(prefix, 0);
  n.writeUInt32BE(index, 8);
  return n;
}

/** AAD binds a ciphertext to its file and position, so chunks cannot be swapped or moved between files. */
export function chunkAad(fileId: Uint8Array, index: number): Buffer {
  const idx = Buffer.alloc(8);
  idx.writeBigUInt64BE(BigInt(index));
  return Buffer.concat([CHUNK_AAD_DOMAIN, fileId, idx]);
}

export function aesGcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_BYTES });
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Returns null when authentication fails (wrong key, tampered bytes, wrong position). */
export function aesGcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < GCM_TAG_BYTES) return null;
  const d = createDecipheriv("aes-256-gcm", key, nonce, { authTagLength: GCM_TAG_BYTES });
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - GCM_TAG_BYTES));
  const body = d.update(sealed.subarray(0, sealed.length - GCM_TAG_BYTES));
  try {
    return Buffer.concat([body, d.final()]);
  } catch {
    return null;
  }
}

export function encryptChunk(c: FileCipher, index: number, plaintext: Uint8Array): Buffer {
  return aesGcmSeal(c.encKey, chunkNonce(c.noncePrefix, index), chunkAad(c.fileId, index), plaintext);
}

export function decryptChunk(c: FileCipher, index: number, sealed: Uint8Array): Buffer {
  const plain = aesGcmOpen(c.encKey, chunkNonce(c.noncePrefix, index), chunkAad(c.fileId, index), sealed);
  if (!plain)
    throw new IntegrityError(`chunk ${index} failed authentication: it was tampered with or belongs elsewhere`);
  return plain;
}

/** The manifest's encryption block without its tag, with the cipher's public parameters filled in. */
export function encryptionFields(c: FileCipher): Encryption {
  return {
    scheme: SCHEME,
    noncePrefix: Buffer.from(c.noncePrefix),
    keyId: Buffer.from(c.keyId),
    fileId: Buffer.from(c.fileId),
    manifestTag: Buffer.alloc(0),
  };
}

/** HMAC-SHA256 over the manifest encoded with an empty tag: covers sizes, chunk CIDs and their order. */
export function manifestTag(c: FileCipher, m: Manifest): Buffer {
  if (!m.encryption) throw new InvalidArgumentError("manifest has no encryption block");
  const untagged = encodeMessage(Manifest, { ...m, encryption: { ...m.encryption, manifestTag: Buffer.alloc(0) } });
  return createHmac("sha256", c.macKey).update(untagged).digest();
}

export function verifyManifestTag(c: FileCipher, m: Manifest): boolean {
  const want = manifestTag(c, m);
  const got = m.encryption?.manifestTag;
  return got !== undefined && got.length === want.length && timingSafeEqual(got, want);
}
