/** @module HTTP client for the coordinator API (used by the dsdn agent and storage nodes). */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { fetchRetryingStale, signingClock } from "../../common/net/staleSocket.js";
import { type AuditSink, auditUrl, errorBody, fromDisclosed } from "../http/disclosedClient.js";
import type { ShardInfo } from "../storage/erasure/shardInfo.js";
import type { ChallengeRequest } from "./signedRequest.js";
import { signTicketRequest } from "./ticketRequest.js";

export interface PlacementAnswer {
  readonly cid: string;
  /** score: the exact integer rendezvous score as a decimal string. */
  readonly nodes: { nodeId: string; zone: string; endpoint: string; score: string }[];
  readonly replicationFactor: number;
  readonly underReplicated: boolean;
  readonly eligible: number;
  /** The chain height whose registrations and stake weights the placement used (decimal string). */
  readonly chainHeight?: string;
}

export interface TicketAnswer {
  readonly nodeId: string;
  readonly zone: string;
  readonly endpoint: string;
  /** base64 SignedPlacementTicket for the PUT's x-dsdn-ticket header. */
  readonly ticket: string;
  readonly expiresAtMs: number;
}

export interface ObjectStatusAnswer {
  readonly cid: string;
  readonly manifest: boolean;
  readonly daHeight: string;
  readonly chunks: {
    cid: string;
    size: string;
    manifestCid: string;
    owners: string[];
    placement: string[];
    replicationFactor: number;
    replicas: { node: string; zone: string; endpoint: string; status: string; healthy: boolean }[];
    healthyReplicas: number;
    underReplicated: boolean;
  }[];
}

export interface CoordinatorNode {
  readonly nodeId: string;
  readonly operator: string;
  readonly zone: string;
  readonly endpoint: string;
  readonly status: string;
  readonly statusReason: string;
  readonly healthy: boolean;
  readonly chunks: number;
  readonly challengeFailures: number;
}

export class CoordinatorClient {
  readonly url: string;
  private readonly timeoutMs: number;
  private readonly audit: AuditSink | undefined;

