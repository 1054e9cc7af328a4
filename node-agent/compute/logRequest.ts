/** @module Owner-signed job log requests (`POST /jobs/:id/logs` on a storage node): ADR-036 by the workload's submitter, fresh and used once. */
import { adr036SignFields, adr036VerifyFields } from "../../common/adr036.js";

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
  const { address, publicKey, signature } = adr036SignFields(logRequestBytes(jobId, now), key);
  return { jobId, owner: address, publicKey, signedAtMs: now, signature };
}

/** True when `req` carries `req.owner`'s ADR-036 signature over its job id and signing time. */
export function verifyLogRequest(req: LogRequest): boolean {
  return adr036VerifyFields(req.owner, logRequestBytes(req.jobId, req.signedAtMs), req.publicKey, req.signature);
}
