/** @module JSON-RPC 2.0 over HTTP(S) with a keep-alive agent, timeouts and token redaction (go-jsonrpc wire format). */
import http from "node:http";
import https from "node:https";
import { classifyDAError, DAError, displayUrl, redactSecret } from "./errors.js";
import type { DAMetrics } from "./metrics.js";

export interface JsonRpcHttpOptions {
  readonly url: string;
  readonly authToken?: string;
  readonly timeoutMs: number;
  readonly metrics: DAMetrics;
  /** Upper bound on pooled sockets to the node. */
  readonly maxSockets?: number;
}

interface RpcResponse {
  readonly jsonrpc?: string;
  readonly id?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code?: number; readonly message?: string; readonly data?: unknown };
}

/** One pooled HTTP connection set to a celestia-node style JSON-RPC endpoint. */
export class JsonRpcHttp {
  private readonly url: URL;
  private readonly agent: http.Agent;
  private readonly token: string | undefined;
  private nextId = 1;

  constructor(private readonly options: JsonRpcHttpOptions) {
    this.url = new URL(options.url);
    if (this.url.protocol === "ws:") this.url.protocol = "http:";
    if (this.url.protocol === "wss:") this.url.protocol = "https:";
    if (this.url.protocol !== "http:" && this.url.protocol !== "https:") {
      throw new DAError("invalid", `DA RPC URL must be http(s) or ws(s), got ${displayUrl(options.url)}`);
    }
    this.token = options.authToken || undefined;
    const AgentClass = this.url.protocol === "https:" ? https.Agent : http.Agent;
    this.agent = new AgentClass({ keepAlive: true, maxSockets: options.maxSockets ?? 16, keepAliveMsecs: 10_000 });
  }

  /** Printable endpoint (no credentials). */
  get endpoint(): string {
    return displayUrl(this.url.toString());
  }

  /** Calls `method` once: no retries here (the caller decides what is safe to repeat). */
  async call<T>(method: string, params: readonly unknown[], timeoutMs = this.options.timeoutMs): Promise<T> {
    const id = this.nextId++;
    const body = Buffer.from(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
    const started = performance.now();
    try {
      const res = await this.post(method, body, timeoutMs);
      if (res.error) {
        const text = redactSecret(String(res.error.message ?? "unknown error"), this.token);
        throw new DAError(classifyDAError(text), `${method}: ${text}`, {
          method,
          ...(res.error.code !== undefined ? { rpcCode: res.error.code } : {}),
        });
      }
      if (!("result" in res))
        throw new DAError("protocol", `${method}: response has neither result nor error`, { method });
      this.options.metrics.observe(method, performance.now() - started, true);
      return res.result as T;
    } catch (e) {
      this.options.metrics.observe(method, performance.now() - started, false);
      throw e;
    }
  }

  private post(method: string, body: Buffer, timeoutMs: number): Promise<RpcResponse> {
    const lib = this.url.protocol === "https:" ? https : http;
    const headers: Record<string, string | number> = {
      "content-type": "application/json",
      "content-length": body.length,
    };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    return new Promise<RpcResponse>((resolve, reject) => {
      let settled = false;
      const fail = (e: DAError) => {
        if (settled) return;
        settled = true;
        reject(e);
      };
      const req = lib.request(this.url, { method: "POST", agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => fail(this.transportError(method, e)));
        res.on("end", () => {
          if (settled) return;
          const text = Buffer.concat(chunks).toString("utf8");
          const status = res.statusCode ?? 0;
          if (status === 401 || status === 403) {
            return fail(
              new DAError(
                "unauthorized",
                `${method}: the DA node at ${this.endpoint} refused the auth token (HTTP ${status})`,
                {
                  method,
                  httpStatus: status,
                  details: "Check DA_AUTH_TOKEN: it must be a JWT issued by this node (celestia light auth write).",
                },
              ),
            );
          }
          if (status === 413) {
            return fail(
              new DAError("too_large", `${method}: request body too large (HTTP 413)`, { method, httpStatus: status }),
            );
          }
          let parsed: RpcResponse | undefined;
          try {
            parsed = JSON.parse(text) as RpcResponse;
          } catch {
            parsed = undefined;
          }
          if (parsed && typeof parsed === "object" && ("result" in parsed || "error" in parsed)) {
            settled = true;
            return resolve(parsed);
          }
          const snippet = redactSecret(text.slice(0, 200), this.token);
          const kind = status >= 500 ? "unavailable" : "protocol";
          fail(
            new DAError(kind, `${method}: HTTP ${status} from ${this.endpoint}: ${snippet}`, {
              method,
              httpStatus: status,
            }),
          );
        });
      });
      req.on("socket", (socket) => {
        if (req.reusedSocket) this.options.metrics.counters.connectionsReused++;
        else this.options.metrics.counters.connectionsOpened++;
        void socket;
      });
      req.setTimeout(timeoutMs, () => {
        fail(new DAError("timeout", `${method}: no answer from ${this.endpoint} within ${timeoutMs} ms`, { method }));
        req.destroy();
      });
      req.on("error", (e) => fail(this.transportError(method, e)));
      req.end(body);
    });
  }

  private transportError(method: string, e: Error & { code?: string }): DAError {
    const reason = redactSecret(e.code ?? e.message, this.token);
    const kind = classifyDAError(`${e.code ?? ""} ${e.message}`);
    return new DAError(
      kind === "other" ? "unavailable" : kind,
      `${method}: cannot reach the DA node at ${this.endpoint} (${reason})`,
      {
        method,
        cause: e,
      },
    );
  }

  close(): void {
    this.agent.destroy();
  }
}
