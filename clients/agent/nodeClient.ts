/** @module HTTP client for one storage node's chunk server: HEAD/PUT/GET with retries and verified results. */
import { setTimeout as sleep } from "node:timers/promises";
import { parseCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError } from "../../common/errors.js";
import { bytesEqual, sha256Native, toHex } from "../../common/hash.js";
import { verifyAck } from "../../node-agent/storage/ack.js";
import { DEFAULT_MAX_BODY } from "../../node-agent/storage/chunker.js";
import { decodeTicket, TICKET_HEADER } from "../../node-agent/storage/ticket.js";
import { DirectGetter } from "./directGet.js";
import { type HttpExchange, type HttpResponse, httpExchange } from "./http.js";

export interface NodeClientOptions {
  /** Attempts after the first for transient failures (network errors, 5xx, 408, 429). */
  readonly retries?: number;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface VerifiedAck {
  readonly cid: string;
  readonly size: number;
  readonly nodeId: string;
  readonly zone: string;
  readonly created: boolean;
  /** The signed ack exactly as received (base64 of SignedStorageAck). */
  readonly ack: string;
}

/** A node answered with an error it will keep giving (4xx): retrying cannot help. */
class PermanentError extends BaseError {
  override readonly name = "PermanentError";
}

export class NodeClient {
  readonly url: string;
  private readonly retries: number;
  private readonly timeoutMs: number;
  private readonly signal: AbortSignal | undefined;
  private readonly base: URL;
  private readonly http: HttpExchange;
  /** Chunk GETs over plain HTTP (the kernel reads into the chunk buffer); TLS goes through `http`. */
  private readonly direct: DirectGetter | undefined;

