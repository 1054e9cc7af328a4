/**
 * @module `dsdn dev`: a development network on this machine in one command — one validator (CometBFT + dsdnd),
 * the local DA, a coordinator, two storage nodes (which also run jobs), the ingress — plus a wallet-connect page.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, untilSignal } from "../../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { projectRoot } from "../../../common/paths.js";
import { serveWalletPage } from "../devWallet.js";

/** Runs a localnet script with the dev settings; its progress lines go to stderr. */
function script(name: string, env: NodeJS.ProcessEnv, args: string[], err: (l: string) => void): Promise<void> {
  return new Promise((ok, fail) => {
    const p = spawn("bash", [join(projectRoot(), "localnet", name), ...args], {
      cwd: projectRoot(),
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let tail = "";
    const take = (d: Buffer) => {
      tail = (tail + d.toString()).slice(-4000);
      for (const line of d.toString().split("\n")) if (line.trim()) err(line);
    };
    p.stdout.on("data", take);
    p.stderr.on("data", take);
    p.once("error", fail);
    p.once("exit", (code) =>
      code === 0
        ? ok()
        : fail(
            new BaseError(ErrorCode.Unavailable, `the development network did not start (${name} exited ${code})`, {
              details: tail,
            }),
          ),
    );
  });
}

export const dev: Command = {
  summary:
    "Run a development network (1 validator, DA, coordinator, 2 storage nodes, ingress) and a wallet-connect page",
  usage: "[--dir .dsdn-dev] [--fresh] [--port-base N] [--web-port N] [--detach | --stop]",
  options: {
    dir: { type: "string" },
    fresh: { type: "boolean", default: false },
    "port-base": { type: "string" },
    "web-port": { type: "string" },
    detach: { type: "boolean", default: false },
    stop: { type: "boolean", default: false },
  },
  async run({ values, out, err }) {
    const dir = resolve(typeof values.dir === "string" ? values.dir : ".dsdn-dev");
    const base = values["port-base"];
    if (base !== undefined && !/^[1-9][0-9]{3,4}$/.test(String(base)))
      throw new InvalidArgumentError("--port-base must be a port number (the network uses the next 100 ports)");
    const web = values["web-port"];
    if (web !== undefined && !/^[0-9]{1,5}$/.test(String(web)))
      throw new InvalidArgumentError("--web-port must be a port number");
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LOCALNET_DIR: dir,
      LOCALNET_VALIDATORS: "1",
      // Two storage nodes (zones a and b), so a web_app's default two replicas can be placed; objects get two copies.
      LOCALNET_STORAGE_NODES: "2",
      LOCALNET_REPLICATION: "2",
      // A checkout with dist/ built needs no rebuild (that is what makes the start take seconds).
      ...(existsSync(join(projectRoot(), "dist", "clients", "dsdn", "main.js")) ? { LOCALNET_NO_BUILD: "1" } : {}),
      ...(base !== undefined ? { LOCALNET_BASE_PORT: String(base) } : {}),
    };
    if (values.stop) {
      await script("stop.sh", env, [], err);
      return 0;
    }
    await script("start.sh", env, values.fresh ? ["--fresh"] : [], err);
    const envFile = join(dir, "env");
    out(`development network in ${dir}`);
    out(`  environment  . ${envFile}`);
    if (values.detach) {
      out("  stop         dsdn dev --stop");
      return 0;
    }
    const page = await serveWalletPage(join(dir, "keplr-chain.json"), web !== undefined ? Number(web) : 0);
    const envText = readFileSync(envFile, "utf8");
    const pick = (name: string) => new RegExp(`${name}=(\\S+)`).exec(envText)?.[1];
    out(`  RPC          ${pick("RPC_URL") ?? "?"}`);
    out(`  coordinator  ${pick("DSDN_COORDINATOR_URL") ?? "?"}`);
    out(`  wallet       ${page.url}`);
    out("Ctrl-C stops everything (state is kept for the next start; --fresh wipes it).");
    await untilSignal();
    await page.close();
    await script("stop.sh", env, [], err);
    return 0;
  },
};
