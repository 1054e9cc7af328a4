/**
 * Attack: whoever answers at the coordinator URL names the DA publishers a storage node trusts. A real
 * `dsdn-node storage` in network mode, pointed at a fake coordinator whose /health names the attacker's key,
 * must not take its publisher set from that answer: with no --coordinator-key / DSDN_COORDINATOR_KEYS and no
 * chain RPC (committee registry) it refuses to start, without ever asking the coordinator.
 * Needs `npm run build` first.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-adv-pub-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("storage nodes never take their DA publisher set from the coordinator's answer", () => {
  it("refuses to start instead of trusting /health", async () => {
    let healthCalls = 0;
    const fake = http.createServer((req, res) => {
      if (req.url === "/health") healthCalls++;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ status: "ok", coordinator: "ab".repeat(32) }));
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const fakeUrl = `http://127.0.0.1:${(fake.address() as { port: number }).port}`;
    const env = { ...process.env };
    delete env.DSDN_COORDINATOR_KEYS;
    delete env.RPC_URL;
    const proc = spawn(
      process.execPath,
      [
        join(repo, "bin/dsdn-node.js"),
        "storage",
        "--data",
        join(root, "node"),
        "--port",
        "0",
        "--coordinator-url",
        fakeUrl,
        "--da",
        "http://127.0.0.1:9",
      ],
      { env, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    const code = await new Promise<number | null>((ok) => proc.on("close", ok));
    clearTimeout(killer);
    fake.close();
    expect(healthCalls).toBe(0);
    expect(code).toBe(1);
    expect(stderr).toMatch(/no authorized DA publishers/);
  });
});
