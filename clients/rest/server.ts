/**
 * @module The Cosmos REST (LCD) API as a fastify app: only the declared routes, each answered by ABCI
 * queries and CometBFT RPC; bounded bodies, a rate limit per client, gRPC-gateway error bodies.
 */
import rateLimit from "@fastify/rate-limit";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import { closeKeptAliveOnClose, DEFAULT_TIMEOUTS, serverTimeouts } from "../../node-agent/http/serviceLimits.js";
import type { CometRpc } from "./cometRpc.js";
import { RestError } from "./restError.js";
import { authRoutes } from "./routes/auth.js";
import { bankRoutes } from "./routes/bank.js";
import { complianceRoutes } from "./routes/compliance.js";
import { daRoutes } from "./routes/da.js";
import { distributionRoutes } from "./routes/distribution.js";
import { govRoutes } from "./routes/gov.js";
import { nodesRoutes } from "./routes/nodes.js";
import { oracleRoutes } from "./routes/oracle.js";
import { stakingRoutes } from "./routes/staking.js";
import { tendermintRoutes } from "./routes/tendermint.js";
import { MAX_TX_BYTES, txRoutes } from "./routes/tx.js";

export interface RestServerOptions {
  readonly rpc: CometRpc;
  /** Requests per client IP per minute (default 600). */
  readonly rateLimitPerMinute?: number;
  /** Origins allowed to read answers from a browser (wallets, explorers); default any. */
  readonly corsOrigin?: string;
}

/** Largest POST body: a max-size tx in base64 plus the JSON around it. */
export const MAX_BODY_BYTES = Math.ceil((MAX_TX_BYTES * 4) / 3) + 1024;

export async function buildRestServer(o: RestServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: MAX_BODY_BYTES,
    exposeHeadRoutes: false,
    maxParamLength: 200,
    // Requests are at most MAX_BODY_BYTES: 30 s for the whole request; keep-alive per the shared rule.
    ...serverTimeouts({ ...DEFAULT_TIMEOUTS, idleTimeoutMs: 30_000, requestTimeoutMs: 30_000 }),
    // Errors fastify raises before routing (an over-long path parameter, a malformed URL) get the same shape.
    frameworkErrors: (err, _req, reply) => {
      const e = toRestError(err);
      (reply as FastifyReply).code(e.httpStatus).type("application/json").send(e.toJSON());
    },
  });
  closeKeptAliveOnClose(app);
  await app.register(rateLimit, {
    max: o.rateLimitPerMinute ?? 600,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, ctx) => {
      const e = new RestError(8, `rate limit exceeded: ${ctx.max} requests per minute`);
      return Object.assign(e.toJSON(), { statusCode: 429 });
    },
  });
  const origin = o.corsOrigin ?? "*";
  app.addHook("onSend", async (req, reply) => {
    reply.header("access-control-allow-origin", origin);
    if (req.method === "OPTIONS") {
      reply.header("access-control-allow-methods", "GET, POST, OPTIONS");
      reply.header("access-control-allow-headers", "content-type");
    }
  });
  app.options("/*", async (_req, reply) => reply.code(204).send());

  app.setErrorHandler((err, _req, reply) => {
    const e = toRestError(err);
    reply.code(e.httpStatus).type("application/json").send(e.toJSON());
  });
  app.setNotFoundHandler((req, reply) => {
    const e = new RestError(5, `Not Found: no route ${req.method} ${req.url.split("?")[0]?.slice(0, 200)}`);
    reply.code(404).send(e.toJSON());
  });

  authRoutes(app, o.rpc);
  bankRoutes(app, o.rpc);
  txRoutes(app, o.rpc);
  tendermintRoutes(app, o.rpc);
  stakingRoutes(app, o.rpc);
  govRoutes(app, o.rpc);
  distributionRoutes(app, o.rpc);
  oracleRoutes(app, o.rpc);
  daRoutes(app, o.rpc);
  nodesRoutes(app, o.rpc);
  complianceRoutes(app, o.rpc);
  return app;
}

/** fastify's own errors (body too large, bad JSON, rate limit) become gRPC codes too. */
function toRestError(err: unknown): RestError {
  if (err instanceof RestError) return err;
  const e = err as { statusCode?: number; code?: string; message?: string };
  const msg = String(e.message ?? "error");
  if (e.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new RestError(8, `request body larger than ${MAX_BODY_BYTES} bytes`, 413);
  if (e.statusCode === 429) return new RestError(8, msg);
  if (e.statusCode === 415) return new RestError(3, "content-type must be application/json");
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return new RestError(3, msg);
  return new RestError(13, "internal error");
}
