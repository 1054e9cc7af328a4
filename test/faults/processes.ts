/** @module Fault-test helpers: stop, pause and restart one localnet validator's processes, and check the validators agree. */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cometbftBinary, projectRoot } from "../../common/paths.js";
import { type Localnet, latestHeight, rpc, waitFor } from "../support/localnet.js";

export type Role = "dsdnd" | "cometbft";

/** Every process a fault test started itself, so afterAll can end exactly those. */
const started = new Map<number, ChildProcess>();

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitDead(pid: number, what: string): Promise<void> {
  // A child of this process stays a zombie (still "alive") until Node reaps it: ask the handle then.
  const child = started.get(pid);
  const gone = () => (child ? child.exitCode !== null || child.signalCode !== null : !alive(pid));
  await waitFor(async () => gone(), 15_000, `${what} (pid ${pid}) to exit`);
  started.delete(pid);
}

/** The pid in `<role>-<n>.pid` (n a validator index, or a name such as "3-double"). */
export function pidOf(net: Localnet, role: Role, n: number | string): number {
  return Number(readFileSync(join(net.dir, "pids", `${role}-${n}.pid`), "utf8"));
}

/** SIGKILLs one process of validator n (by its pid file) and waits until it is gone. */
export async function kill(net: Localnet, role: Role, n: number | string): Promise<void> {
  const pid = pidOf(net, role, n);
  if (alive(pid)) process.kill(pid, "SIGKILL");
  await waitDead(pid, `${role}-${n}`);
}

/**
 * Starts `role` for a validator home (logs appended to the localnet's log, pid file replaced so
 * localnet/stop.sh ends it too). `extraEnv` carries the test-only DSDND_FAULT_* knobs.
 */
export function startProcess(
  net: Localnet,
  role: Role,
  n: number | string,
  opts: { home?: string; extraEnv?: Record<string, string>; args?: string[] } = {},
): number {
  const home = opts.home ?? join(net.dir, "chain", `node${n}`);
  const log = openSync(join(net.dir, "logs", `${role}-${n}.log`), "a");
  const [cmd, args] =
    role === "dsdnd"
      ? ["node", [join(projectRoot(), "bin/dsdnd.js"), "start", "--home", home, ...(opts.args ?? [])]]
      : [cometbftBinary(), ["start", "--home", home, ...(opts.args ?? [])]];
  const child = spawn(cmd, args, {
    stdio: ["ignore", log, log],
    detached: true,
    env: { ...process.env, ...opts.extraEnv },
  });
  if (child.pid === undefined) throw new Error(`could not start ${role}-${n}`);
  child.unref();
  started.set(child.pid, child);
  writeFileSync(join(net.dir, "pids", `${role}-${n}.pid`), String(child.pid));
  return child.pid;
}

/** Starts a validator's app then its CometBFT (the app serves ABCI first, as start.sh does). */
export async function startValidator(net: Localnet, n: number, appEnv: Record<string, string> = {}): Promise<void> {
  startProcess(net, "dsdnd", n, { extraEnv: appEnv });
  await new Promise((r) => setTimeout(r, 1000));
  startProcess(net, "cometbft", n);
}

export async function stopValidator(net: Localnet, n: number): Promise<void> {
  await kill(net, "cometbft", n);
  await kill(net, "dsdnd", n);
}

/** Sends SIGSTOP or SIGCONT to both processes of validator n. */
export function signalValidator(net: Localnet, n: number, signal: "SIGSTOP" | "SIGCONT"): void {
  for (const role of ["cometbft", "dsdnd"] as const) process.kill(pidOf(net, role, n), signal);
}

/**
 * Ends every process this file started that is still running (SIGCONT first: a stopped one ignores
 * TERM) and waits until Node has reaped them — an unreaped zombie would still look alive to
 * localnet/stop.sh, which blocks this event loop while it waits.
 */
export async function killStarted(): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const [pid, child] of started) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    waits.push(new Promise((resolve) => child.once("exit", () => resolve())));
    try {
      process.kill(pid, "SIGCONT");
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await Promise.race([Promise.all(waits), new Promise((r) => setTimeout(r, 15_000))]);
  started.clear();
}

/** Waits until the test-only pause marker appears; returns the height it names. */
export async function waitMarker(marker: string, timeoutMs: number): Promise<bigint> {
  const text = await waitFor(
    async () => (existsSync(marker) ? readFileSync(marker, "utf8") : undefined),
    timeoutMs,
    `fault pause marker ${marker}`,
  );
  rmSync(marker, { force: true });
  const m = /@(\d+)/.exec(text);
  if (!m) throw new Error(`bad marker ${text}`);
  return BigInt(m[1] as string);
}

export async function waitHeight(url: string, h: number, timeoutMs: number, what: string): Promise<void> {
  await waitFor(async () => (await latestHeight(url)) >= h, timeoutMs, what);
}

/**
 * Every node's own app (ABCI Info through `abci_info`) reports the same app hash at a common
 * height, and it is the hash the chain's next header carries. Returns that height.
 */
export async function appHashesAgree(urls: readonly string[], timeoutMs = 60_000): Promise<number> {
  const seen = urls.map(() => new Map<number, string>());
  return waitFor(
    async () => {
      await Promise.all(
        urls.map(async (u, i) => {
          const info = (await rpc(u, "abci_info")).response;
          const h = Number(info.last_block_height);
          const hash = Buffer.from(info.last_block_app_hash ?? "", "base64")
            .toString("hex")
            .toUpperCase();
          seen[i]?.set(h, hash);
        }),
      );
      const common = [...(seen[0]?.keys() ?? [])].filter((h) => seen.every((s) => s.has(h)));
      if (common.length === 0) return undefined;
      const h = Math.max(...common);
      const hashes = new Set(seen.map((s) => s.get(h)));
      if (hashes.size !== 1) throw new Error(`app hashes differ at height ${h}: ${[...hashes].join(" ")}`);
      const header = (await rpc(urls[0] as string, "block", { height: String(h + 1) }).catch(() => undefined)) as
        | { block: { header: { app_hash: string } } }
        | undefined;
      if (!header) return undefined; // the next block is not there yet
      if (header.block.header.app_hash !== [...hashes][0])
        throw new Error(`app hash at ${h} is not the one header ${h + 1} carries`);
      return h;
    },
    timeoutMs,
    "every validator's app to report the same app hash at one height",
  );
}
