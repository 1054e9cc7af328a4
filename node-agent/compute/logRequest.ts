/**
 * @module Owner-signed reads on a storage node — a job's logs (`POST /jobs/:id/logs`) and a private job's output
 * (`POST /outputs/:cid`): ADR-036 by the workload's submitter over a domain of its own, the subject and the signing
 * time; fresh and used once (the routes' replay guards).
 */
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

function ownerRequestBytes(domain: string, subject: string, signedAtMs: number): Uint8Array {
  return new TextEncoder().encode(`dsdn.compute.v1.${domain}\0${subject}\0${signedAtMs}`);
}

export function logRequestBytes(jobId: string, signedAtMs: number): Uint8Array {
  return ownerRequestBytes("LogRequest", jobId, signedAtMs);
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

/** The body of `POST /outputs/:cid`: the output, who asks, and that account's signature. */
export interface OutputRequest {
  readonly cid: string;
  readonly owner: string;
  readonly publicKey: string;
  readonly signedAtMs: number;
  readonly signature: string;
}

export function outputRequestBytes(cid: string, signedAtMs: number): Uint8Array {
  return ownerRequestBytes("OutputRequest", cid, signedAtMs);
}

export function signOutputRequest(
  cid: string,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  now = Date.now(),
): OutputRequest {
  const { address, publicKey, signature } = adr036SignFields(outputRequestBytes(cid, now), key);
  return { cid, owner: address, publicKey, signedAtMs: now, signature };
}

/** True when `req` carries `req.owner`'s ADR-036 signature over its output CID and signing time. */
export function verifyOutputRequest(req: OutputRequest): boolean {
  return adr036VerifyFields(req.owner, outputRequestBytes(req.cid, req.signedAtMs), req.publicKey, req.signature);
}
