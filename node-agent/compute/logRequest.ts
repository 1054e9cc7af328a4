/** @module Owner-signed job log requests (`POST /jobs/:id/logs` on a storage node): ADR-036 by the workload's submitter, fresh and used once. */
import { adr036Sign, adr036Verify } from "../../common/adr036.js";
import { pubKeyToAddress } from "../../common/secp256k1.js";

/** The body of `POST /jobs/:id/logs`: the job, who asks, and that account's signature. */
export interface LogRequest {
  readonly jobId: string;
  /** bech32 "nusa1…" account; served only when it is the job's signed submitter. */
  readonly owner: string;
  /** base64 33-byte compressed secp256k1 key of `owner`. */
  readonly publicKey: string;
  readonly signedAtMs: number;
  /** base64 64-byte ADR-036 signature over logRequestBytes(). */
  readonly signature: string;
}

export function logRequestBytes(jobId: string, signedAtMs: number): Uint8Array {
  return new TextEncoder().encode(`dsdn.compute.v1.LogRequest\0${jobId}\0${signedAtMs}`);
}

export function signLogRequest(
  jobId: string,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  now = Date.now(),
): LogRequest {
  const signature = adr036Sign(logRequestBytes(jobId, now), key.secretKey, key.publicKey);
  return {
    jobId,
    owner: pubKeyToAddress(key.publicKey),
    publicKey: Buffer.from(key.publicKey).toString("base64"),
    signedAtMs: now,
    signature: Buffer.from(signature).toString("base64"),
  };
}

/** True when `req` carries `req.owner`'s ADR-036 signature over its job id and signing time. */
export function verifyLogRequest(req: LogRequest): boolean {
  if (typeof req.publicKey !== "string" || typeof req.signature !== "string" || typeof req.owner !== "string")
    return false;
  return adr036Verify(
    req.owner,
    logRequestBytes(req.jobId, req.signedAtMs),
    Buffer.from(req.publicKey, "base64"),
    Buffer.from(req.signature, "base64"),
  );
}
