/** @module HTTP client for the coordinator's compute API and the nodes' `/outputs/:cid` (every answer bounded and checked). */
import { verifyCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError } from "../../common/errors.js";
import { readBodyBounded } from "../../common/net/boundedBody.js";
import { fetchRetryingStale, signingClock } from "../../common/net/staleSocket.js";
import { MAX_MICROVM_OUTPUT_BYTES } from "../../node-agent/compute/executeMicroVM.js";
import type { JobLogState } from "../../node-agent/compute/jobLogs.js";
import { signLogRequest, signOutputRequest } from "../../node-agent/compute/logRequest.js";
import type { JobStatus } from "../../node-agent/compute/service.js";
import { type AuditSink, auditUrl, errorBody, fromDisclosed } from "../../node-agent/http/disclosedClient.js";

/** A job's log lines as one node recorded them (its submitter's to read). */
export interface JobLogs {
  readonly jobId: string;
  readonly state: JobLogState;
  readonly reason: string | null;
  readonly logs: readonly string[];
  /** The node that answered. */
  readonly endpoint: string;
}

const TIMEOUT_MS = 30_000;
/** The largest output any job writes: a MicroVM job's stdout (a WASM job's is at most 16 MiB). */
export const MAX_OUTPUT_BYTES = MAX_MICROVM_OUTPUT_BYTES;

/** At most this many bytes are read for a job's output: the commitment's output_size when it states one. */
function outputBound(s: JobStatus): number {
  const committed = Number(s.executionCommitment?.outputSize);
  return Number.isSafeInteger(committed) && committed >= 0 && committed < MAX_OUTPUT_BYTES
    ? committed
    : MAX_OUTPUT_BYTES;
}

/**
 * One request. `init` is called per attempt, so a signed body is re-signed; GETs, and POSTs marked `retry`, are sent
 * once more when a stale kept-alive socket was closed under them before any answer.
 */
/** An account key that signs owner-only reads (a job's logs, a private output). */
export interface SigningKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

async function call<T>(
  url: string,
  init: () => RequestInit = () => ({}),
  sink?: AuditSink,
  retry?: boolean,
): Promise<T> {
  let res: Response;
  let text: string;
  const origin = new URL(url).origin;
  try {
    res = await fetchRetryingStale(
      auditUrl(url, sink),
      () => ({ ...init(), signal: AbortSignal.timeout(TIMEOUT_MS) }),
      retry === undefined ? {} : { retry },
    );
    text = await res.text();
  } catch (e) {
    // Refused, reset, or cut short mid-answer: the network, never a half-read answer taken for an empty one.
    throw new BaseError(ErrorCode.Unavailable, `cannot reach ${origin}`, { cause: e });
  }
  let body: T & { error?: { code?: string; message?: string; details?: string } };
  try {
    body = JSON.parse(text);
  } catch (e) {
    if (res.ok)
      throw new BaseError(ErrorCode.Unavailable, `${origin} answered HTTP ${res.status} with a body that is not JSON`, {
        cause: e,
      });
    body = {} as typeof body;
  }
  if (!res.ok) {
    const e = errorBody<{ code?: string; message?: string; details?: string }>(body);
    const code = (Object.values(ErrorCode) as string[]).includes(e?.code ?? "")
      ? (e!.code as ErrorCode)
      : ErrorCode.Unavailable;
    throw new BaseError(code, e?.message ?? `HTTP ${res.status}`, {
      ...(e?.details ? { details: e.details } : {}),
    });
  }
  return fromDisclosed<T>(body, sink);
}

export class ComputeClient {
  /** `o.audit`: answers are asked for at disclosure level 3 and their audit data handed to it (`--verbose`). */
  constructor(
    readonly base: string,
    private readonly o: { readonly audit?: AuditSink } = {},
  ) {}

  info(): Promise<{ chainId: string; chainHeight: string; heartbeats: number }> {
    return call(`${this.base}/compute/info`);
  }

