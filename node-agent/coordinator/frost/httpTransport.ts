/**
 * @module The orchestrator's HTTP client: reaches members by identity key at their `/frost/v1/` endpoints, over
 * keep-alive node:http connections (no connection setup per round; less CPU per call than fetch), replies bounded.
 */
import { type HttpExchange, type HttpResponse, httpExchange } from "../../../clients/agent/http.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import { FROST_MAX_BODY } from "./httpServer.js";
import type { CallTiming, FrostRpc, PeerTransport } from "./rpc.js";
import { parseServerTiming } from "./stages.js";

export interface HttpPeerTransportOptions {
  /** Called after each successful call with its duration and the member's reported stages (benchmarks). */
  readonly onTiming?: (t: CallTiming) => void;
}

export class HttpPeerTransport implements PeerTransport {
  readonly #urls = new Map<string, string>();
  readonly #onTiming: ((t: CallTiming) => void) | undefined;
  readonly #exchanges = new Map<string, HttpExchange>();

  /** `peers`: identity key (hex) → base URL, e.g. "http://127.0.0.1:7601". */
  constructor(peers: ReadonlyMap<string, string> | Record<string, string>, opts: HttpPeerTransportOptions = {}) {
    const entries = peers instanceof Map ? [...peers.entries()] : Object.entries(peers);
    for (const [k, url] of entries) this.#urls.set(k.toLowerCase(), url.replace(/\/+$/, ""));
    this.#onTiming = opts.onTiming;
  }

  async call(peer: Uint8Array, rpc: FrostRpc, body: Uint8Array, timeoutMs: number): Promise<Uint8Array> {
    const hex = toHex(peer);
    const base = this.#urls.get(hex);
    if (!base) throw new InvalidArgumentError(`no address for member ${hex.slice(0, 16)}…`);
    const url = new URL(`${base}/frost/v1/${rpc}`);
    const signal = AbortSignal.timeout(timeoutMs);
    let res: HttpResponse;
    const t0 = performance.now();
    try {
      res = await this.#exchange(url.protocol).request("POST", url, body, signal, FROST_MAX_BODY);
    } catch (e) {
      const timedOut = signal.aborted;
      throw new BaseError(
        timedOut ? ErrorCode.Timeout : ErrorCode.Unavailable,
        timedOut ? `${base} did not answer within ${timeoutMs} ms` : `${base} is unreachable`,
        { cause: e },
      );
    }
    const bytes = new Uint8Array(res.body.buffer, res.body.byteOffset, res.body.byteLength);
    if (res.status >= 200 && res.status < 300) {
      const timing = res.headers["server-timing"];
      this.#onTiming?.({
        peer,
        rpc,
        ms: performance.now() - t0,
        server: parseServerTiming(Array.isArray(timing) ? timing.join(", ") : timing),
      });
      return bytes;
    }
    let err: { code?: string; message?: string; details?: string } = {};
    try {
      err = JSON.parse(res.body.toString("utf8"));
    } catch {}
    const known = Object.values(ErrorCode) as string[];
    const code = (err.code && known.includes(err.code) ? err.code : ErrorCode.Internal) as ErrorCode;
    throw new BaseError(code, err.message ?? `HTTP ${res.status} from ${base}`, {
      ...(err.details ? { details: err.details } : {}),
      meta: { httpStatus: res.status },
    });
  }

  /** One keep-alive connection pool per scheme, kept for the transport's life (no TCP setup per round). */
  #exchange(protocol: string): HttpExchange {
    let x = this.#exchanges.get(protocol);
    if (!x) {
      x = httpExchange(protocol);
      this.#exchanges.set(protocol, x);
    }
    return x;
  }

  /** Closes the idle keep-alive connections. */
  close(): void {
    for (const x of this.#exchanges.values()) x.close();
    this.#exchanges.clear();
  }
}
