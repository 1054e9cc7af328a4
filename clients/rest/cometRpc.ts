/** @module The few CometBFT RPC calls the REST API makes, over HTTP JSON-RPC with a timeout on each. */
import { RestError } from "./restError.js";

/** What an `abci_query` answered (value decoded from base64; code 0 = success). */
export interface AbciQueryResult {
  readonly code: number;
  readonly codespace: string;
  readonly log: string;
  readonly value: Uint8Array;
  readonly height: string;
}

/** The CometBFT RPC surface the REST routes need; raw JSON results as CometBFT returns them. */
export interface CometRpc {
  abciQuery(path: string, data: Uint8Array, height?: bigint): Promise<AbciQueryResult>;
  call(method: CometMethod, params: Record<string, string | number | boolean>): Promise<any>;
}

/** Only these methods are ever sent: the REST API never forwards a caller-chosen method or path. */
export type CometMethod =
  | "abci_query"
  | "status"
  | "block"
  | "validators"
  | "tx"
  | "tx_search"
  | "broadcast_tx_sync"
  | "broadcast_tx_async";

/** Largest CometBFT answer read (a block of max size plus JSON overhead). */
const MAX_RESPONSE_BYTES = 64 << 20;

export function httpCometRpc(baseUrl: string, timeoutMs = 10_000): CometRpc {
  const url = baseUrl.replace(/\/+$/, "");
  let id = 0;
  async function call(method: CometMethod, params: Record<string, string | number | boolean>): Promise<any> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === "TimeoutError" || e.name === "AbortError");
      throw timedOut
        ? new RestError(4, `CometBFT RPC ${method} timed out after ${timeoutMs} ms`)
        : new RestError(14, `CometBFT RPC unreachable: ${(e as Error).message}`);
    }
    const len = Number(res.headers.get("content-length") ?? "0");
    if (len > MAX_RESPONSE_BYTES) throw new RestError(13, `CometBFT RPC ${method} answer too large`);
    const text = await res.text();
    if (text.length > MAX_RESPONSE_BYTES) throw new RestError(13, `CometBFT RPC ${method} answer too large`);
    let body: { result?: unknown; error?: { code?: number; message?: string; data?: string } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new RestError(13, `CometBFT RPC ${method}: not JSON (HTTP ${res.status})`);
    }
    if (body.error) throw cometError(method, body.error);
    return body.result;
  }
  return {
    call,
    async abciQuery(path, data, height) {
      const r = await call("abci_query", {
        path,
        data: Buffer.from(data).toString("hex"),
        ...(height !== undefined && height > 0n ? { height: height.toString() } : {}),
        prove: false,
      });
      const resp = r?.response ?? {};
      return {
        code: Number(resp.code ?? 0),
        codespace: String(resp.codespace ?? ""),
        log: String(resp.log ?? ""),
        value: Buffer.from(String(resp.value ?? ""), "base64"),
        height: String(resp.height ?? "0"),
      };
    },
  };
}

/** CometBFT's "not found" and "height too high" errors become NotFound / InvalidArgument. */
function cometError(method: string, e: { code?: number; message?: string; data?: string }): RestError {
  const data = String(e.data ?? e.message ?? "error");
  if (/not found/i.test(data)) return new RestError(5, data);
  if (
    /must be less than or equal to|height .* is not available|must be greater than 0|page should be within/i.test(data)
  )
    return new RestError(3, data);
  return new RestError(2, `CometBFT RPC ${method}: ${data}`);
}
