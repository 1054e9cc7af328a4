/** @module The orchestrator's HTTP client: reaches members by identity key at their `/frost/v1/` endpoints. */
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import type { CallTiming, FrostRpc, PeerTransport } from "./rpc.js";
import { parseServerTiming } from "./stages.js";

export interface HttpPeerTransportOptions {
  /** Called after each successful call with its duration and the member's reported stages (benchmarks). */
  readonly onTiming?: (t: CallTiming) => void;
}

export class HttpPeerTransport implements PeerTransport {
  readonly #urls = new Map<string, string>();
  readonly #onTiming: ((t: CallTiming) => void) | undefined;

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
    let res: Response;
    const t0 = performance.now();
    try {
      res = await fetch(`${base}/frost/v1/${rpc}`, {
        method: "POST",
        headers: { "content-type": "application/octet-stream" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const timedOut = (e as Error)?.name === "TimeoutError";
      throw new BaseError(
        timedOut ? ErrorCode.Timeout : ErrorCode.Unavailable,
        timedOut ? `${base} did not answer within ${timeoutMs} ms` : `${base} is unreachable`,
        { cause: e },
      );
    }
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.ok) {
      this.#onTiming?.({
        peer,
        rpc,
        ms: performance.now() - t0,
        server: parseServerTiming(res.headers.get("server-timing")),
      });
      return bytes;
    }
    let err: { code?: string; message?: string; details?: string } = {};
    try {
      err = JSON.parse(Buffer.from(bytes).toString("utf8"));
    } catch {}
    const known = Object.values(ErrorCode) as string[];
    const code = (err.code && known.includes(err.code) ? err.code : ErrorCode.Internal) as ErrorCode;
    throw new BaseError(code, err.message ?? `HTTP ${res.status} from ${base}`, {
      ...(err.details ? { details: err.details } : {}),
      meta: { httpStatus: res.status },
    });
  }
}
