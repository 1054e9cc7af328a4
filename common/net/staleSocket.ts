/** @module One retry for a request that met a stale kept-alive socket: the server closed it before any response byte. */

/**
 * What a reused socket the server has just closed looks like: undici (fetch) reports "other side closed"
 * (UND_ERR_SOCKET), node:http ECONNRESET or EPIPE. A refused connect (ECONNREFUSED) is a down service, not a race.
 */
const STALE_CODES: ReadonlySet<string> = new Set(["UND_ERR_SOCKET", "ECONNRESET", "EPIPE"]);

/** Methods whose repeat has the same effect as one request (RFC 9110 §9.2.2); content-addressed PUTs included. */
export const IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD", "PUT", "DELETE", "OPTIONS"]);

/** True when `e` (or one of its causes) is a socket closed under the request, not an answer or a timeout. */
export function isStaleSocketError(e: unknown): boolean {
  for (let cur = e, depth = 0; cur && typeof cur === "object" && depth < 5; depth++) {
    const { code, message } = cur as { code?: unknown; message?: unknown };
    if (typeof code === "string" && STALE_CODES.has(code)) return true;
    if (message === "other side closed") return true;
    cur = (cur as { cause?: unknown }).cause;
  }
  return false;
}

export interface StaleRetryOptions {
  /**
   * May this request be sent twice? Defaults to the method being idempotent. A POST may say yes when its repeat is
   * harmless (a read, a submission the server dedups by id, a request `init` re-signs).
   */
  readonly retry?: boolean;
}

/**
 * `fetch`, sent once more when the first attempt failed on a stale socket before any response arrived (fetch rejects
 * only before the response headers). `init` is called per attempt, so bodies, signatures and timeout signals are
 * fresh. Hand-written because undici's RetryAgent cannot replay a fetch body (fetch hands it a one-shot stream) and
 * Node does not export it; the rule is Node's own for `req.reusedSocket`.
 */
export async function fetchRetryingStale(
  url: string | URL,
  init: () => RequestInit = () => ({}),
  options: StaleRetryOptions = {},
): Promise<Response> {
  const first = init();
  const retry = options.retry ?? IDEMPOTENT_METHODS.has((first.method ?? "GET").toUpperCase());
  try {
    return await fetch(url, first);
  } catch (e) {
    if (!retry || !isStaleSocketError(e) || first.signal?.aborted) throw e;
    return await fetch(url, init());
  }
}

/**
 * A clock for signing the attempts of one request: Date.now(), but each reading at least 1 ms after the last, so a
 * re-signed retry never repeats the first attempt's signature (deterministic signatures over the same bytes are
 * equal, and servers refuse a replayed one).
 */
export function signingClock(): () => number {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return last;
  };
}
