/** @module Tests' `dsdn dev`: start the development network in a directory, read its env file, stop it (Ctrl-C). */
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../../common/paths.js";
import { freePortBlock } from "./localnet.js";
import { startUrlProcess } from "./process.js";

export interface DevNet {
  /** The wallet-connect page's URL. */
  readonly wallet: string;
  /** process.env plus the network's env file (DSDN_COORDINATOR_URL, RPC_URL, DSDN_CONFIG, …). */
  readonly env: Record<string, string>;
  /** Output of `dsdn dev`, for failure messages. */
  readonly log: string[];
  stop(): Promise<void>;
}

/** Runs `bin/dsdn.js dev` (the built dist/) on a free port block with its state in `dir`. */
export async function startDevNet(dir: string): Promise<DevNet> {
  const root = projectRoot();
  const children: ChildProcess[] = [];
  const log: string[] = [];
  const base = await freePortBlock();
  const stopAll = async () => {
    const dev = children[0];
    if (dev && dev.exitCode === null && dev.signalCode === null) {
      // Ctrl-C: dsdn dev stops its in-process services and its CometBFT child before exiting.
      const exited = new Promise((r) => dev.once("exit", r));
      dev.kill("SIGINT");
      await exited;
    }
  };
  const started = await startUrlProcess(
    ["bin/dsdn.js", "dev", "--dir", dir, "--port-base", String(base), "--web-port", "0"],
    /wallet\s+(http:\/\/127\.0\.0\.1:\d+)/,
    { cwd: root, log, children },
  ).catch(async (e: unknown) => {
    await stopAll().catch(() => {});
    throw e;
  });
  const env = { ...(process.env as Record<string, string>) };
  for (const line of readFileSync(join(dir, "env"), "utf8").split("\n")) {
    const m = /^export ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return {
    wallet: started.url,
    env,
    log,
    stop: stopAll,
  };
}
