/** @module Timeouts, per-client rate limits and load shedding shared by every DSDN HTTP service. */
import type http from "node:http";
import rateLimit from "@fastify/rate-limit";
import underPressure from "@fastify/under-pressure";
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from "fastify";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";

export interface ServiceTimeouts {
  /** The request line and headers must arrive within this many ms. */
  readonly headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this many ms. */
  readonly requestTimeoutMs: number;
  /** A connection with no bytes moving either way for this long is closed (a stalled body or reader). */
  readonly idleTimeoutMs: number;
  /** An idle kept-alive connection is closed after this long. */
  readonly keepAliveTimeoutMs: number;
}

export interface ServiceLimits {
  /** Requests per client address per window; 0 turns the limit off. */
  readonly requestsPerWindow: number;
  readonly windowMs: number;
  /** Shed load (503) while the event loop lags more than this (0 = off). */
  readonly maxEventLoopDelayMs: number;
  /** Shed load (503) above this V8 heap use (0 = off). */
  readonly maxHeapUsedBytes: number;
}

/**
 * How long an idle kept-alive socket stays open. Clients reuse a socket until the server's `Keep-Alive: timeout`
 * hint minus about a second (undici, Node's agent): with Node's 5 s default a client under load (2 cores, load 15+)
 * reused sockets the server was closing that very moment ("other side closed"). 65 s puts that edge past almost
 * every idle gap of our clients (they also resend idempotent requests once, common/net/staleSocket.ts); the cost is
 * one idle descriptor per client connection for a minute, which connection and rate limits already bound.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Generous for honest traffic (a 64 MiB body at 0.5 MiB/s fits), yet nothing waits forever. */
export const DEFAULT_TIMEOUTS: ServiceTimeouts = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 120_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: KEEP_ALIVE_TIMEOUT_MS,
};

/** Per address: a localnet runs every service on 127.0.0.1, so the default is high; operators tighten it. */
export const DEFAULT_LIMITS: ServiceLimits = {
  requestsPerWindow: 6000,
  windowMs: 60_000,
  maxEventLoopDelayMs: 5_000,
  maxHeapUsedBytes: 0,
};

/**
 * Fastify options that bound every connection (fastify's own defaults are 0 = never). The timeout check
 * runs at least every second so a stalled request is cut close to its deadline.
 */
export function serverTimeouts(t: ServiceTimeouts = DEFAULT_TIMEOUTS): Partial<FastifyServerOptions> {
  return {
    connectionTimeout: t.idleTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    keepAliveTimeout: t.keepAliveTimeoutMs,
    http: httpServerTimeouts(t),
    // `http` is passed to node:http createServer (fastify ≥ 4.x); its typings omit it.
  } as Partial<FastifyServerOptions>;
}

/** The same bounds for a plain node:http server (the local DA server): pass to createServer, then `applyKeepAlive`. */
export function httpServerTimeouts(t: ServiceTimeouts = DEFAULT_TIMEOUTS): http.ServerOptions {
  return {
    headersTimeout: t.headersTimeoutMs,
    requestTimeout: t.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(t.headersTimeoutMs / 2))),
  };
}

/** Sets a node:http server's idle kept-alive timeout (createServer's option for it is newer than Node 20). */
export function applyKeepAlive(server: http.Server, t: ServiceTimeouts = DEFAULT_TIMEOUTS): void {
  server.keepAliveTimeout = t.keepAliveTimeoutMs;
}

/**
 * Makes `app.close()` end once in-flight requests are answered. Fastify closes the connections idle at that moment
 * only; one answered afterwards stays open for the whole keep-alive timeout (65 s), and close() waits for it. So
 * until the server has closed, idle connections are closed every 50 ms.
 */
export function closeKeptAliveOnClose(app: FastifyInstance): void {
  app.addHook("preClose", (done) => {
    const server = app.server;
    const timer = setInterval(() => server.closeIdleConnections(), 50);
    timer.unref();
    server.once("close", () => clearInterval(timer));
    done();
  });
}

/** The JSON error shape every DSDN service answers with. */
function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/**
 * Registers @fastify/rate-limit (per client address) and @fastify/under-pressure (load shedding) on a
 * service. Works whether routes are added before or after: the limiter runs from a root onRequest hook.
 * Refusals are 429 / 503 with Retry-After and the usual `{error: {code, message}}` body.
 */
