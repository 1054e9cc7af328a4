/**
 * @module The local DA server (a real `dsdn-node da` process) is bounded like every other service: a
 * per-client rate limit with a clear 429, and a client that never finishes its headers is cut off.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { repo, waitFor } from "./support/storageNode.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-adv-da-"));
let proc: ChildProcess | undefined;
afterAll(() => {
  proc?.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

function startDA(args: string[]): Promise<string> {
  proc = spawn(process.execPath, [join(repo, "bin/dsdn-node.js"), "da", "--data", root, "--port", "0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  return new Promise((ok, fail) => {
    proc!.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) ok(m[1]!);
    });
    proc!.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    proc!.once("exit", (c) => fail(new Error(`dsdn-node da exited with ${c}: ${out}`)));
  });
}

it("rate-limits each client with a 429 and cuts off a client that never finishes its headers", async () => {
  const url = await startDA(["--rate-limit", "3", "--rate-window-ms", "600000", "--headers-timeout-ms", "1000"]);
  const call = () =>
    fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "header.NetworkHead", params: [] }),
    });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 5; i++) {
    last = await call();
    statuses.push(last.status);
  }
  // Unauthenticated calls are refused (401) until the limit; then the limit answers first.
  expect(statuses.slice(3)).toEqual([429, 429]);
  expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
  const body = (await last!.json()) as { error: { message: string; data: { code: string } } };
  expect(body.error.data.code).toBe("DSDN_RATE_LIMITED");
  expect(body.error.message).toMatch(/rate limit/);
  expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);

  const u = new URL(url);
  const s = connect(Number(u.port), u.hostname);
  s.on("error", () => {});
  s.write("POST / HTTP/1.1\r\nHost: a\r\n");
  const drip = setInterval(() => s.write("X-Pad: 1\r\n"), 300);
  await waitFor(() => s.closed, 15_000, "the headers timeout to close the connection");
  clearInterval(drip);
});
