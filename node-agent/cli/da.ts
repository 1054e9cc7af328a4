/** @module `dsdn-node da`: runs the local Celestia-compatible DA server until SIGINT/SIGTERM. */
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { DA_DEFAULT_LIMITS, DEFAULT_LOCAL_DA_PORT, LocalDAServer } from "../da/localserver/server.js";
import { SERVICE_LIMIT_OPTIONS, SERVICE_LIMIT_USAGE, serviceLimitsFromFlags } from "../http/serviceLimits.js";

function intOption(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < min)
    throw new InvalidArgumentError(`--${name} must be an integer ≥ ${min}, got ${String(value)}`);
  return n;
}

export const daCommand: Command = {
  summary: "Run the local Celestia-compatible DA server (JSON-RPC + WebSocket, SQLite-backed)",
  usage: `--data DIR [--port 26658] [--host 127.0.0.1] [--block-time-ms 1000] [--token-ttl-hours 720] ${SERVICE_LIMIT_USAGE}`,
  options: {
    port: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    "block-time-ms": { type: "string" },
    ...SERVICE_LIMIT_OPTIONS,
    "token-ttl-hours": { type: "string" },
  },
  async run(ctx) {
    const dataDir = ctx.values.data;
    if (typeof dataDir !== "string" || dataDir === "") throw new InvalidArgumentError("--data DIR is required");
    const port = intOption(ctx.values.port, "port", DEFAULT_LOCAL_DA_PORT, 0);
    const blockTimeMs = intOption(ctx.values["block-time-ms"], "block-time-ms", 1000, 10);
    const host = typeof ctx.values.host === "string" ? ctx.values.host : "127.0.0.1";
    const { timeouts, limits } = serviceLimitsFromFlags(ctx.values);
    // The DA server's own default per-client rate (replays read many heights quickly from one address).
    const rate =
      ctx.values["rate-limit"] === undefined ? { requestsPerWindow: DA_DEFAULT_LIMITS.requestsPerWindow } : {};
    const ttlHours = intOption(ctx.values["token-ttl-hours"], "token-ttl-hours", 720, 1);
    const server = await LocalDAServer.start({
      dataDir,
      port,
      host,
      blockTimeMs,
      timeouts,
      limits: { ...limits, ...rate },
      tokenTtlSeconds: ttlHours * 3600,
      log: ctx.err,
    });
    // Tokens stay in the 0600 file; only its path is printed.
    ctx.out(`local DA ready at ${server.url} (head ${server.head()})`);
    ctx.out(
      `auth tokens (read, write, admin) written to ${server.tokenFile} and read.token / write.token / admin.token beside it`,
    );
    await untilSignal();
    await server.stop();
    ctx.out("local DA stopped");
    return 0;
  },
};
