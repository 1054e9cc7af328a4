/** @module A localnet start interrupted part-way stops every process it had started (no strays on the ports). */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../common/paths.js";
import { freePortBlock } from "../support/localnet.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-localnet-abort-"));
const seen = new Set<number>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function collectPids(): void {
  const pids = join(dir, "pids");
  if (!existsSync(pids)) return;
  for (const f of readdirSync(pids)) {
    const pid = Number(readFileSync(join(pids, f), "utf8"));
    if (pid > 0) seen.add(pid);
  }
}

afterAll(() => {
  for (const pid of seen) if (alive(pid)) process.kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

describe("localnet/start.sh interrupted part-way", () => {
  it("stops the processes it had already started when it gets TERM", async () => {
    const root = projectRoot();
    const child = spawn("bash", [join(root, "localnet/start.sh"), "--fresh", "--validators", "2"], {
      cwd: root,
      env: {
        ...process.env,
        LOCALNET_DIR: dir,
        LOCALNET_BASE_PORT: String(await freePortBlock()),
        LOCALNET_SERVICES: "chain",
        LOCALNET_NO_BUILD: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 143 : null))),
    );
    // Wait until it has started several long-running processes (feeders, apps, CometBFT), then interrupt it.
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      collectPids();
      if (seen.size >= 3 || child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(child.exitCode, `start.sh ended before it was interrupted:\n${stderr}`).toBeNull();
    expect(seen.size).toBeGreaterThanOrEqual(3);
    child.kill("SIGTERM");
    const code = await exited;
    collectPids();
    expect(code).not.toBe(0);
    const strays = [...seen].filter(alive);
    expect(strays, `processes left running: ${strays.join(", ")}`).toEqual([]);
    expect(stderr).toContain("stopping the processes it had started");
  });
});