  constructor(url: string, options: NodeClientOptions = {}) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new BaseError(ErrorCode.InvalidArgument, `invalid node URL "${url}": expected e.g. http://127.0.0.1:7400`);
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new BaseError(ErrorCode.InvalidArgument, `invalid node URL "${url}": must be http:// or https://`);
    }
    this.url = u.toString().replace(/\/+$/, "");
    this.base = u;
    this.http = httpExchange(u.protocol);
    this.direct = u.protocol === "http:" ? new DirectGetter(u) : undefined;
    this.retries = options.retries ?? 4;
    this.timeoutMs = options.timeoutMs ?? 120_000;
    this.signal = options.signal;
  }

  /** Closes kept-alive connections. */
  close(): void {
    this.http.close();
    this.direct?.close();
  }

  private send(
    method: string,
    cid: string,
    signal: AbortSignal,
    body?: Uint8Array,
    alloc?: (size: number) => Buffer,
    headers?: Readonly<Record<string, string>>,
  ): Promise<HttpResponse> {
    return this.http.request(method, this.chunkUrl(cid), body, signal, DEFAULT_MAX_BODY, alloc, headers);
  }

  private chunkUrl(cid: string): URL {
    return new URL(`chunks/${cid}`, this.base.href.endsWith("/") ? this.base : `${this.base.href}/`);
  }

  /** True when the node already holds the chunk (used to resume without re-sending). */
  async has(cid: string): Promise<boolean> {
    return this.attempt(`HEAD ${cid}`, async (signal) => {
      const res = await this.send("HEAD", cid, signal);
      if (res.status === 200) return true;
      if (res.status === 404) return false;
      throw this.failure(res, `HEAD ${cid}`);
    });
  }

  /**
   * Sends a chunk and returns the node's signed acknowledgement after checking it. With `ticket` (the
   * coordinator's placement ticket, base64) the ack must name that ticket.
   */
  async put(cid: string, bytes: Uint8Array, options: { ticket?: string } = {}): Promise<VerifiedAck> {
    const ticketId = options.ticket ? decodeTicket(options.ticket).id : undefined;
    return this.attempt(`PUT ${cid}`, async (signal) => {
      const res = await this.send(
        "PUT",
        cid,
        signal,
        bytes,
        undefined,
        options.ticket ? { [TICKET_HEADER]: options.ticket } : undefined,
      );
      if (res.status !== 200 && res.status !== 201) throw this.failure(res, `PUT ${cid}`);
      let body: { ack?: string; created?: boolean };
      try {
        body = JSON.parse(res.body.toString("utf8"));
      } catch {
        body = {};
      }
      const ack = typeof body.ack === "string" ? verifyAck(Buffer.from(body.ack, "base64")) : null;
      if (
        !ack ||
        ack.cid !== cid ||
        ack.size !== BigInt(bytes.length) ||
        (ticketId && Buffer.compare(Buffer.from(ack.ticketId), Buffer.from(ticketId)) !== 0)
      ) {
        throw new PermanentError(
          ErrorCode.InvalidSignature,
          `${this.url} returned no valid signed acknowledgement for ${cid}`,
        );
      }
      return {
        cid,
        size: bytes.length,
        nodeId: toHex(ack.nodePubkey),
        zone: ack.zone,
        created: body.created === true,
        ack: body.ack as string,
      };
    });
  }

  /**
   * Fetches a whole chunk and checks it hashes to its CID; a node that serves wrong bytes gets no retry.
   * `alloc` supplies the body buffer (so callers can recycle chunk-sized buffers).
   */
  async get(cid: string, alloc?: (size: number) => Buffer): Promise<Buffer> {
    const { digest } = parseCid(cid);
    return this.attempt(`GET ${cid}`, async (signal) => {
      // Hashed as it arrived on the direct path; the general one (TLS, unusual framing) hashes the body here.
      const direct = this.direct
        ? await this.direct.get(this.chunkUrl(cid).pathname, signal, DEFAULT_MAX_BODY, alloc)
        : null;
      const res = direct ?? (await this.send("GET", cid, signal, undefined, alloc));
      if (res.status !== 200) throw this.failure(res, `GET ${cid}`);
      const bytes = res.body;
      const got = direct?.sha256 ?? sha256Native(bytes);
      if (!bytesEqual(got, digest)) {
        throw new PermanentError(ErrorCode.Integrity, `${this.url} served bytes that do not match ${cid}`);
      }
      return bytes;
    });
  }

  private failure(res: Pick<HttpResponse, "status" | "body">, what: string): BaseError {
    let detail = `HTTP ${res.status}`;
    let code: string | undefined;
    try {
      const body = JSON.parse(res.body.toString("utf8")) as { error?: { code?: string; message?: string } };
      if (body.error?.message) detail = `${detail} ${body.error.message}`;
      code = body.error?.code;
    } catch {}
    const transient = res.status >= 500 || res.status === 408 || res.status === 429;
    const ec =
      res.status === 404
        ? ErrorCode.NotFound
        : code === ErrorCode.Integrity
          ? ErrorCode.Integrity
          : transient
            ? ErrorCode.Unavailable
            : ErrorCode.InvalidArgument;
    const msg = `${this.url}: ${what}: ${detail}`;
    // A corrupt chunk on the node will not heal by asking again.
    return transient && code !== ErrorCode.Integrity ? new BaseError(ec, msg) : new PermanentError(ec, msg);
  }

  private async attempt<T>(what: string, op: (signal: AbortSignal) => Promise<T>): Promise<T> {
    let last: unknown;
    for (let i = 0; i <= this.retries; i++) {
      this.signal?.throwIfAborted();
      const signals = [AbortSignal.timeout(this.timeoutMs), ...(this.signal ? [this.signal] : [])];
      try {
        return await op(AbortSignal.any(signals));
      } catch (e) {
        if (e instanceof PermanentError || e instanceof IntegrityError) throw e;
        if (this.signal?.aborted) throw this.signal.reason ?? e;
        last = e;
        if (i < this.retries) await sleep(200 * 2 ** i + Math.random() * 100);
      }
    }
    if (last instanceof BaseError) throw last;
    throw new BaseError(ErrorCode.Unavailable, `${this.url}: ${what} failed after ${this.retries + 1} attempts`, {
      details: describeNetworkError(last),
      cause: last,
    });
  }
}

/** "connect ECONNREFUSED 127.0.0.1:1" rather than a bare "fetch failed"-style message. */
function describeNetworkError(e: unknown): string {
  const err = e as { code?: string; message?: string; cause?: { message?: string } } | undefined;
  return [err?.message, err?.cause?.message].filter(Boolean).join(": ") || String(e);
}
