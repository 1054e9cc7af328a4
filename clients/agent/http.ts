/**
 * @module Minimal HTTP/1.1 exchange over node:http with keep-alive. Chunk bodies are tens of MiB: this writes
 * request buffers straight to the socket and reads responses into one buffer sized by Content-Length, where
 * fetch would clone each body (measured: ~0.5 s of copying and GC per GiB). Chunk GETs over plain HTTP skip even
 * this: `directGet.ts` has the kernel read into the chunk buffer; this exchange serves TLS and every other request.
 */
import http from "node:http";
import https from "node:https";
import { IDEMPOTENT_METHODS, isStaleSocketError } from "../../common/net/staleSocket.js";

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface HttpExchange {
  request(
    method: string,
    url: URL,
    body: Uint8Array | undefined,
    signal: AbortSignal,
    maxBody: number,
    /** Supplies the response body buffer (callers may recycle chunk-sized buffers). */
    alloc?: (size: number) => Buffer,
    /** Extra request headers (e.g. a placement ticket). */
    extraHeaders?: Readonly<Record<string, string>>,
  ): Promise<HttpResponse>;
  close(): void;
}

export function httpExchange(protocol: string): HttpExchange {
  const mod = protocol === "https:" ? https : http;
  const agent = new mod.Agent({ keepAlive: true, maxSockets: 32 });
  return {
    async request(method, url, body, signal, maxBody, alloc = Buffer.allocUnsafe, extraHeaders = {}) {
      try {
        return await once(method, url, body, signal, maxBody, alloc, extraHeaders);
      } catch (e) {
        // Node's rule for the keep-alive race: a request on a reused socket that errors before any response may be
        // sent again if it is idempotent (HEAD/GET/PUT of content-addressed chunks are).
        if (!(e instanceof StaleReuse)) throw e;
        if (signal.aborted) throw e.cause;
        return await once(method, url, body, signal, maxBody, alloc, extraHeaders).catch((again: unknown) => {
          throw again instanceof StaleReuse ? again.cause : again;
        });
      }
    },
    close() {
      agent.destroy();
    },
  };

  function once(
    method: string,
    url: URL,
    body: Uint8Array | undefined,
    signal: AbortSignal,
    maxBody: number,
    alloc: (size: number) => Buffer,
    extraHeaders: Readonly<Record<string, string>>,
  ): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      let answered = false;
      const req = mod.request(
        url,
        {
          method,
          agent,
          signal,
          headers: {
            ...extraHeaders,
            ...(body ? { "content-type": "application/octet-stream", "content-length": body.length } : {}),
          },
        },
        (res) => {
          answered = true;
          const declared = Number(res.headers["content-length"] ?? Number.NaN);
          if (declared > maxBody) {
            res.destroy();
            reject(new Error(`response of ${declared} bytes exceeds the expected maximum of ${maxBody}`));
            return;
          }
          const sized = Number.isSafeInteger(declared) && method !== "HEAD" ? alloc(declared) : null;
          const parts: Buffer[] = [];
          let got = 0;
          res.on("data", (piece: Buffer) => {
            if (got + piece.length > (sized ? sized.length : maxBody)) {
              res.destroy(new Error("response body longer than announced"));
              return;
            }
            if (sized) piece.copy(sized, got);
            else parts.push(piece);
            got += piece.length;
          });
          res.on("error", reject);
          res.on("aborted", () => reject(new Error("response aborted by the server")));
          res.on("end", () => {
            if (!res.complete || (sized && got !== sized.length)) {
              reject(new Error("response ended before its announced length (the server cut it short)"));
              return;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: sized ?? Buffer.concat(parts) });
          });
        },
      );
      req.on("error", (e) => {
        const stale = req.reusedSocket && !answered && IDEMPOTENT_METHODS.has(method) && isStaleSocketError(e);
        reject(stale ? new StaleReuse(e) : e);
      });
      req.end(body);
    });
  }
}

/** The reused socket was closed under a request before any answer: it may be sent once more. */
class StaleReuse extends Error {
  constructor(override readonly cause: unknown) {
    super("stale kept-alive socket", { cause });
  }
}
