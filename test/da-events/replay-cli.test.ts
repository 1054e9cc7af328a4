/**
 * End to end: the real local DA server (`dsdn-node da`) as a child process, publishers posting signed event
 * batches through CelestiaDA over HTTP, an outage of the DA server in the middle (publisher outbox), and the
 * real `dsdn-node replay` CLI rebuilding state — its digest must equal the in-process follower's.
 * Needs `npm run build` first (the bin/ launchers run dist/).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toHex } from "../../common/hash.js";
import { CelestiaDA } from "../../node-agent/da/celestia/celestiaDA.js";
import { silentLogger } from "../../node-agent/da/events/logger.js";
import { EventPublisher } from "../../node-agent/da/events/publisher.js";
import { type SampleStep, sampleNetwork, sampleWorkload } from "../../node-agent/da/events/sampleWorkload.js";
import { MEMORY_DA_DEFAULT_NAMESPACE } from "../../node-agent/da/memoryDA.js";
import { replayConfig } from "../../node-agent/da/replay/config.js";
import { ReplayFollower } from "../../node-agent/da/replay/follower.js";

const repo = resolve(import.meta.dirname, "../..");
const root = mkdtempSync(join(tmpdir(), "dsdn-e2e-da-events-"));
const dataDir = join(root, "da");
const namespaceHex = toHex(MEMORY_DA_DEFAULT_NAMESPACE);
const children = new Set<ChildProcess>();
const net = sampleNetwork(5, 3, "e2e");
const config = replayConfig({ coordinators: [net.coordinator.publicKey] });

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

let port = 0;
let daProc: ChildProcess | undefined;
let url = "";

function startDA(): Promise<void> {
  const proc = spawn(
    process.execPath,
    [join(repo, "bin/dsdn-node.js"), "da", "--data", dataDir, "--port", String(port), "--block-time-ms", "150"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.add(proc);
  proc.on("exit", () => children.delete(proc));
  daProc = proc;
  return new Promise((ok, fail) => {
    let out = "";
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /local DA ready at (http:\/\/\S+)/.exec(out);
      if (m) {
        url = m[1]!;
        ok();
      }
    });
    proc.on("exit", (code) => fail(new Error(`dsdn-node da exited with ${code}: ${out}`)));
  });
}

async function stopDA(): Promise<void> {
  const p = daProc;
  if (!p || p.exitCode !== null) return;
  const exited = new Promise((ok) => p.once("exit", ok));
  p.kill("SIGTERM");
  await exited;
}

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const proc = spawn(process.execPath, [join(repo, "bin/dsdn-node.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DA_AUTH_TOKEN: "", DA_AUTH_TOKEN_FILE: "" },
    });
    children.add(proc);
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.on("exit", (code) => {
      children.delete(proc);
      ok({ code: code ?? -1, stdout, stderr });
    });
  });
}

const token = (perm: string) => readFileSync(join(dataDir, `${perm}.token`), "utf8").trim();
const client = () =>
  new CelestiaDA({
    url,
    authToken: token("write"),
    namespace: MEMORY_DA_DEFAULT_NAMESPACE,
    timeoutMs: 5000,
    retryCount: 0,
    retryDelayMs: 50,
  });

beforeAll(async () => {
  port = await freePort();
  await startDA();
});

afterAll(async () => {
  for (const c of children) c.kill("SIGKILL");
  rmSync(root, { recursive: true, force: true });
});

describe("DA event log over the real local DA server", () => {
  const steps: SampleStep[] = [...sampleWorkload(net, { files: 4, chunksPerFile: 3, deleteEvery: 2, healEvery: 4 })];
  let expectedDigest = "";

  it("publishers post through CelestiaDA, survive a DA restart via the outbox, and the follower sees everything", async () => {
    const da = client();
    await da.connect();
    const follower = new ReplayFollower({ da, config, logger: silentLogger });
    follower.start();
    const pubs = new Map<string, EventPublisher>();
    const pub = async (by: SampleStep["by"]) => {
      const key = String(by);
      if (!pubs.has(key)) {
        const actor = by === "coordinator" ? net.coordinator : net.nodes[by]!.actor;
        pubs.set(
          key,
          await EventPublisher.open({
            da,
            secretKey: actor.secretKey,
            outboxPath: join(root, `outbox-${key}.sqlite`),
            observedHeight: () => follower.height,
            maxDelayMs: 20,
            retryInitialMs: 100,
            retryMaxMs: 400,
            logger: silentLogger,
          }),
        );
      }
      return pubs.get(key)!;
    };
    const half = Math.floor(steps.length / 2);
    const publish = async (list: SampleStep[]) => {
      for (const s of list) {
        if (s.afterInclusion) {
          for (const p of pubs.values()) await p.flush();
          await follower.waitForHeight(await da.head());
        }
        await (await pub(s.by)).publish(typeof s.event === "function" ? s.event(follower.height) : s.event);
      }
    };
    await publish(steps.slice(0, half));
    for (const p of pubs.values()) await p.flush();

    // DA goes away: publishing keeps working (into the outbox) and the posts fail and retry.
    await stopDA();
    const coordinator = await pub("coordinator");
    const failures: unknown[] = [];
    coordinator.on("post-failed", (f) => failures.push(f));
    const rest = steps.slice(half).filter((s) => !s.afterInclusion);
    for (const s of rest) await (await pub(s.by)).publish(s.event as never);
    // A failed post is waited for (a loaded machine may not get one out within a fixed 500 ms).
    await vi.waitFor(() => expect(failures.length).toBeGreaterThan(0), { timeout: 30_000, interval: 50 });
    expect(coordinator.queued).toBeGreaterThan(0);

    await startDA(); // same data dir and port: the chain continues
    for (const p of pubs.values()) await p.flush();
    for (const p of pubs.values()) await p.close();
    await follower.waitForHeight(await da.head());
    await follower.stop();
    const stats = follower.machine.stats();
    expect(stats.applied).toBe(half + rest.length);
    expect(stats.pending).toBe(0);
    expect(stats.rejected).toEqual({});
    expect(follower.state.counts().nodes).toBe(5);
    expectedDigest = follower.digestHex();
    await da.close();
  });

  it("`dsdn-node replay` rebuilds the same digest, from the start and from its checkpoint", async () => {
    const common = [
      "replay",
      "--da",
      url,
      "--token-file",
      join(dataDir, "read.token"),
      "--namespace",
      namespaceHex,
      "--coordinator",
      net.coordinator.hex,
    ];
    const text = await runCli(common);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^digest ${expectedDigest}$`, "m"));
    expect(text.stdout).toMatch(/nodes 5 {2}zones 3/);

    const cpDir = join(root, "replay-checkpoints");
    const first = await runCli([...common, "--checkpoint-dir", cpDir, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const a = JSON.parse(first.stdout) as {
      digest: string;
      height: string;
      checkpoint: unknown;
      counts: { nodes: number };
    };
    expect(a.digest).toBe(expectedDigest);
    expect(a.checkpoint).toBeNull();
    const second = await runCli([...common, "--checkpoint-dir", cpDir, "--json"]);
    const b = JSON.parse(second.stdout) as { digest: string; checkpoint: { height: string } };
    expect(b.checkpoint.height).toBe(a.height);
    expect(b.digest).toBe(expectedDigest);

    // Without the coordinator key its events are unauthorized: a different digest, and a warning.
    const readToken = join(dataDir, "read.token");
    const noKeys = await runCli(["replay", "--da", url, "--token-file", readToken, "--namespace", namespaceHex]);
    expect(noKeys.stderr).toContain("no coordinator keys");
    expect(noKeys.stdout).not.toContain(expectedDigest);
    // A wrong token fails with a clear message, not a stack trace.
    const badFile = join(root, "bad.token");
    writeFileSync(badFile, "not-a-token\n", { mode: 0o600 });
    const bad = await runCli(["replay", "--da", url, "--token-file", badFile, "--namespace", namespaceHex]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^Error: /m);
    expect(bad.stderr).toMatch(/^ +Detail: .*DA_AUTH_TOKEN/m);
    // A token on the command line (visible to every user in ps) is refused before anything is sent.
    const argv = await runCli(["replay", "--da", url, "--token", token("read"), "--namespace", namespaceHex]);
    expect(argv.code).toBe(1);
    expect(argv.stderr).toMatch(/--token is not accepted/);
  });
});
