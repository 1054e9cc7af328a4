/** @module One `blob.Subscribe` WebSocket stream (go-jsonrpc channels: result = channel id, then `xrpc.ch.val`). */
import WebSocket from "ws";
import { classifyDAError, DAError, displayUrl, redactSecret } from "./errors.js";

/** One value of the channel: the height and the raw blobs of our namespace (unverified). */
export interface SubscriptionEvent {
  readonly height: bigint;
  readonly blobs: readonly unknown[];
}

export interface SubscriptionOptions {
  readonly url: string;
  readonly authToken?: string;
  readonly namespaceBase64: string;
  readonly timeoutMs: number;
  /** Values buffered while the consumer is busy; past this the stream is dropped and backfilled by height. */
  readonly maxBuffered?: number;
}

/** Heights come as a number in Subscribe messages and as a string in tmjson headers: accept both. */
export function parseHeight(value: unknown, what = "height"): bigint {
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  if (typeof value === "bigint" && value >= 0n) return value;
  throw new DAError("protocol", `${what} is not an unsigned integer: ${JSON.stringify(value)}`);
}

function wsUrl(url: string): string {
  const u = new URL(url);
  if (u.protocol === "http:") u.protocol = "ws:";
  else if (u.protocol === "https:") u.protocol = "wss:";
  return u.toString();
}

/** A live subscription; `next()` yields values in arrival order and rejects once the stream ends. */
export class BlobSubscriptionStream {
  private readonly queue: SubscriptionEvent[] = [];
  private waiter: { resolve: (e: SubscriptionEvent) => void; reject: (e: Error) => void } | undefined;
  private ended: DAError | undefined;
  private chanId: unknown;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: SubscriptionOptions,
  ) {}

  /** Opens the socket, sends `blob.Subscribe`, and resolves once the node returned a channel id. */
  static open(options: SubscriptionOptions): Promise<BlobSubscriptionStream> {
    const endpoint = displayUrl(options.url);
    const headers: Record<string, string> = {};
    if (options.authToken) headers.authorization = `Bearer ${options.authToken}`;
    const ws = new WebSocket(wsUrl(options.url), {
      headers,
      handshakeTimeout: options.timeoutMs,
      perMessageDeflate: false,
    });
    const stream = new BlobSubscriptionStream(ws, options);
    return new Promise((resolve, reject) => {
      let opened = false;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new DAError("timeout", `blob.Subscribe: no answer from ${endpoint} within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      ws.on("unexpected-response", (_req, res) => {
        clearTimeout(timer);
        const status = res.statusCode ?? 0;
        res.resume();
        ws.terminate();
        reject(
          status === 401 || status === 403
            ? new DAError(
                "unauthorized",
                `blob.Subscribe: the DA node at ${endpoint} refused the auth token (HTTP ${status})`,
                {
                  httpStatus: status,
                },
              )
            : new DAError(
                status >= 500 ? "unavailable" : "protocol",
                `blob.Subscribe: WebSocket upgrade refused (HTTP ${status})`,
                {
                  httpStatus: status,
                },
              ),
        );
      });
      ws.on("error", (e: Error & { code?: string }) => {
        clearTimeout(timer);
        const text = redactSecret(`${e.code ?? ""} ${e.message}`.trim(), options.authToken);
        const err = new DAError(
          classifyDAError(text) === "other" ? "unavailable" : classifyDAError(text),
          `blob.Subscribe: cannot reach the DA node at ${endpoint} (${text})`,
        );
        if (!opened) reject(err);
        stream.finish(err);
      });
      ws.on("close", () => {
        clearTimeout(timer);
        const err = new DAError("unavailable", `blob.Subscribe: stream closed by ${endpoint}`);
        if (!opened) reject(err);
        stream.finish(err);
      });
      ws.on("open", () => {
        ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "blob.Subscribe", params: [options.namespaceBase64] }));
      });
      ws.on("message", (raw: WebSocket.RawData) => {
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(raw.toString()) as Record<string, unknown>;
        } catch {
          return stream.finish(new DAError("protocol", "blob.Subscribe: a message is not JSON"));
        }
        if (!opened && msg.id === 1) {
          clearTimeout(timer);
          const error = msg.error as { code?: number; message?: string } | undefined;
          if (error) {
            ws.close();
            const text = redactSecret(String(error.message), options.authToken);
            return reject(new DAError(classifyDAError(text), `blob.Subscribe: ${text}`, { rpcCode: error.code ?? 0 }));
          }
          opened = true;
          stream.chanId = msg.result;
          return resolve(stream);
        }
        stream.onMessage(msg);
      });
    });
  }

  private onMessage(msg: Record<string, unknown>): void {
    const params = msg.params as unknown[] | undefined;
    if (msg.method === "xrpc.ch.close") {
      this.finish(new DAError("unavailable", "blob.Subscribe: the node closed the channel"));
      return;
    }
    if (msg.method !== "xrpc.ch.val" || !Array.isArray(params) || params.length < 2) return;
    if (this.chanId !== undefined && params[0] !== this.chanId) return;
    const value = params[1] as Record<string, unknown> | null;
    try {
      if (value === null || typeof value !== "object")
        throw new DAError("protocol", "blob.Subscribe: value is not an object");
      const height = parseHeight(value.Height ?? value.height, "Subscribe Height");
      const blobs = (value.Blobs ?? value.blobs ?? null) as unknown[] | null;
      if (blobs !== null && !Array.isArray(blobs))
        throw new DAError("protocol", "blob.Subscribe: Blobs is not an array");
      this.push({ height, blobs: blobs ?? [] });
    } catch (e) {
      this.finish(e as DAError);
    }
  }

  private push(event: SubscriptionEvent): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve(event);
      return;
    }
    this.queue.push(event);
    if (this.queue.length > (this.options.maxBuffered ?? 1024)) {
      this.finish(new DAError("unavailable", "blob.Subscribe: consumer fell behind; reconnecting and backfilling"));
    }
  }

  private finish(err: DAError): void {
    if (this.ended) return;
    this.ended = err;
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      // Values already queued are still delivered first; the waiter only exists when the queue is empty.
      w.reject(err);
    }
  }

  /** Next value; rejects with the reason once the stream has ended and the buffer is drained. */
  next(): Promise<SubscriptionEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  close(): void {
    this.finish(new DAError("unavailable", "blob.Subscribe: closed by the client"));
  }
}
