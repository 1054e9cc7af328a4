/** @module `dsdn dev`'s processes: one Node process with CometBFT as its only child; `--stop` and a SIGKILL leave nothing behind; a restart resumes. */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { freePortBlock } from "../support/localnet.js";

const run = promisify(execFile);
const root = projectRoot();
const tmp = mkdtempSync(join(tmpdir(), "dsdn-devp-"));
const dir = join(tmp, "net");

/** Every process whose command line names the dev directory (the dev process and its CometBFT). */
function processesOf(d: string): { pid: number; ppid: number; cmd: string }[] {
  const out = execFileSync("ps", ["-eo", "pid=,ppid=,args="], { encoding: "utf8" });
  return out
    .split("\n")
    .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
    .filter(
      (m): m is RegExpExecArray => m !== null && (m[3] as string).includes(d) && !(m[3] as string).startsWith("ps "),
    )
    .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), cmd: m[3] as string }));
}

async function waitFor(what: string, ok: () => boolean, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const pidOf = () => Number(readFileSync(join(dir, "dev.pid"), "utf8").trim());
const height = async (rpc: string) =>
  Number(
    ((await (await fetch(`${rpc}/status`)).json()) as { result: { sync_info: { latest_block_height: string } } }).result
      .sync_info.latest_block_height,
  );

afterAll(async () => {
  for (const p of processesOf(dir)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {}
  }
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

describe("dsdn dev processes", () => {
  let base = 0;
  let rpc = "";
  let before = 0;

  it("--detach: one dsdn process whose only child is CometBFT; ready time printed", async () => {
    base = await freePortBlock();
    const r = await run("node", ["bin/dsdn.js", "dev", "--dir", dir, "--port-base", String(base), "--detach"], {
      cwd: root,
    });
    expect(r.stdout).toMatch(/ready in \d+(\.\d+)? s/);
    rpc = /RPC\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(r.stdout)?.[1] ?? "";
    expect(rpc).not.toBe("");
    const pid = pidOf();
    const procs = processesOf(dir);
    const children = procs.filter((p) => p.ppid === pid);
    expect(procs.map((p) => p.pid).sort()).toEqual([pid, ...children.map((c) => c.pid)].sort());
    expect(children).toHaveLength(1);
    expect(children[0]?.cmd).toMatch(/cometbft/);
    before = await height(rpc);
    expect(before).toBeGreaterThan(0);
  }, 180_000);

  it("--stop ends the dev process and its CometBFT", async () => {
    await run("node", ["bin/dsdn.js", "dev", "--dir", dir, "--stop"], { cwd: root });
    expect(processesOf(dir)).toEqual([]);
  }, 120_000);

  it("a restart resumes the chain; a SIGKILLed dev process leaves no CometBFT behind", async () => {
    const r = await run("node", ["bin/dsdn.js", "dev", "--dir", dir, "--port-base", String(base), "--detach"], {
      cwd: root,
    });
    expect(r.stdout).toMatch(/ready in/);
    const h = await height(rpc);
    // Resumed, not re-created: the chain goes on from its stored height (a fresh genesis would start again at 1).
    expect(h).toBeGreaterThanOrEqual(before);
    const pid = pidOf();
    expect(processesOf(dir).some((p) => p.ppid === pid && /cometbft/.test(p.cmd))).toBe(true);
    process.kill(pid, "SIGKILL");
    await waitFor("no process of the dev network", () => processesOf(dir).length === 0, 30_000);
  }, 180_000);
});
