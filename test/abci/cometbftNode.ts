/** @module Test harness for a real single-validator CometBFT v0.38 node: home setup, process control, RPC. */

import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";

/** The pinned binary installed by localnet/install-cometbft.sh. */
export const COMETBFT_BIN = resolve(import.meta.dirname, "../../.tools/cometbft/bin/cometbft");

export function requireCometbft(): string {
  if (!existsSync(COMETBFT_BIN)) {
    throw new Error(
      `CometBFT binary not found at ${COMETBFT_BIN}: run \`bash localnet/install-cometbft.sh\` (installs v0.38.26)`,
    );
  }
  return COMETBFT_BIN;
}

/** A free loopback port (bound then released; the tiny race is acceptable in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

/** Sets `key = value` inside `[section]` ("" = top level) of a TOML file; throws if the key is absent. */
export function setTomlValue(text: string, section: string, key: string, value: string): string {
  const lines = text.split("\n");
  let current = "";
  for (let i = 0; i < lines.length; i++) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(lines[i]!);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current === section && new RegExp(`^\\s*${key}\\s*=`).test(lines[i]!)) {
      lines[i] = `${key} = ${value}`;
      return lines.join("\n");
    }
  }
  throw new Error(`config.toml has no key ${key} in section [${section}]`);
}

export interface NodeConfig {
  readonly proxyApp: string;
  readonly rpcPort: number;
  readonly p2pPort: number;
  readonly timeoutCommit: string;
}

/** `cometbft init` a fresh home and point it at our ABCI server on loopback ports. */
export function initHome(home: string, cfg: NodeConfig): void {
  execFileSync(requireCometbft(), ["init", "--home", home], { stdio: "pipe" });
  configureHome(home, cfg);
}

export function configureHome(home: string, cfg: NodeConfig): void {
  const file = join(home, "config", "config.toml");
  let toml = readFileSync(file, "utf8");
  toml = setTomlValue(toml, "", "proxy_app", JSON.stringify(cfg.proxyApp));
  toml = setTomlValue(toml, "", "abci", '"socket"');
  toml = setTomlValue(toml, "rpc", "laddr", JSON.stringify(`tcp://127.0.0.1:${cfg.rpcPort}`));
  toml = setTomlValue(toml, "p2p", "laddr", JSON.stringify(`tcp://127.0.0.1:${cfg.p2pPort}`));
  toml = setTomlValue(toml, "consensus", "timeout_commit", JSON.stringify(cfg.timeoutCommit));
  toml = setTomlValue(toml, "instrumentation", "prometheus", "false");
  writeFileSync(file, toml);
}

/** Every node started by this module, so a failing test can still kill them all. */
const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

export class CometNode {
  readonly #child: ChildProcess;
  readonly #rpc: string;
  #output = "";
  readonly exited: Promise<number | null>;

  private constructor(child: ChildProcess, rpcPort: number) {
    this.#child = child;
    this.#rpc = `http://127.0.0.1:${rpcPort}`;
    const keep = (chunk: Buffer) => {
      this.#output += chunk.toString("utf8");
      // Keep the tail only: enough to diagnose a failure, bounded for long runs.
      if (this.#output.length > 2_000_000) this.#output = this.#output.slice(-1_000_000);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.exited = new Promise((res) => {
      child.once("exit", (code) => {
        live.delete(child);
        res(code);
      });
    });
  }

  static start(home: string, rpcPort: number): CometNode {
    const child = spawn(requireCometbft(), ["start", "--home", home], { stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    return new CometNode(child, rpcPort);
  }

  get output(): string {
    return this.#output;
  }

  get running(): boolean {
    return this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** JSON-RPC over HTTP GET; params are already in CometBFT URI form (strings quoted, bytes 0x-hex). */
  async rpc<T = any>(method: string, params: Record<string, string> = {}): Promise<T> {
    const query = new URLSearchParams(params).toString();
    const res = await fetch(`${this.#rpc}/${method}${query ? `?${query}` : ""}`);
    const body = (await res.json()) as { result?: T; error?: { message: string; data?: string } };
    if (body.error) throw new Error(`RPC ${method} failed: ${body.error.message} ${body.error.data ?? ""}`);
    return body.result as T;
  }

  async latestHeight(): Promise<bigint> {
    const status = await this.rpc<{ sync_info: { latest_block_height: string } }>("status");
    return BigInt(status.sync_info.latest_block_height);
  }

  /** Polls /status until the node reports `height` (the RPC may not be up yet right after start). */
  async waitForHeight(height: bigint, timeoutMs = 60_000): Promise<bigint> {
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`cometbft exited while waiting for height ${height}\n${this.tail()}`);
      try {
        const h = await this.latestHeight();
        if (h >= height) return h;
      } catch (error) {
        lastError = error instanceof Error ? error.message : String(error);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`height ${height} not reached in ${timeoutMs} ms (${lastError})\n${this.tail()}`);
  }

  /** Last lines of the node's log, for failure messages. */
  tail(lines = 40): string {
    return this.#output.split("\n").slice(-lines).join("\n");
  }

  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 20_000): Promise<number | null> {
    if (!this.running) return this.exited;
    this.#child.kill(signal);
    const timer = setTimeout(() => this.#child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
