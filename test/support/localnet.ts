/** @module Runs localnet/start.sh in a temp folder on its own ports for end-to-end tests, and stops it. */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { projectRoot } from "../../common/paths.js";

const run = promisify(execFile);

export interface Localnet {
  readonly dir: string;
  readonly env: Record<string, string>;
  readonly rpcUrls: string[];
  /** The Cosmos REST (LCD) API (`dsdnd rest serve`), REST_URL in the env file. */
  readonly restUrl: string;
  readonly accounts: { name: string; address: string; mnemonic: string }[];
  readonly basePort: number;
  pid(role: string, n: number): number;
  stop(): Promise<void>;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

/** Test files run two at a time: each vitest worker draws its port blocks from its own slice of the range. */
const PORT_SLICES = 4;
const BLOCKS_PER_SLICE = Math.floor(127 / PORT_SLICES);

/** A random base port b in 20000..32600 with b … b+99 all bindable on loopback right now. */
export async function freePortBlock(): Promise<number> {
  const slice = (Number(process.env.VITEST_POOL_ID ?? "1") - 1) % PORT_SLICES;
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + (slice * BLOCKS_PER_SLICE + Math.floor(Math.random() * BLOCKS_PER_SLICE)) * 100;
    let ok = true;
    for (let p = base; p < base + 100 && ok; p++) ok = await portFree(p);
    if (ok) return base;
  }
  throw new Error("no free block of 100 loopback ports in 20000..32699");
}

export async function startLocalnet(
  options: {
    validators?: number;
    timeoutCommit?: string;
    basePort?: number;
    /** "chain": validators + DA only; "all" (start.sh's default): also storage nodes, coordinator, ingress. */
    services?: "all" | "chain";
    storageNodes?: number;
    /** The checkout whose localnet/start.sh (and build) runs; default this one. */
    root?: string;
    /** Extra LOCALNET_* knobs for start.sh (e.g. LOCALNET_SLASHING_WINDOW). */
    env?: Record<string, string>;
  } = {},
): Promise<Localnet> {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-localnet-"));
  // A free block of 100 ports per run (start.sh uses base … base+99), below the kernel's ephemeral
  // range (32768+) so outgoing connections never hold one of them.
  const basePort = options.basePort ?? (await freePortBlock());
  const env = {
    ...process.env,
    LOCALNET_DIR: dir,
    LOCALNET_BASE_PORT: String(basePort),
    LOCALNET_TIMEOUT_COMMIT: options.timeoutCommit ?? "500ms",
    LOCALNET_WAIT_SECONDS: "90",
    // `npm test` and `npm run bench` build first; never rebuild under a running suite.
    LOCALNET_NO_BUILD: "1",
    ...(options.services ? { LOCALNET_SERVICES: options.services } : {}),
    ...(options.storageNodes !== undefined ? { LOCALNET_STORAGE_NODES: String(options.storageNodes) } : {}),
    ...options.env,
  };
  const root = options.root ?? projectRoot();
  try {
    await run("bash", [join(root, "localnet/start.sh"), "--fresh", "--validators", String(options.validators ?? 4)], {
      cwd: root,
      env,
      maxBuffer: 1 << 24,
    });
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`localnet/start.sh failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`);
  }
  const parsed: Record<string, string> = {};
  for (const line of readFileSync(join(dir, "env"), "utf8").split("\n")) {
    const m = /^export ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) parsed[m[1] as string] = m[2] as string;
  }
  const accounts = JSON.parse(readFileSync(join(dir, "accounts.json"), "utf8"));
  return {
    dir,
    env: parsed,
    rpcUrls: (parsed.RPC_URLS ?? "").split(","),
    restUrl: parsed.REST_URL ?? "",
    accounts,
    basePort,
    pid: (role, n) => Number(readFileSync(join(dir, "pids", `${role}-${n}.pid`), "utf8")),
    async stop() {
      try {
        execFileSync("bash", [join(root, "localnet/stop.sh")], { env, stdio: "pipe" });
      } finally {
        if (!process.env.DSDN_KEEP_LOCALNET) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** Polls until `fn` returns a truthy value or the timeout passes. */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ""}`);
}

export async function rpc<T = any>(url: string, method: string, params: Record<string, string> = {}): Promise<T> {
  const q = new URLSearchParams(params).toString();
  const res = await fetch(`${url}/${method}${q ? `?${q}` : ""}`);
  const body = (await res.json()) as { result?: T; error?: unknown };
  if (body.error) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.result as T;
}

export async function latestHeight(url: string): Promise<number> {
  const s = await rpc(url, "status");
  return Number(s.sync_info.latest_block_height);
}
