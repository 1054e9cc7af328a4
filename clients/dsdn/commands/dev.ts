/**
 * @module `dsdn dev`: a development network in ONE process — the chain app with a 1-validator CometBFT as its only
 * child, the local DA, the REST API, a coordinator, two storage nodes (which also run jobs), the ingress and a
 * wallet-connect page; `--detach` runs that process in the background, `--stop` ends it.
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { type Command, untilSignal } from "../../../common/cli.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { serveWalletPage } from "../devWallet.js";

/** What a running dev network shows (written once it is ready; `--detach` and a second start print it). */
interface Ready {
  readonly pid: number;
  readonly rpc: string;
  readonly coordinator: string;
  readonly wallet: string;
  readonly envFile: string;
  readonly readySeconds: number;
}

const pidFile = (dir: string) => join(dir, "dev.pid");
const readyFile = (dir: string) => join(dir, "ready.json");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of this directory's running dev process, if any (a pid file whose process is gone is stale). */
function runningPid(dir: string): number | undefined {
  if (!existsSync(pidFile(dir))) return undefined;
  const pid = Number(readFileSync(pidFile(dir), "utf8").trim());
  return Number.isSafeInteger(pid) && pid > 1 && alive(pid) ? pid : undefined;
}

function readReady(dir: string): Ready | undefined {
  try {
    return JSON.parse(readFileSync(readyFile(dir), "utf8")) as Ready;
  } catch {
    return undefined;
  }
}

function printReady(r: Ready, dir: string, out: (l: string) => void): void {
  out(`development network in ${dir} (pid ${r.pid}), ready in ${r.readySeconds.toFixed(1)} s`);
  out(`  environment  . ${r.envFile}`);
  out(`  RPC          ${r.rpc}`);
  out(`  coordinator  ${r.coordinator}`);
  out(`  wallet       ${r.wallet}`);
  out(`  logs         ${join(dir, "logs")}`);
}

/** SIGTERM to the dev process, then wait until it (and so its CometBFT) is gone. */
async function stopDev(dir: string, err: (l: string) => void): Promise<void> {
  const pid = runningPid(dir);
  if (pid === undefined) {
    err(`no development network running in ${dir}`);
    return;
  }
  process.kill(pid, "SIGTERM");
  for (let i = 0; i < 600 && alive(pid); i++) await sleep(100);
  if (alive(pid))
    throw new BaseError(ErrorCode.Unavailable, `the development network (pid ${pid}) did not stop in 60 s`);
  err(`development network in ${dir} stopped`);
}

/** Runs `dsdn dev` (without --detach) in the background, its output in <dir>/logs/dev.log; returns once it is ready. */
async function detach(dir: string, argv: string[]): Promise<Ready> {
  mkdirSync(join(dir, "logs"), { recursive: true });
  rmSync(readyFile(dir), { force: true });
  const logPath = join(dir, "logs", "dev.log");
  const log = openSync(logPath, "a");
  const child = spawn(process.execPath, [process.argv[1]!, "dev", ...argv], {
    detached: true,
    stdio: ["ignore", log, log],
  });
  closeSync(log);
  let exited: number | null | undefined;
  child.once("exit", (code) => {
    exited = code;
  });
  child.unref();
  for (;;) {
    const r = readReady(dir);
    if (r && r.pid === child.pid) return r;
    if (exited !== undefined) {
      const tail = readFileSync(logPath, "utf8").split("\n").slice(-30).join("\n");
      throw new BaseError(ErrorCode.Unavailable, `the development network did not start (exit ${exited})`, {
        details: tail,
      });
    }
    await sleep(100);
  }
}

export const dev: Command = {
  summary:
    "Run a development network in one process (1 validator, DA, coordinator, 2 storage nodes, ingress) and a wallet-connect page",
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
    const base = values["port-base"] === undefined ? 26600 : Number(values["port-base"]);
    if (!/^[1-9][0-9]{3,4}$/.test(String(base)) || base > 65_435)
      throw new InvalidArgumentError("--port-base must be a port number (the network uses the next 100 ports)");
    const web = values["web-port"];
    if (web !== undefined && (!/^[0-9]{1,5}$/.test(String(web)) || Number(web) > 65_535))
      throw new InvalidArgumentError("--web-port must be a port number");
    if (values.stop) {
      await stopDev(dir, err);
      return 0;
    }
    const running = runningPid(dir);
    if (running !== undefined) {
      if (values.fresh) await stopDev(dir, err);
      else {
        const r = readReady(dir);
        if (!r)
          throw new BaseError(ErrorCode.Unavailable, `a development network (pid ${running}) is starting in ${dir}`);
        err("already running (dsdn dev --stop stops it)");
        printReady(r, dir, out);
        return 0;
      }
    }
    if (values.fresh) rmSync(dir, { recursive: true, force: true });
    const argv = ["--dir", dir, "--port-base", String(base), ...(web !== undefined ? ["--web-port", String(web)] : [])];
    if (values.detach) {
      printReady(await detach(dir, argv), dir, out);
      out("  stop         dsdn dev --stop");
      return 0;
    }

    mkdirSync(join(dir, "logs"), { recursive: true });
    writeFileSync(pidFile(dir), `${process.pid}\n`);
    const logFile = createWriteStream(join(dir, "logs", "services.log"), { flags: "a" });
    const { startDevNetwork } = await import("../devNetwork.js");
    err(`starting the development network in ${dir}`);
    const net = await startDevNetwork({
      dir,
      basePort: base,
      log: (l) => logFile.write(`${l}\n`),
      progress: err,
    }).catch((e: unknown) => {
      rmSync(pidFile(dir), { force: true });
      throw e;
    });
    const page = await serveWalletPage(net.chainInfoFile, web !== undefined ? Number(web) : 0);
    const ready: Ready = {
      pid: process.pid,
      rpc: net.env.RPC_URL!,
      coordinator: net.env.DSDN_COORDINATOR_URL!,
      wallet: page.url,
      envFile: net.envFile,
      // From this process's start: module loading included.
      readySeconds: process.uptime(),
    };
    writeFileSync(readyFile(dir), `${JSON.stringify(ready)}\n`);
    printReady(ready, dir, out);
    out("Ctrl-C stops everything (state is kept for the next start; --fresh wipes it).");
    let code = 0;
    const why = await Promise.race([
      untilSignal(),
      net.failed.catch((e: Error) => {
        code = 1;
        return e.message;
      }),
    ]);
    err(`stopping the development network (${why})`);
    rmSync(readyFile(dir), { force: true });
    await page.close();
    await net.stop();
    rmSync(pidFile(dir), { force: true });
    logFile.end();
    err("development network stopped");
    return code;
  },
};