  /** `audit`: GET answers are asked for at disclosure level 3 and their audit data handed to it (`--verbose`). */
  constructor(url: string, options: { timeoutMs?: number; audit?: AuditSink } = {}) {
    try {
      const u = new URL(url);
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error("scheme");
    } catch {
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `invalid coordinator URL "${url}": expected e.g. http://127.0.0.1:7300`,
      );
    }
    this.url = url.replace(/\/+$/, "");
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.audit = options.audit;
  }

  /**
   * One request. `body` may be a function, called per attempt (a signed request is re-signed: the coordinator
   * refuses a replayed signature). GETs, and POSTs marked `retry`, are sent once more if a stale kept-alive socket
   * was closed under them before any answer (fetchRetryingStale).
   */
  private async call<T>(method: string, path: string, body?: unknown, retry?: boolean): Promise<T> {
    let res: Response;
    let text: string;
    const sink = method === "GET" ? this.audit : undefined;
    const init = (): RequestInit => {
      const b = typeof body === "function" ? (body as () => unknown)() : body;
      return {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(b !== undefined ? { body: JSON.stringify(b), headers: { "content-type": "application/json" } } : {}),
      };
    };
    try {
      res = await fetchRetryingStale(auditUrl(`${this.url}${path}`, sink), init, retry === undefined ? {} : { retry });
    } catch (e) {
      throw new BaseError(ErrorCode.Unavailable, `coordinator ${this.url} unreachable: ${method} ${path}`, {
        cause: e,
      });
    }
    try {
      text = await res.text();
    } catch (e) {
      // The connection broke mid-answer ("terminated"): a network failure, not a bug in DSDN.
      throw new BaseError(ErrorCode.Unavailable, `coordinator ${this.url} cut its answer short: ${method} ${path}`, {
        cause: e,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    // A success without a JSON answer would reach callers as `undefined` (a TypeError far away): say what happened.
    if (res.ok && json === undefined)
      throw new BaseError(ErrorCode.Unavailable, `coordinator ${this.url} answered ${method} ${path} without JSON`, {
        meta: { status: res.status },
      });
    if (!res.ok) {
      const e = errorBody<{ code?: string; message?: string; details?: string; refusals?: string[] }>(json);
      const code = (Object.values(ErrorCode) as string[]).includes(e?.code ?? "")
        ? (e!.code as ErrorCode)
        : res.status >= 500
          ? ErrorCode.Unavailable
          : ErrorCode.InvalidArgument;
      throw new BaseError(code, `coordinator: ${e?.message ?? `HTTP ${res.status}`}`, {
        ...(e?.details ? { details: e.details } : {}),
        meta: { status: res.status, ...(e?.refusals ? { refusals: e.refusals } : {}) },
      });
    }
    return fromDisclosed<T>(json, sink);
  }

  health(): Promise<{ status: string; coordinator: string; daHeight: string; stateDigest: string }> {
    return this.call("GET", "/health");
  }
  register(registration: Uint8Array): Promise<{ nodeId: string; status: string; daHeight: string }> {
    return this.call("POST", "/nodes/register", { registration: Buffer.from(registration).toString("base64") });
  }
  nodes(): Promise<{ daHeight: string; nodes: CoordinatorNode[] }> {
    return this.call("GET", "/nodes");
  }
  placement(cid: string, uploader?: string): Promise<PlacementAnswer & { declared: string[] | null }> {
    return this.call(
      "GET",
      `/placement/${encodeURIComponent(cid)}${uploader ? `?uploader=${encodeURIComponent(uploader)}` : ""}`,
    );
  }
  placements(cids: readonly string[], uploader?: string): Promise<{ placements: PlacementAnswer[] }> {
    // A read: safe to send twice.
    return this.call("POST", "/placement", { cids, ...(uploader ? { uploader } : {}) }, true);
  }
  /** Placement tickets for `cid` (exact `size`) on each node of its placement, asked for by the key's account. */
  tickets(
    cid: string,
    size: number,
    key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
    shard?: ShardInfo,
  ): Promise<{ cid: string; tickets: TicketAnswer[] }> {
    // Re-signed per attempt (the coordinator refuses a replayed signature); a second set of tickets for the same
    // bytes is harmless.
    const now = signingClock();
    return this.call(
      "POST",
      "/tickets",
      () => ({ ...signTicketRequest(cid, size, key, now()), ...(shard ? { shard } : {}) }),
      true,
    );
  }
  /** A heal ticket for `nodeId`, which DA places `cid` on. */
  healTicket(cid: string, nodeId: string): Promise<TicketAnswer> {
    return this.call("POST", "/tickets/heal", { cid, nodeId });
  }
  /** Declares stored objects under the uploader's signed declaration (base64 UploadDeclaration). */
  declare(body: {
    declaration: string;
    chunks: { cid: string; size: number; index: number; proof: string[]; acks: string[]; shard?: ShardInfo }[];
  }): Promise<{
    daHeight: string;
    published: number;
    chunks: { cid: string; placement: string[]; replicas: string[] }[];
  }> {
    return this.call("POST", "/chunks", body);
  }
  /** Relays an owner-signed DeleteRequested (base64): removes that owner's pin only. */
  requestDelete(request: string): Promise<{ daHeight: string; published: boolean; removed: string[] }> {
    return this.call("POST", "/delete", { request });
  }
  reportReplica(ack: string): Promise<{ cid: string; nodeId: string; recorded: boolean }> {
    return this.call("POST", "/replicas", { ack });
  }
  status(cid: string): Promise<ObjectStatusAnswer> {
    return this.call("GET", `/status/${encodeURIComponent(cid)}`);
  }
  /** A committee member's signed challenge request (signChallengeRequest). */
  challenge(request: ChallengeRequest): Promise<{ cid: string; outcome: string; reason: string }> {
    return this.call("POST", "/challenge", request);
  }
}
