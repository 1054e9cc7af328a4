/** @module DA down, server restarts, reconnection with gap backfill, persistence, and the `dsdn-node da` command. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { daCommand } from "../../node-agent/cli/da.js";
import { CelestiaDA } from "../../node-agent/da/celestia/celestiaDA.js";
import { DAError } from "../../node-agent/da/celestia/errors.js";
import { namespaceFromName } from "../../node-agent/da/commitment/namespace.js";
import { LocalDAServer } from "../../node-agent/da/localserver/server.js";
import type { DAHeightBlobs } from "../../node-agent/da/types.js";
import { delay, freePort, IN_PROCESS_DA_LIMITS, tempDir } from "./helpers.js";

const ns = namespaceFromName("dsdn-test-resilience");
const bytes = (s: string) => new TextEncoder().encode(s);
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe("DA down", () => {
  it("a closed port gives a clear, token-free error after the configured retries", async () => {
    const port = await freePort();
    const secret = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2ln";
    const c = new CelestiaDA({
      url: `http://127.0.0.1:${port}`,
      authToken: secret,
      namespace: ns,
      retryCount: 2,
      retryDelayMs: 20,
    });
    cleanups.push(() => c.close());
    const err = (await c.postBlob(bytes("x")).catch((e) => e)) as DAError;
    expect(err).toBeInstanceOf(DAError);
    expect(err.kind).toBe("unavailable");
    expect(err.message).toMatch(/cannot reach the DA node at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    expect(err.message).toMatch(/gave up after 3 attempts/);
    expect(err.message).not.toContain(secret);
    expect(c.metrics().counters.retries).toBe(2);
    const startup = (await c.connect().catch((e) => e)) as DAError;
    expect(startup.message).toMatch(/cannot reach the DA node .* is it running, and is DA_RPC_URL right\?/);
    expect((await c.health()).status).toBe("down");
  });

  it("retries until the server comes back, then the post succeeds", async () => {
    const port = await freePort();
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    // Run once to create the secret and tokens, then take the node down.
    const first = await LocalDAServer.start({ limits: IN_PROCESS_DA_LIMITS, dataDir: tmp.dir, port, blockTimeMs: 100 });
    const token = first.tokens.write;
    await first.stop();
    const c = new CelestiaDA({
      url: `http://127.0.0.1:${port}`,
      authToken: token,
      namespace: ns,
      retryCount: 10,
      retryDelayMs: 100,
      maxRetryDelayMs: 400,
    });
    cleanups.push(() => c.close());
    const starting = delay(600).then(async () => {
      const server = await LocalDAServer.start({
        limits: IN_PROCESS_DA_LIMITS,
        dataDir: tmp.dir,
        port,
        blockTimeMs: 100,
      });
      cleanups.push(() => server.stop());
    });
    const posting = c.postBlob(bytes("posted while down"));
    await starting;
    const ref = await posting;
    expect(await c.getBlob(ref)).toEqual(bytes("posted while down"));
    expect(c.metrics().counters.retries).toBeGreaterThan(0);
    expect((await c.health()).status).toBe("healthy");
  }, 30_000);
});

describe("restart and persistence", () => {
  it("heights and blobs survive a restart; the subscription reconnects and backfills the gap", async () => {
    const port = await freePort();
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    let server = await LocalDAServer.start({ limits: IN_PROCESS_DA_LIMITS, dataDir: tmp.dir, port, blockTimeMs: 100 });
    const token = server.tokens.write;
    // The reconnect backoff (≥ 1.2 s) outlasts the 300 ms outage, so the restarted node makes heights we must backfill.
    const sub = new CelestiaDA({
      url: server.url,
      authToken: token,
      namespace: ns,
      retryDelayMs: 1500,
      maxRetryDelayMs: 3000,
    });
    cleanups.push(() => sub.close());

    const before = await sub.postBlob(bytes("before restart"));
    const ac = new AbortController();
    const got: DAHeightBlobs[] = [];
    const from = before.height;
    let sawAfter = false;
    const following = (async () => {
      for await (const h of sub.subscribe({ fromHeight: from, signal: ac.signal })) {
        got.push(h);
        if (h.blobs.some((b) => Buffer.from(b.data).toString() === "after restart")) {
          sawAfter = true;
          ac.abort();
        }
      }
    })();
    // The subscription is live (it has delivered a height past the first) before the outage: waited for, not a
    // fixed 400 ms that a loaded machine can spend before the stream is even connected.
    while (got.length < 2) await delay(20);
    const headBeforeStop = server.head();
    const backfilledBeforeStop = sub.metrics().counters.heightsBackfilled;
    await server.stop();
    await delay(300);
    server = await LocalDAServer.start({ limits: IN_PROCESS_DA_LIMITS, dataDir: tmp.dir, port, blockTimeMs: 100 });
    cleanups.push(() => server.stop());
    // Same secret on disk → the old (unexpired) token still works — the poster below uses it; heights
    // continue, never restart at 1. New tokens are issued at each start (each with its own expiry).
    expect(server.head()).toBeGreaterThanOrEqual(headBeforeStop);
    const poster = new CelestiaDA({ url: server.url, authToken: token, namespace: ns });
    cleanups.push(() => poster.close());
    expect(await poster.getBlob(before)).toEqual(bytes("before restart"));
    const after = await poster.postBlob(bytes("after restart"));
    await following;
    expect(sawAfter).toBe(true);
    // Every height from `from` to the blob's height exactly once, in order.
    expect(got.map((h) => h.height)).toEqual(
      Array.from({ length: Number(after.height - from) + 1 }, (_, i) => from + BigInt(i)),
    );
    expect(got[0]!.blobs.map((b) => Buffer.from(b.data).toString())).toContain("before restart");
    const m = sub.metrics().counters;
    expect(m.reconnects).toBeGreaterThanOrEqual(1);
    // Heights the restarted node produced before we reconnected came by GetAll, not the stream.
    expect(m.heightsBackfilled).toBeGreaterThan(backfilledBeforeStop);
  }, 60_000);
});

describe("dsdn-node da", () => {
  it("starts, prints the token file path (never a token), and stops on SIGTERM", async () => {
    const tmp = tempDir();
    cleanups.push(tmp.cleanup);
    const port = await freePort();
    const out: string[] = [];
    const running = daCommand.run({
      positionals: [],
      values: { data: tmp.dir, port: String(port), "block-time-ms": "100" },
      out: (l) => out.push(l),
      err: (l) => out.push(l),
    });
    while (!out.some((l) => l.includes("auth tokens"))) await delay(50);
    const tokens = JSON.parse(readFileSync(join(tmp.dir, "auth-tokens.json"), "utf8")) as Record<string, string>;
    expect(statSync(join(tmp.dir, "auth-tokens.json")).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, "jwt-secret")).mode & 0o777).toBe(0o600);
    expect(statSync(join(tmp.dir, "write.token")).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(tmp.dir, "write.token"), "utf8").trim()).toBe(tokens.write);
    const c = new CelestiaDA({ url: `http://127.0.0.1:${port}`, authToken: tokens.write, namespace: ns });
    const ref = await c.postBlob(bytes("cli"));
    expect(await c.getBlob(ref)).toEqual(bytes("cli"));
    await c.close();
    process.emit("SIGTERM");
    expect(await running).toBe(0);
    const printed = out.join("\n");
    expect(printed).toContain(join(tmp.dir, "auth-tokens.json"));
    for (const t of Object.values(tokens)) expect(printed).not.toContain(t);
    expect(printed).not.toContain(readFileSync(join(tmp.dir, "jwt-secret"), "utf8").trim());
  }, 30_000);
});
