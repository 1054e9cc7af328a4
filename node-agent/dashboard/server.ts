/** @module The dashboard's fastify app: the static page and a bounded, cached, rate-limited JSON API over public upstream data. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance } from "fastify";
import { ErrorCode, isBaseError } from "../../common/errors.js";
import { projectRoot } from "../../common/paths.js";
import { displayUrl } from "../da/celestia/errors.js";
import { DAMetrics } from "../da/celestia/metrics.js";
import { JsonRpcHttp } from "../da/celestia/rpcHttp.js";
import { registerDisclosure } from "../http/disclosure.js";
import { closeKeptAliveOnClose, DEFAULT_TIMEOUTS as SERVICE_TIMEOUTS, serverTimeouts } from "../http/serviceLimits.js";
import { TtlCache } from "./cache.js";
import { dashboardDisclosure } from "./disclosure.js";
import { PANELS, type Panel, type PanelName, type Upstreams } from "./panels.js";
import { CometRpc, DEFAULT_LIMITS, type UpstreamLimits } from "./upstream.js";

export interface DashboardOptions {
  readonly rpcUrl: string;
  readonly daUrl?: string;
  /** A DA read token (never a write or admin one: the dashboard only reads the head). Never sent to the page. */
  readonly daToken?: string;
  readonly coordinatorUrl?: string;
  readonly limits?: UpstreamLimits;
  /** How long an upstream answer is reused (default 1500 ms). */
  readonly cacheMs?: number;
  /** Requests per minute per client address (default 300: eight panels polled every 2 s by a few tabs). */
  readonly rateLimitPerMinute?: number;
}

const STATIC: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/style.css": "style.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
// The page loads nothing but its own files and calls nothing but this API; audit links open upstreams in new tabs.
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function toPanelError(e: unknown): Panel {
  if (isBaseError(e)) return { status: "error", error: { code: e.code, message: e.shortMessage.slice(0, 300) } };
  return {
    status: "error",
    error: {
      code: ErrorCode.Internal,
      message:
        String((e as Error)?.message ?? e)
          .split("\n")[0]
          ?.slice(0, 300) ?? "",
    },
  };
}

export function createDashboard(o: DashboardOptions): FastifyInstance {
  const limits = o.limits ?? DEFAULT_LIMITS;
  const upstreams: Upstreams = {
    comet: new CometRpc(o.rpcUrl, limits),
    limits,
    ...(o.daUrl
      ? {
          da: {
            rpc: new JsonRpcHttp({
              url: o.daUrl,
              ...(o.daToken ? { authToken: o.daToken } : {}),
              timeoutMs: limits.timeoutMs,
              metrics: new DAMetrics(),
              maxSockets: 4,
            }),
            url: o.daUrl,
            hasToken: Boolean(o.daToken),
          },
        }
      : {}),
    ...(o.coordinatorUrl ? { coordinatorUrl: o.coordinatorUrl.replace(/\/+$/, "") } : {}),
  };
  const cache = new TtlCache<Panel>(o.cacheMs ?? 1500);
  const panel = (name: PanelName) => cache.get(name, () => PANELS[name](upstreams).catch(toPanelError));

  const dir = join(projectRoot(), "node-agent", "dashboard", "static");
  const files = new Map(Object.entries(STATIC).map(([route, file]) => [route, readFileSync(join(dir, file))]));

  const app = Fastify({
    logger: false,
    bodyLimit: 1024,
    ...serverTimeouts({ ...SERVICE_TIMEOUTS, idleTimeoutMs: 30_000, requestTimeoutMs: 30_000 }),
  });
  closeKeptAliveOnClose(app);
  app.register(rateLimit, { max: o.rateLimitPerMinute ?? 300, timeWindow: 60_000 });
  registerDisclosure(app, dashboardDisclosure);
  app.addHook("onSend", async (_req, reply, payload) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    return payload;
  });
  app.after(() => {
    for (const [route, body] of files) {
      const type = TYPES[STATIC[route]?.split(".").pop() ?? ""] ?? "application/octet-stream";
      app.get(route, async (_req, reply) => reply.type(type).header("cache-control", "no-cache").send(body));
    }
    app.get("/api/v1/panels", async () => {
      const names = Object.keys(PANELS) as PanelName[];
      const answers = await Promise.all(names.map((n) => panel(n)));
      return {
        generatedAt: new Date().toISOString(),
        sources: {
          rpc: upstreams.comet.publicUrl,
          da: o.daUrl ? displayUrl(o.daUrl) : null,
          coordinator: upstreams.coordinatorUrl ? displayUrl(upstreams.coordinatorUrl) : null,
        },
        panels: Object.fromEntries(names.map((n, i) => [n, answers[i]])),
      };
    });
    app.get(
      "/api/v1/panels/:name",
      {
        schema: {
          params: {
            type: "object",
            required: ["name"],
            properties: { name: { type: "string", enum: Object.keys(PANELS) } },
          },
        },
      },
      async (req) => panel((req.params as { name: PanelName }).name),
    );
  });
  return app;
}
