/**
 * @module Starts n FROST participant processes (`main.js serve`) on loopback with temp data dirs and writes
 * their committee file — for end-to-end tests and the tss benchmark. Needs `npm run build` (runs dist/).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { NodeIdentity } from "../../storage/identity.js";
import { loadOrCreateIdentity } from "../../storage/identity.js";
import { committeeFileJson } from "./files.js";

/** dist/…/frost/main.js, whether this module runs from dist/ or from the TypeScript sources. */
export function frostMainPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  if (here.split("/").includes("dist")) return join(here, "main.js");
  // From the sources (node-agent/coordinator/frost) or from the benchmark build (dist-tools/node-agent/…).
  const up = here.split("/").includes("dist-tools") ? "../../../.." : "../../..";
  return resolve(here, up, "dist/node-agent/coordinator/frost/main.js");
}

export interface ClusterMember {
  readonly index: number;
  readonly dataDir: string;
  readonly identity: NodeIdentity;
  url: string;
  proc: ChildProcess | undefined;
  log: string;
}

export interface ProcessCluster {
  readonly root: string;
  readonly members: ClusterMember[];
  readonly committeePath: string;
  /** Starts (or restarts) member `index`'s process; resolves once it listens. */
  start(index: number, env?: Record<string, string>): Promise<void>;
  /** SIGKILL: the member vanishes as in a crash. */
  kill(index: number): Promise<void>;
  /** Stops every process and deletes the temp dir. */
  stop(): Promise<void>;
}

export interface ClusterOptions {
  readonly n: number;
  readonly threshold: number;
  readonly epoch?: bigint;
  /** "keyfile" (default): a 0600 key file per member; "passphrase": $DSDN_FROST_PASSPHRASE. */
  readonly protect?: "keyfile" | "passphrase";
  readonly passphrase?: string;
}

export async function startProcessCluster(opts: ClusterOptions): Promise<ProcessCluster> {
  const root = mkdtempSync(join(tmpdir(), "dsdn-frost-cluster-"));
  const committeePath = join(root, "committee.json");
  const members: ClusterMember[] = [];
  for (let i = 1; i <= opts.n; i++) {
    const dataDir = join(root, `m${i}`);
    members.push({
      index: i,
      dataDir,
      identity: await loadOrCreateIdentity(dataDir),
      url: "",
      proc: undefined,
      log: "",
    });
  }
  const main = frostMainPath();

  const start = (index: number, env: Record<string, string> = {}): Promise<void> => {
    const m = members[index - 1]!;
    const protect = opts.protect === "passphrase" ? [] : ["--key-file", join(m.dataDir, "frost.key")];
    const proc = spawn(
      process.execPath,
      [
        main,
        "serve",
        "--data",
        m.dataDir,
        "--committee",
        committeePath,
        "--port",
        String(m.url ? new URL(m.url).port : 0),
        ...protect,
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
        env: {
          ...process.env,
          ...(opts.protect === "passphrase" ? { DSDN_FROST_PASSPHRASE: opts.passphrase ?? "cluster passphrase" } : {}),
          ...env,
        },
      },
    );
    m.proc = proc;
    m.log = "";
    proc.stderr!.on("data", (d: Buffer) => {
      m.log += d.toString();
    });
    return new Promise((ok, fail) => {
      proc.stdout!.on("data", (d: Buffer) => {
        m.log += d.toString();
        const hit = /listening on (http:\/\/\S+)/.exec(m.log);
        if (hit) {
          m.url = hit[1]!;
          ok();
        }
      });
      proc.once("exit", (code) => fail(new Error(`member ${index} exited with ${code}: ${m.log}`)));
    });
  };

  const kill = async (index: number): Promise<void> => {
    const p = members[index - 1]!.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((ok) => p.once("exit", ok));
    p.kill("SIGKILL");
    await gone;
  };

  const cluster: ProcessCluster = {
    root,
    members,
    committeePath,
    start,
    kill,
    async stop() {
      await Promise.all(
        members.map(async (m) => {
          const p = m.proc;
          if (!p || p.exitCode !== null || p.signalCode !== null) return;
          const gone = new Promise((ok) => p.once("exit", ok));
          p.kill("SIGTERM");
          await gone;
        }),
      );
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all(members.map((m) => start(m.index)));
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  writeFileSync(
    committeePath,
    committeeFileJson(
      { epoch: opts.epoch ?? 1n, threshold: opts.threshold, members: members.map((m) => m.identity.publicKey) },
      members.map((m) => m.url),
    ),
  );
  return cluster;
}