export function applyServiceLimits(app: FastifyInstance, limits: ServiceLimits = DEFAULT_LIMITS): void {
  closeKeptAliveOnClose(app);
  if (limits.maxEventLoopDelayMs > 0 || limits.maxHeapUsedBytes > 0) {
    app.register(underPressure, {
      ...(limits.maxEventLoopDelayMs > 0 ? { maxEventLoopDelay: limits.maxEventLoopDelayMs } : {}),
      ...(limits.maxHeapUsedBytes > 0 ? { maxHeapUsedBytes: limits.maxHeapUsedBytes } : {}),
      pressureHandler: (_req: FastifyRequest, reply: FastifyReply, type: string, value: number | undefined) => {
        reply
          .code(503)
          .header("retry-after", "5")
          .send(
            errorBody(
              ErrorCode.Unavailable,
              `service overloaded (${type}${value !== undefined ? ` ${Math.round(value)}` : ""}); retry shortly`,
            ),
          );
      },
    });
  }
  if (limits.requestsPerWindow <= 0) return;
  app.register(rateLimit, { global: false });
  let limiter: ((req: FastifyRequest, reply: FastifyReply) => Promise<void>) | undefined;
  app.addHook("onRequest", async function (this: FastifyInstance, req, reply) {
    limiter ??= app.rateLimit({
      max: limits.requestsPerWindow,
      timeWindow: limits.windowMs,
      errorResponseBuilder: (_req, ctx) =>
        Object.assign(
          new BaseError(
            ErrorCode.RateLimited,
            `rate limit: more than ${ctx.max} requests per ${Math.round(limits.windowMs / 1000)} s from ${ctx.ban ? "a banned" : "this"} client; retry in ${ctx.after}`,
          ),
          { statusCode: 429 },
        ),
    }) as unknown as (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
    await limiter.call(this, req, reply);
  });
}

function intFlag(v: unknown, name: string, fallback: number, min: number): number {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`--${name} must be an integer ≥ ${min}`);
  return n;
}

/** The CLI options every service accepts for its limits (merge into a command's `options`). */
export const SERVICE_LIMIT_OPTIONS = {
  "headers-timeout-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "rate-limit": { type: "string" },
  "rate-window-ms": { type: "string" },
  "max-event-loop-delay-ms": { type: "string" },
  "max-heap-bytes": { type: "string" },
} as const;

export const SERVICE_LIMIT_USAGE =
  "[--headers-timeout-ms MS] [--request-timeout-ms MS] [--idle-timeout-ms MS] [--rate-limit N --rate-window-ms MS] [--max-event-loop-delay-ms MS] [--max-heap-bytes N]";

/** Reads the shared limit flags (defaults above for any left out). */
export function serviceLimitsFromFlags(v: Record<string, unknown>): {
  timeouts: ServiceTimeouts;
  limits: ServiceLimits;
} {
  const d = DEFAULT_TIMEOUTS;
  const timeouts: ServiceTimeouts = {
    headersTimeoutMs: intFlag(v["headers-timeout-ms"], "headers-timeout-ms", d.headersTimeoutMs, 100),
    requestTimeoutMs: intFlag(v["request-timeout-ms"], "request-timeout-ms", d.requestTimeoutMs, 100),
    idleTimeoutMs: intFlag(v["idle-timeout-ms"], "idle-timeout-ms", d.idleTimeoutMs, 100),
    keepAliveTimeoutMs: d.keepAliveTimeoutMs,
  };
  if (timeouts.headersTimeoutMs > timeouts.requestTimeoutMs)
    throw new InvalidArgumentError("--headers-timeout-ms must not exceed --request-timeout-ms");
  const l = DEFAULT_LIMITS;
  const limits: ServiceLimits = {
    requestsPerWindow: intFlag(v["rate-limit"], "rate-limit", l.requestsPerWindow, 0),
    windowMs: intFlag(v["rate-window-ms"], "rate-window-ms", l.windowMs, 100),
    maxEventLoopDelayMs: intFlag(v["max-event-loop-delay-ms"], "max-event-loop-delay-ms", l.maxEventLoopDelayMs, 0),
    maxHeapUsedBytes: intFlag(v["max-heap-bytes"], "max-heap-bytes", l.maxHeapUsedBytes, 0),
  };
  return { timeouts, limits };
}
