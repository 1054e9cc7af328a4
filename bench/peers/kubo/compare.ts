/** @module `npm run bench -- storage --vs kubo`: `dsdn upload`/`get` and kubo's `ipfs add`/`cat` on the same files, side by side. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Headline, recordHeadlines } from "../../headlines.js";
import { writeBenchSection } from "../../report.js";

const here = dirname(fileURLToPath(import.meta.url));
// Compiled to dist-tools/bench/peers/kubo/: the repository is four levels up.
const repo = resolve(here, "../../../..");
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const RUNS = 3;

/** Builds kubo (once; `KUBO_REBUILD=1` forces it) and returns the `ipfs` binary's path. */
export function buildKubo(): string {
  const out = execFileSync("bash", [join(repo, "bench/peers/kubo/build.sh")], {
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  return out.toString().trim().split("\n").pop() as string;
}

interface Timed {
  readonly ms: number;
  /** user + system CPU-seconds of the command's process (and its children). */
  readonly cpuS: number;
  readonly stdout: string;
}

/**
 * Runs `argv` under bash so that bash's `times` reports the command's own CPU (user + system of the finished
 * child): the same measure for the Go and the Node client, with no extra tool needed.
 */
function timed(argv: string[], env: NodeJS.ProcessEnv, stdoutFile?: string): Promise<Timed> {
  const script = `"$@"${stdoutFile ? ' > "$BENCH_OUT"' : ""}; rc=$?; times >&2; exit $rc`;
  const t0 = performance.now();
  const proc = spawn("bash", ["-c", script, "bench", ...argv], {
    env: { ...env, ...(stdoutFile ? { BENCH_OUT: stdoutFile } : {}) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  return new Promise((ok, fail) =>
    proc.on("close", (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) return fail(new Error(`${argv.join(" ")} failed (${code}): ${stderr.slice(-2000)}`));
      // `times` prints the shell's own line, then the children's: "0m1.234s 0m0.567s".
      const lines = stderr.trim().split("\n");
      const m = /(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/.exec(lines[lines.length - 1] ?? "");
      if (!m) return fail(new Error(`no CPU times from bash for ${argv[0]}: ${stderr.slice(-500)}`));
      const cpuS = Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
      ok({ ms, cpuS, stdout });
    }),
  );
}

/** user + system CPU-seconds a live process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
function processCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

function waitFor(proc: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((ok, fail) => {
    let out = "";
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = pattern.exec(out);
      if (m) ok(m);
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", onData);
    proc.once("exit", (c) => fail(new Error(`${what} exited (${c}) before it was ready: ${out.slice(-2000)}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  const exited = new Promise((ok) => proc.once("exit", ok));
  proc.kill("SIGTERM");
  await exited;
}

export interface Side {
  readonly upMs: number;
  readonly downMs: number;
  /** Client CPU-seconds per GiB moved (the CLI process). */
  readonly upCpu: number;
  readonly downCpu: number;
  /** Server (storage node / kubo daemon) CPU-seconds per GiB moved. */
  readonly upServerCpu: number;
  readonly downServerCpu: number;
}

interface Server {
  readonly pid: number;
  /** One upload then one download of `file` into the fresh store; returns the output file written. */
  transfer(file: string, out: string): Promise<{ up: Timed; down: Timed; upServer: number; downServer: number }>;
  /** Uploads `tiny`, then times the CLI's `--help` and reads of it. */
  startTimes(tiny: string, dir: string): Promise<StartTimes>;
  close(): Promise<void>;
}

/** The ipfs settings compared. */
export interface KuboSetup {
  readonly label: string;
  readonly addArgs: readonly string[];
  readonly sync: boolean;
}

export const KUBO_SETUPS: readonly KuboSetup[] = [
  { label: "kubo v0.43.1 default (`ipfs add` / `ipfs cat`, no fsync)", addArgs: [], sync: false },
  {
    label: "kubo, 1 MiB chunks + raw leaves",
    addArgs: ["--chunker=size-1048576", "--raw-leaves"],
    sync: false,
  },
  { label: "kubo with datastore sync on", addArgs: [], sync: true },
];

/** Sets every `sync` flag of the datastore spec (flatfs blocks) to `on`. */
function setSync(node: unknown, on: boolean): void {
  if (Array.isArray(node)) for (const n of node) setSync(n, on);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if ("sync" in o) o.sync = on;
    for (const v of Object.values(o)) setSync(v, on);
  }
}

async function kuboServer(ipfs: string, dir: string, setup: KuboSetup): Promise<Server> {
  const env = { ...process.env, IPFS_PATH: join(dir, "ipfs"), IPFS_TELEMETRY: "off" };
  execFileSync(ipfs, ["init", "--empty-repo"], { env, stdio: "ignore" });
  const configPath = join(dir, "ipfs", "config");
  const config = JSON.parse(readFileSync(configPath, "utf8")) as {
    Addresses: Record<string, unknown>;
    Datastore: { Spec: unknown };
    Bootstrap: unknown;
  };
  // Loopback only, kernel-chosen ports (the CLI finds the API through $IPFS_PATH/api).
  config.Addresses.API = "/ip4/127.0.0.1/tcp/0";
  config.Addresses.Gateway = "/ip4/127.0.0.1/tcp/0";
  config.Addresses.Swarm = [];
  config.Bootstrap = [];
  setSync(config.Datastore.Spec, setup.sync);
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const proc = spawn(ipfs, ["daemon", "--offline"], { env, stdio: ["ignore", "pipe", "pipe"] });
  await waitFor(proc, /Daemon is ready/, "ipfs daemon");
  return {
    pid: proc.pid!,
    async transfer(file, out) {
      const s0 = processCpu(proc.pid!);
      const up = await timed([ipfs, "add", "-Q", ...setup.addArgs, file], env);
      const s1 = processCpu(proc.pid!);
      const cid = up.stdout.trim();
      const down = await timed([ipfs, "cat", cid], env, out);
      return { up, down, upServer: s1 - s0, downServer: processCpu(proc.pid!) - s1 };
    },
    async startTimes(tiny, dir) {
      const cid = (await timed([ipfs, "add", "-Q", tiny], env)).stdout.trim();
      return startTimes([ipfs, "--help"], [ipfs, "add", "-Q", tiny], () => [ipfs, "cat", cid], env, dir);
    },
    close: () => stop(proc),
  };
}

async function dsdnServer(dir: string): Promise<Server> {
  const proc = spawn(
    process.execPath,
    [join(repo, "bin/dsdn-node.js"), "storage", "--data", join(dir, "node"), "--port", "0", "--open-uploads"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const url = (await waitFor(proc, /listening on (http:\/\/\S+)/, "storage node"))[1]!;
  const env = { ...process.env, DSDN_HOME: join(dir, "home") };
  const dsdn = [process.execPath, join(repo, "bin/dsdn.js")];
  return {
    pid: proc.pid!,
    async transfer(file, out) {
      const s0 = processCpu(proc.pid!);
      const up = await timed([...dsdn, "upload", file, "--node", url, "--json"], env);
      const s1 = processCpu(proc.pid!);
      const manifest = (JSON.parse(up.stdout.trim().split("\n").pop()!) as { manifest: string }).manifest;
      const down = await timed([...dsdn, "get", manifest, "-o", out, "--node", url, "--json"], env);
      return { up, down, upServer: s1 - s0, downServer: processCpu(proc.pid!) - s1 };
    },
    async startTimes(tiny, dir) {
      const up = await timed([...dsdn, "upload", tiny, "--node", url, "--json"], env);
      const manifest = (JSON.parse(up.stdout.trim().split("\n").pop()!) as { manifest: string }).manifest;
      return startTimes(
        [...dsdn, "--help"],
        [...dsdn, "upload", tiny, "--node", url, "--json"],
        (out) => [...dsdn, "get", manifest, "-o", out, "--node", url],
        env,
        dir,
      );
    },
    close: () => stop(proc),
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Run = { up: Timed; down: Timed; upServer: number; downServer: number };

/** One run into a fresh store (a fresh server process and data folder). */
async function runOnce(
  start: (dir: string) => Promise<Server>,
  input: { path: string; size: number; hash: string },
  sha256File: (p: string) => Promise<string>,
): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bench-vs-kubo-"));
  try {
    const server = await start(dir);
    try {
      const out = join(dir, "output");
      const run = await server.transfer(input.path, out);
      if ((await sha256File(out)) !== input.hash) throw new Error(`the file read back differs from ${input.path}`);
      return run;
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `RUNS` rounds; each round runs every setup once, in turn, so that a change in the machine's load (shared with
 * other work) falls on all of them alike rather than on whichever was measured first.
 */
async function measureAll(
  setups: readonly { label: string; start: (dir: string) => Promise<Server> }[],
  input: { path: string; size: number; hash: string },
  sha256File: (p: string) => Promise<string>,
): Promise<Side[]> {
  const runs: Run[][] = setups.map(() => []);
  for (let round = 0; round < RUNS; round++) {
    for (const [i, setup] of setups.entries()) {
      console.log(`${input.size / MiB} MiB, round ${round + 1}/${RUNS}: ${setup.label}…`);
      runs[i]!.push(await runOnce(setup.start, input, sha256File));
    }
  }
  return runs.map((r) => medians(r, input.size));
}

function medians(runs: Run[], size: number): Side {
  const perGiB = (s: number) => (s * GiB) / size;

  return {
    upMs: median(runs.map((r) => r.up.ms)),
    downMs: median(runs.map((r) => r.down.ms)),
    upCpu: perGiB(median(runs.map((r) => r.up.cpuS))),
    downCpu: perGiB(median(runs.map((r) => r.down.cpuS))),
    upServerCpu: perGiB(median(runs.map((r) => r.upServer))),
    downServerCpu: perGiB(median(runs.map((r) => r.downServer))),
  };
}

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

interface StartTimes {
  readonly helpMs: number;
  readonly helpCpu: number;
  readonly tinyMs: number;
  readonly tinyCpu: number;
  readonly tinyUpMs: number;
  readonly tinyUpCpu: number;
}

/** Medians of 5: the CLI's `--help`, and an upload and a read of a 1 KiB file to/from a running server (what start time weighs). */
async function startTimes(
  help: string[],
  tinyUp: string[],
  tinyGet: (out: string) => string[],
  env: NodeJS.ProcessEnv,
  dir: string,
): Promise<StartTimes> {
  const helps: Timed[] = [];
  const gets: Timed[] = [];
  const ups: Timed[] = [];
  for (let i = 0; i < 5; i++) {
    helps.push(await timed(help, env));
    ups.push(await timed(tinyUp, env));
    const out = join(dir, `tiny-${i}`);
    const argv = tinyGet(out);
    gets.push(await timed(argv, env, argv.includes(out) ? undefined : out));
  }
  return {
    helpMs: median(helps.map((t) => t.ms)),
    helpCpu: median(helps.map((t) => t.cpuS)),
    tinyMs: median(gets.map((t) => t.ms)),
    tinyCpu: median(gets.map((t) => t.cpuS)),
    tinyUpMs: median(ups.map((t) => t.ms)),
    tinyUpCpu: median(ups.map((t) => t.cpuS)),
  };
}

async function measureStartTimes(ipfs: string): Promise<{ dsdn: StartTimes; kubo: StartTimes }> {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bench-vs-kubo-start-"));
  try {
    const tiny = join(dir, "tiny");
    writeFileSync(tiny, Buffer.alloc(1024, 7));
    const node = await dsdnServer(dir);
    let dsdn: StartTimes;
    try {
      dsdn = await node.startTimes(tiny, dir);
    } finally {
      await node.close();
    }
    const daemon = await kuboServer(ipfs, dir, KUBO_SETUPS[0]!);
    try {
      return { dsdn, kubo: await daemon.startTimes(tiny, dir) };
    } finally {
      await daemon.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runVsKubo(
  inputs: readonly { path: string; size: number; hash: string }[],
  sha256File: (p: string) => Promise<string>,
): Promise<void> {
  console.log("building kubo (first run only)…");
  const ipfs = buildKubo();
  const version = execFileSync(ipfs, ["version"], { encoding: "utf8" }).trim();
  const loadBefore = loadavg();
  const sections: string[] = [];
  const headlines: Headline[] = [];
  const results: { size: number; dsdn: Side; kubo: { setup: KuboSetup; side: Side }[] }[] = [];
  for (const input of inputs) {
    const sides = await measureAll(
      [
        { label: "dsdn", start: dsdnServer },
        ...KUBO_SETUPS.map((setup) => ({ label: setup.label, start: (d: string) => kuboServer(ipfs, d, setup) })),
      ],
      input,
      sha256File,
    );
    results.push({
      size: input.size,
      dsdn: sides[0]!,
      kubo: KUBO_SETUPS.map((setup, i) => ({ setup, side: sides[i + 1]! })),
    });
  }
  console.log("CLI start times…");
  const start = await measureStartTimes(ipfs);
  const loadAfter = loadavg();
  // Start time is what a small file costs: the bundled CLI (scripts/bundle-cli.mjs) against ipfs's Go binary.
  headlines.push({
    item: "Data plane vs kubo",
    figure: "`dsdn get` of 1 KiB: CLI wall time, DSDN ÷ kubo (`ipfs cat`)",
    value: start.dsdn.tinyMs / start.kubo.tinyMs,
    unit: "×",
  });
  for (const r of results) {
    const best = {
      up: Math.min(...r.kubo.map((k) => k.side.upMs)),
      down: Math.min(...r.kubo.map((k) => k.side.downMs)),
      upCpu: Math.min(...r.kubo.map((k) => k.side.upCpu)),
      downCpu: Math.min(...r.kubo.map((k) => k.side.downCpu)),
    };
    const row = (label: string, s: Side) =>
      `| ${label} | ${mbps(r.size, s.upMs).toFixed(0)} | ${mbps(r.size, s.downMs).toFixed(0)} | ${s.upCpu.toFixed(2)} / ${s.downCpu.toFixed(2)} | ${s.upServerCpu.toFixed(2)} / ${s.downServerCpu.toFixed(2)} | ${(s.upCpu + s.upServerCpu).toFixed(2)} / ${(s.downCpu + s.downServerCpu).toFixed(2)} |`;
    const bestTotal = {
      up: Math.min(...r.kubo.map((k) => k.side.upCpu + k.side.upServerCpu)),
      down: Math.min(...r.kubo.map((k) => k.side.downCpu + k.side.downServerCpu)),
    };
    const ratio = (kuboMs: number, dsdnMs: number) => `${(kuboMs / dsdnMs).toFixed(2)}×`;
    const item = "Data plane vs kubo" as const;
    const size = r.size >= GiB ? `${r.size / GiB} GiB` : `${r.size / MiB} MiB`;
    const ahead = { min: 1, source: "issue 21: ahead of kubo's best" };
    headlines.push(
      {
        item,
        figure: `${size}: upload speed, DSDN ÷ kubo's best`,
        value: best.up / r.dsdn.upMs,
        unit: "×",
        target: ahead,
      },
      {
        item,
        figure: `${size}: download speed, DSDN ÷ kubo's best`,
        value: best.down / r.dsdn.downMs,
        unit: "×",
        target: ahead,
      },
      {
        item,
        figure: `${size}: \`dsdn get\` speed ÷ \`dsdn upload\` speed`,
        value: r.dsdn.upMs / r.dsdn.downMs,
        unit: "×",
        target: { min: 1, source: "issue 21: get at least as fast as upload" },
      },
      {
        item,
        figure: `${size}: client CPU per GiB downloading, DSDN ÷ kubo's best`,
        value: r.dsdn.downCpu / best.downCpu,
        unit: "×",
        target: { max: 1, source: "issue 21: at most kubo's" },
      },
    );
    sections.push(
      [
        `### ${r.size >= GiB ? `${r.size / GiB} GiB` : `${r.size / MiB} MiB`} random file`,
        "",
        "| setup | upload / add MB/s | get / cat MB/s | client CPU-s per GiB (up / down) | server CPU-s per GiB (up / down) | client + server CPU-s per GiB (up / down) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        row("DSDN (`dsdn upload` / `dsdn get`, fsync before every ack)", r.dsdn),
        ...r.kubo.map((k) => row(k.setup.label, k.side)),
        `| **DSDN ÷ kubo's best** (speed: >1 is DSDN faster; CPU: <1 is DSDN cheaper) | ${ratio(best.up, r.dsdn.upMs)} | ${ratio(best.down, r.dsdn.downMs)} | ${(r.dsdn.upCpu / best.upCpu).toFixed(2)} / ${(r.dsdn.downCpu / best.downCpu).toFixed(2)} | | ${((r.dsdn.upCpu + r.dsdn.upServerCpu) / bestTotal.up).toFixed(2)} / ${((r.dsdn.downCpu + r.dsdn.downServerCpu) / bestTotal.down).toFixed(2)} |`,
      ].join("\n"),
    );
  }
  const md = [
    `${version}, built from the Go module proxy by \`bench/peers/kubo/build.sh\` (go-libp2p v0.50.0 in place of`,
    "kubo's fork). One server on loopback: a `dsdn-node storage` process, or an offline `ipfs daemon` (`ipfs init",
    "--empty-repo`, API on 127.0.0.1). Each run starts a fresh store and a fresh server, uploads the file with the real",
    "CLI (`dsdn upload` / `ipfs add -Q`), then reads it back into a file (`dsdn get -o` / `ipfs cat >`), checked against",
    `the input's SHA-256. Medians of ${RUNS} rounds, each running every setup once in turn; MB/s = 10^6 bytes per second of the CLI's wall time (process start`,
    "included). Client CPU: user + system seconds of the CLI process (bash `times`); server CPU: the server",
    "process's /proc counters over the same command. `ipfs add` hands the file to the daemon, which chunks and",
    "hashes it, and `ipfs cat` does not verify what the daemon sends; `dsdn` chunks, hashes and verifies every chunk",
    "in the client, so the client + server column is the like-for-like one. DSDN's node fsyncs every chunk before it acknowledges it and",
    "`dsdn get` fsyncs its output; kubo's default flatfs does not fsync (`sync: false`), the third kubo row sets it.",
    "",
    `Machine load (1/5/15-min averages) at start ${loadBefore.map((l) => l.toFixed(1)).join(" / ")}, at end ${loadAfter.map((l) => l.toFixed(1)).join(" / ")}, on ${cpus().length} cores;`,
    "both peers ran under the same conditions, one after the other, so read the ratios rather than the absolute figures.",
    "",
    ...sections.flatMap((s) => [s, ""]),
    "### CLI start (weighs on small files)",
    "",
    "Medians of 5; wall time and CPU-seconds of the CLI process.",
    "",
    "| command | wall ms | CPU-s |",
    "| --- | ---: | ---: |",
    `| \`dsdn --help\` | ${start.dsdn.helpMs.toFixed(0)} | ${start.dsdn.helpCpu.toFixed(2)} |`,
    `| \`ipfs --help\` | ${start.kubo.helpMs.toFixed(0)} | ${start.kubo.helpCpu.toFixed(2)} |`,
    `| \`dsdn get\` of a 1 KiB file | ${start.dsdn.tinyMs.toFixed(0)} | ${start.dsdn.tinyCpu.toFixed(2)} |`,
    `| \`ipfs cat\` of a 1 KiB file | ${start.kubo.tinyMs.toFixed(0)} | ${start.kubo.tinyCpu.toFixed(2)} |`,
    `| \`dsdn upload\` of a 1 KiB file | ${start.dsdn.tinyUpMs.toFixed(0)} | ${start.dsdn.tinyUpCpu.toFixed(2)} |`,
    `| \`ipfs add\` of a 1 KiB file | ${start.kubo.tinyUpMs.toFixed(0)} | ${start.kubo.tinyUpCpu.toFixed(2)} |`,
    "",
  ].join("\n");
  writeBenchSection("storage-vs-kubo", "Storage data plane beside kubo (`storage --vs kubo`)", md, repo);
  recordHeadlines("storage-vs-kubo", headlines, repo);
  console.log(md);
}
