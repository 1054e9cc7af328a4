/** @module `dsdnd rest`: the Cosmos REST (LCD) API for wallets and explorers, and Keplr's chain info. */

import { writeFileSync } from "node:fs";
import type { Command, CommandGroup } from "../../../common/cli.js";
import { untilSignal } from "../../../common/cli.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { httpCometRpc } from "../../rest/cometRpc.js";
import { keplrChainInfo } from "../../rest/keplrChainInfo.js";
import { buildRestServer } from "../../rest/server.js";

/** "host:port" (host an IPv4 address, "localhost" or a bracketed IPv6 address). */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):([1-9][0-9]{0,4})$/.exec(s);
  const port = m ? Number(m[2]) : 0;
  if (!m || port > 65_535) throw new InvalidArgumentError(`--listen "${s}": expected host:port, e.g. 127.0.0.1:1317`);
  return { host: (m[1] as string).replace(/^\[|\]$/g, ""), port };
}

const serve: Command = {
  summary: "serve the Cosmos REST API (Keplr, Ping.pub) by ABCI queries through a CometBFT node's RPC",
  usage: "--node http://127.0.0.1:26657 [--listen 127.0.0.1:1317] [--timeout-ms 10000] [--rate-limit 600]",
  options: {
    node: { type: "string" },
    listen: { type: "string", default: "127.0.0.1:1317" },
    "timeout-ms": { type: "string", default: "10000" },
    "rate-limit": { type: "string", default: "600" },
  },
  async run({ values, out, err }) {
    const node = values.node as string | undefined;
    if (!node || !/^https?:\/\/[^\s?#]+$/.test(node)) {
      err("dsdnd rest serve: --node <CometBFT RPC URL> is required (e.g. http://127.0.0.1:26657)");
      return 2;
    }
    const { host, port } = parseListen(String(values.listen));
    const timeoutMs = Number(values["timeout-ms"]);
    const perMinute = Number(values["rate-limit"]);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) {
      err("--timeout-ms must be an integer 100..120000");
      return 2;
    }
    if (!Number.isInteger(perMinute) || perMinute < 1) {
      err("--rate-limit must be a positive integer (requests per minute per client)");
      return 2;
    }
    const app = await buildRestServer({ rpc: httpCometRpc(node, timeoutMs), rateLimitPerMinute: perMinute });
    const addr = await app.listen({ host, port });
    out(`dsdnd rest: serving the Cosmos REST API on ${addr} for ${node}`);
    out(`dsdnd rest: ${await untilSignal()}, shutting down`);
    await app.close();
    return 0;
  },
};

const chainInfo: Command = {
  summary: "print (or write) Keplr's chain-info JSON for this chain",
  usage: "--chain-id ID --rpc URL --rest URL [--gas-price 0.025unusa] [--chain-name NAME] [--output FILE]",
  options: {
    "chain-id": { type: "string" },
    "chain-name": { type: "string" },
    rpc: { type: "string" },
    rest: { type: "string" },
    "gas-price": { type: "string", default: "0.025unusa" },
    output: { type: "string" },
  },
  run({ values, out, err }) {
    const chainId = values["chain-id"] as string | undefined;
    const rpc = values.rpc as string | undefined;
    const rest = values.rest as string | undefined;
    if (!chainId || !rpc || !rest) {
      err("dsdnd rest chain-info: --chain-id, --rpc and --rest are required");
      return 2;
    }
    const info = keplrChainInfo({
      chainId,
      chainName: values["chain-name"] as string | undefined,
      rpc,
      rest,
      minGasPrice: String(values["gas-price"]),
    });
    const text = `${JSON.stringify(info, null, 2)}\n`;
    if (values.output) writeFileSync(String(values.output), text);
    else out(text.trimEnd());
    return 0;
  },
};

export const rest: CommandGroup = {
  summary: "Cosmos REST (LCD) API for wallets and explorers",
  commands: { serve: async () => serve, "chain-info": async () => chainInfo },
};
