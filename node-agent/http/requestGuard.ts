/** @module Rate limit and load shedding for services that are not fastify apps (the local DA server's node:http). */
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { ErrorCode } from "../../common/errors.js";
import type { ServiceLimits } from "./serviceLimits.js";
import { WindowQuota } from "./windowQuota.js";

export interface Refusal {
  readonly status: 429 | 503;
  readonly code: string;
  readonly message: string;
  readonly retryAfterSeconds: number;
}

/** The same rules @fastify/rate-limit and @fastify/under-pressure apply to the fastify services. */
export class RequestGuard {
  private readonly perClient: WindowQuota;
  private readonly delay: IntervalHistogram | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private lastDelayMs = 0;

  constructor(private readonly limits: ServiceLimits) {
    this.perClient = new WindowQuota({ perWindow: limits.requestsPerWindow, windowMs: limits.windowMs });
    if (limits.maxEventLoopDelayMs > 0) {
      this.delay = monitorEventLoopDelay({ resolution: 20 });
      this.delay.enable();
      // The worst lag of the last second decides; then the histogram starts over.
      this.timer = setInterval(() => {
        this.lastDelayMs = this.delay!.max / 1e6;
        this.delay!.reset();
      }, 1000);
      this.timer.unref();
    }
  }

  /** Null when the request may go ahead; otherwise why not. */
  check(client: string | undefined): Refusal | null {
    const l = this.limits;
    if (l.maxEventLoopDelayMs > 0 && this.lastDelayMs > l.maxEventLoopDelayMs)
      return this.overloaded(`event loop delay ${Math.round(this.lastDelayMs)} ms`);
    if (l.maxHeapUsedBytes > 0 && process.memoryUsage().heapUsed > l.maxHeapUsedBytes)
      return this.overloaded(`heap ${process.memoryUsage().heapUsed} bytes`);
    const q = this.perClient.reserve(client ?? "unknown", 1);
    if (!q.ok)
      return {
        status: 429,
        code: ErrorCode.RateLimited,
        message: `rate limit: more than ${l.requestsPerWindow} requests per ${Math.round(l.windowMs / 1000)} s from this client`,
        retryAfterSeconds: Math.ceil(q.retryAfterMs / 1000),
      };
    return null;
  }

  close(): void {
    clearInterval(this.timer);
    this.delay?.disable();
  }

  private overloaded(what: string): Refusal {
    return {
      status: 503,
      code: ErrorCode.Unavailable,
      message: `service overloaded (${what}); retry shortly`,
      retryAfterSeconds: 5,
    };
  }
}
