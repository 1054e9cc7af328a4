/** @module `dsdn-node dashboard`: serves the network dashboard page and its JSON API from public chain, DA and coordinator data. */
import { readFileSync } from "node:fs";
import type { Command } from "../../common/cli.js";
import { untilSignal } from "../../common/cli.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { requireReadOnlyToken } from "../dashboard/readToken.js";
import { createDashboard } from "../dashboard/server.js";

function parseListen(s: string): { host: string; port: number } {
  const m = /^(.+):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[2]) : Number.NaN;
  if (!m || port > 65535) throw new InvalidArgumentError(`--listen must be HOST:PORT, got "${s}"`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port };
}

function httpUrl(v: unknown, name: string): string | undefined {
  if (typeof v !== "string" || v === "") return undefined;
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError(`--${name} must be an http(s) URL`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new InvalidArgumentError(`--${name} must be http(s)`);
  if (u.username || u.password || u.search)
    throw new InvalidArgumentError(`--${name} must not carry credentials (the page shows its sources)`);
  return v.replace(/\/+$/, "");
}

export const dashboardCommand: Command = {
  summary:
    "Serve the network dashboard (chain, validators, DA, committee, storage nodes, rewards, slashing) — public data only",
  usage:
    "--rpc URL [--da URL] [--coordinator URL] [--listen 127.0.0.1:7600] [--da-token-file FILE] (env: RPC_URL, DA_RPC_URL, DSDN_COORDINATOR_URL, DA_READ_TOKEN)",
  options: {
    rpc: { type: "string" },
    da: { type: "string" },
    coordinator: { type: "string" },
    listen: { type: "string", default: "127.0.0.1:7600" },
    "da-token-file": { type: "string" },
    "timeout-ms": { type: "string", default: "3000" },
  },
  async run({ values: v, out }) {
    const rpcUrl = httpUrl(v.rpc ?? process.env.RPC_URL, "rpc");
    if (!rpcUrl) throw new InvalidArgumentError("--rpc URL (a CometBFT RPC) is required (or RPC_URL)");
    const daUrl = httpUrl(v.da ?? process.env.DA_RPC_URL, "da");
    const coordinatorUrl = httpUrl(v.coordinator ?? process.env.DSDN_COORDINATOR_URL, "coordinator");
    // The token comes from a file or the environment, never the command line (ps shows command lines).
    const rawToken =
      typeof v["da-token-file"] === "string" ? readFileSync(v["da-token-file"], "utf8") : process.env.DA_READ_TOKEN;
    const daToken = rawToken ? requireReadOnlyToken(rawToken) : undefined;
    const timeoutMs = Number(v["timeout-ms"]);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 60_000)
      throw new InvalidArgumentError("--timeout-ms must be 100–60000");
    const { host, port } = parseListen(String(v.listen));
    const app = createDashboard({
      rpcUrl,
      ...(daUrl ? { daUrl } : {}),
      ...(daToken ? { daToken } : {}),
      ...(coordinatorUrl ? { coordinatorUrl } : {}),
      limits: { timeoutMs, maxBytes: 4 << 20 },
    });
    const address = await app.listen({ host, port });
    out(`dsdn-node dashboard listening on ${address}`);
    await untilSignal();
    await app.close();
    out("dsdn-node dashboard stopped");
    return 0;
  },
};
