/** @module Bounded reads from the dashboard's upstreams: CometBFT RPC (status, blocks, ABCI queries, tx search) and plain JSON health endpoints. */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { displayUrl } from "../da/celestia/errors.js";

export interface UpstreamLimits {
  /** Per request; an upstream that does not answer in time is a panel error, never a hung page. */
  readonly timeoutMs: number;
  /** Largest answer body read; bigger ones are refused. */
  readonly maxBytes: number;
}

export const DEFAULT_LIMITS: UpstreamLimits = { timeoutMs: 3000, maxBytes: 4 << 20 };

/** GETs `url` and parses JSON, within the time and size limits; errors name the endpoint without credentials. */
export async function getJson(url: string, limits: UpstreamLimits, init: RequestInit = {}): Promise<unknown> {
  const where = displayUrl(url);
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(limits.timeoutMs), redirect: "error" });
  } catch (e) {
    const timedOut = (e as Error).name === "TimeoutError";
    throw new BaseError(
      timedOut ? ErrorCode.Timeout : ErrorCode.Unavailable,
      timedOut ? `${where} did not answer within ${limits.timeoutMs} ms` : `${where} unreachable`,
      { cause: e },
    );
  }
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > limits.maxBytes) {
    await res.body?.cancel();
    throw new BaseError(ErrorCode.TooLarge, `${where} answered ${declared} bytes (limit ${limits.maxBytes})`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.byteLength;
      // Throwing out of for-await cancels the body stream: the rest is never read.
      if (size > limits.maxBytes)
        throw new BaseError(ErrorCode.TooLarge, `${where} answered more than ${limits.maxBytes} bytes`);
      chunks.push(chunk);
    }
  } catch (e) {
    if (e instanceof BaseError) throw e;
    const timedOut = (e as Error).name === "TimeoutError";
    throw new BaseError(
      timedOut ? ErrorCode.Timeout : ErrorCode.Unavailable,
      timedOut ? `${where} did not finish answering within ${limits.timeoutMs} ms` : `${where} broke off its answer`,
      { cause: e },
    );
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!res.ok) throw new BaseError(ErrorCode.Unavailable, `${where} answered HTTP ${res.status}`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BaseError(ErrorCode.Decode, `${where} answered something that is not JSON`, { cause: e });
  }
}

/** One ABCI query answer with what an auditor needs to repeat it. */
export interface AbciAnswer {
  readonly path: string;
  readonly height: bigint;
  readonly value: Uint8Array;
}

/** CometBFT's JSON-RPC over GET (the URI form), every call bounded. */
export class CometRpc {
  readonly url: string;
  constructor(
    url: string,
    private readonly limits: UpstreamLimits = DEFAULT_LIMITS,
  ) {
    this.url = url.replace(/\/+$/, "");
  }

  /** Public form of the URL (no credentials) for audit links. */
  get publicUrl(): string {
    return displayUrl(this.url);
  }

  async call<T>(method: string, params: Record<string, string> = {}): Promise<T> {
    const q = new URLSearchParams(params).toString();
    const body = (await getJson(`${this.url}/${method}${q ? `?${q}` : ""}`, this.limits)) as {
      result?: T;
      error?: { message?: string; data?: string };
    };
    if (body.error || body.result === undefined)
      throw new BaseError(
        ErrorCode.Unavailable,
        `CometBFT ${method}: ${body.error?.data ?? body.error?.message ?? "no result"}`.slice(0, 300),
      );
    return body.result;
  }

  /** `abci_query` at `height` (0: latest); a non-zero code is an error carrying the chain's log. */
  async abciQuery(path: string, data: Uint8Array, height = 0n): Promise<AbciAnswer> {
    const r = await this.call<{ response: { code?: number; log?: string; value?: string | null; height?: string } }>(
      "abci_query",
      {
        path: JSON.stringify(path),
        data: `0x${Buffer.from(data).toString("hex")}`,
        ...(height > 0n ? { height: height.toString() } : {}),
      },
    );
    const resp = r.response;
    if (resp.code) throw new BaseError(ErrorCode.Unavailable, `${path}: ${String(resp.log ?? "").slice(0, 200)}`);
    return {
      path,
      height: BigInt(resp.height ?? "0"),
      value: new Uint8Array(Buffer.from(resp.value ?? "", "base64")),
    };
  }

  /** The URL that repeats an ABCI query (what a panel's audit link points at). */
  abciQueryUrl(path: string, data: Uint8Array, height: bigint): string {
    const q = new URLSearchParams({
      path: JSON.stringify(path),
      data: `0x${Buffer.from(data).toString("hex")}`,
      height: height.toString(),
    });
    return `${this.publicUrl}/abci_query?${q}`;
  }
}