  submit(submission: Uint8Array): Promise<{ jobId: string; nodes: string[]; daHeight: string; existing: boolean }> {
    // The coordinator dedups by job id (the submission's hash): a repeat answers `existing: true`.
    return call(
      `${this.base}/workloads`,
      () => ({
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ submission: Buffer.from(submission).toString("base64") }),
      }),
      undefined,
      true,
    );
  }

  status(jobId: string): Promise<JobStatus> {
    if (!/^[0-9a-f]{64}$/.test(jobId)) throw new BaseError(ErrorCode.InvalidArgument, "a job id is 64 hex digits");
    return call(`${this.base}/workloads/${jobId}`, undefined, this.o.audit);
  }

  /**
   * The job's log lines from the first of its nodes that has them, asked with a request `key` (the submitter's
   * account key) signs: nodes serve logs to the job's submitter only.
   */
  async logs(s: JobStatus, key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array }): Promise<JobLogs> {
    const errors: string[] = [];
    let refused: BaseError | undefined;
    const now = signingClock();
    for (const ep of s.nodeEndpoints) {
      try {
        const r = await call<Omit<JobLogs, "endpoint">>(
          `${ep}/jobs/${s.jobId}/logs`,
          // A read, re-signed per attempt (nodes refuse a replayed signature).
          () => ({
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(signLogRequest(s.jobId, key, now())),
          }),
          this.o.audit,
          true,
        );
        return { jobId: r.jobId, state: r.state, reason: r.reason, logs: r.logs.map(String), endpoint: ep };
      } catch (e) {
        if (e instanceof BaseError && e.code === ErrorCode.Unauthorized) refused ??= e;
        errors.push(`${ep}: ${(e as Error).message}`);
      }
    }
    // One node saying "not yours" is the answer that matters; otherwise none had them (yet).
    if (refused) throw refused;
    throw new BaseError(ErrorCode.NotFound, `no node of job ${s.jobId} has its logs (state ${s.state})`, {
      details: errors.join("\n"),
    });
  }

  /**
   * The agreed output bytes, from the first node that serves bytes matching the CID. A private job's output (a node
   * answers 401/403) is asked for again with `key`'s signed request, when a key is given (loaded only then).
   */
  async output(s: JobStatus, key?: () => Promise<SigningKey>): Promise<Uint8Array> {
    if (!s.outputCid) throw new BaseError(ErrorCode.NotFound, `job ${s.jobId} has no output (state ${s.state})`);
    const cid = s.outputCid;
    const errors: string[] = [];
    let signer: SigningKey | undefined;
    const now = signingClock();
    let refused: BaseError | undefined;
    for (const ep of s.outputEndpoints) {
      try {
        let res = await fetchRetryingStale(`${ep}/outputs/${cid}`, () => ({
          signal: AbortSignal.timeout(TIMEOUT_MS),
        }));
        if ((res.status === 401 || res.status === 403) && key) {
          await res.body?.cancel().catch(() => {});
          signer ??= await key();
          const k = signer;
          // Re-signed per attempt: nodes refuse a replayed signature.
          res = await fetchRetryingStale(`${ep}/outputs/${cid}`, () => ({
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(signOutputRequest(cid, k, now())),
            signal: AbortSignal.timeout(TIMEOUT_MS),
          }));
        }
        if (!res.ok) {
          const text = await res.text().catch(() => "");
          if (res.status === 401 || res.status === 403) {
            let why: string | undefined;
            try {
              why = errorBody<{ message?: string }>(JSON.parse(text))?.message;
            } catch {}
            refused ??= new BaseError(ErrorCode.Unauthorized, `output ${cid}: ${why ?? `HTTP ${res.status}`}`);
            throw refused;
          }
          throw new Error(`HTTP ${res.status}`);
        }
        // Read no more than the output can be: the committed size when stated, never over the largest a job writes.
        const bytes = await readBodyBounded(res, outputBound(s), `output ${s.outputCid}`);
        if (!verifyCid(s.outputCid, bytes)) throw new IntegrityError(`bytes do not match ${s.outputCid}`);
        return bytes;
      } catch (e) {
        errors.push(`${ep}: ${(e as Error).message}`);
      }
    }
    // A node saying "private, not yours" is the answer that matters; otherwise none served it.
    if (refused) throw refused;
    throw new BaseError(ErrorCode.Unavailable, `no node served output ${s.outputCid}`, { details: errors.join("\n") });
  }
}
