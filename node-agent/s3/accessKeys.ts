/** @module S3 access keys: the id is bound on DA by the account's signature; the secret is derived, never stored or published. */
import { createHmac, randomBytes } from "node:crypto";
import { base32 } from "@scure/base";
import { type RecordSigner, type SignedRecord, signRecord } from "./records.js";

/**
 * The secret for `accessKeyId`: HMAC of the gateway's master key (a 0600 file). Nothing secret goes to DA or
 * to disk per key, and every gateway instance sharing the master key verifies the same signatures.
 */
export function deriveSecret(master: Uint8Array, accessKeyId: string): string {
  return createHmac("sha256", master).update(`dsdn.s3.v1.secret\0${accessKeyId}`).digest("base64url").slice(0, 40);
}

export function newAccessKeyId(): string {
  return `DSDN${base32.encode(randomBytes(10)).slice(0, 16)}`;
}

/** What an account sends to `POST /_dsdn/keys`: its ADR-036-signed binding of a fresh key id to `gateway`. */
export function signKeyRequest(
  account: RecordSigner & { readonly address: string },
  gateway: string,
  now = Date.now(),
): SignedRecord {
  return signRecord(
    { type: "key", accessKeyId: newAccessKeyId(), account: account.address, gateway, signedAtMs: now },
    account,
  );
}
