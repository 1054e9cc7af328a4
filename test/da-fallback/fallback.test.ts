/**
 * End to end, real processes: a localnet chain (CometBFT + dsdnd validators) whose `da` module is the
 * validator-quorum DA, the localnet's own `dsdn-node da` as the primary (Celestia-compatible), and a second
 * `dsdn-node da` as the operators' emergency DA. Under a steady event load the primary is killed (Warning →
 * Degraded: the chain takes the blobs), then the chain is killed too (Emergency), then the primary comes back
 * (Recovering → Healthy). Zero events lost or duplicated on the primary, replay digests equal whichever layer
 * a replayer read first, and the WORM audit log of it all verifies against DA — and fails when tampered.
 * Needs `npm run build` (the bin/ launchers run dist/).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { cometbftBinary, projectRoot } from "../../common/paths.js";
import { AuditLog } from "../../node-agent/audit/log.js";
import { AuditMirror } from "../../node-agent/audit/mirror.js";
import { auditFallback, auditPublisher } from "../../node-agent/audit/sources.js";
import { CelestiaDA } from "../../node-agent/da/celestia/celestiaDA.js";
import { ChainDA } from "../../node-agent/da/chain/chainDA.js";
import type { OpenedEnvelope } from "../../node-agent/da/events/envelope.js";
import { silentLogger } from "../../node-agent/da/events/logger.js";
import { openedEvents } from "../../node-agent/da/events/openedEvents.js";
import { EventPublisher, type PostedBatch } from "../../node-agent/da/events/publisher.js";
import { type SampleStep, sampleNetwork, sampleWorkload } from "../../node-agent/da/events/sampleWorkload.js";
import { announceFallback } from "../../node-agent/da/fallback/announce.js";
import { mergeFallbackTimeline } from "../../node-agent/da/fallback/merge.js";
import { type FallbackActivation, FallbackRouter } from "../../node-agent/da/fallback/router.js";
import { replayConfig } from "../../node-agent/da/replay/config.js";
import { ReplayMachine } from "../../node-agent/da/replay/machine.js";
import type { DAHeightBlobs, DALayer } from "../../node-agent/da/types.js";
import { freePort } from "../da-transport/helpers.js";
import { type Localnet, startLocalnet, waitFor } from "../support/localnet.js";

const repo = projectRoot();
const work = mkdtempSync(join(tmpdir(), "dsdn-e2e-fallback-"));
const children = new Set<ChildProcess>();
const sample = sampleNetwork(5, 3, "fallback");
const config = replayConfig({ coordinators: [sample.coordinator.publicKey] });
let net: Localnet;
let namespace: Uint8Array;
let primaryUrl = "";
let emergencyUrl = "";

function spawnTracked(cmd: string, args: string[], log?: string): ChildProcess {
  const p = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], cwd: repo });
  children.add(p);
  p.on("close", () => children.delete(p));
  if (log) {
    p.stdout!.on("data", (d: Buffer) => writeFileSync(log, d, { flag: "a" }));
    p.stderr!.on("data", (d: Buffer) => writeFileSync(log, d, { flag: "a" }));
  }
  return p;
}

/** `dsdn-node da` as a child process; resolves with it once it prints its URL. */
function startDAServer(dataDir: string, port: number): Promise<ChildProcess> {
  const p = spawnTracked(process.execPath, [
    join(repo, "bin/dsdn-node.js"),
    "da",
    "--data",
    dataDir,
    "--port",
    String(port),
    "--block-time-ms",
    "300",
  ]);
  return new Promise((ok, fail) => {
    let out = "";
    p.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/local DA ready at/.test(out)) ok(p);
    });
    p.on("exit", (code) => fail(new Error(`dsdn-node da exited with ${code}: ${out}`)));
  });
}

async function killPid(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  await waitFor(
    async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    },
    20_000,
    `process ${pid} to exit`,
  );
}

let primaryProc: ChildProcess | undefined;
const validators = 2;

async function stopPrimary(): Promise<void> {
  if (primaryProc) {
    const p = primaryProc;
    const exited = new Promise((ok) => p.once("exit", ok));
    p.kill("SIGTERM");
    await exited;
    primaryProc = undefined;
  } else await killPid(net.pid("da", 0));
}

async function startPrimary(): Promise<void> {
  primaryProc = await startDAServer(join(net.dir, "da"), Number(new URL(primaryUrl).port));
}

async function stopChain(): Promise<void> {
  for (let i = 0; i < validators; i++) {
    await killPid(net.pid("cometbft", i));
    await killPid(net.pid("dsdnd", i));
  }
}

/** Restarts the validators from their homes (CometBFT replays what the app lacks); stop.sh finds the new pids. */
async function startChain(): Promise<void> {
  for (let i = 0; i < validators; i++) {
    const home = join(net.dir, "chain", `node${i}`);
    const app = spawnTracked(
      process.execPath,
      [join(repo, "bin/dsdnd.js"), "start", "--home", home],
      join(net.dir, "logs", `dsdnd-${i}.log`),
    );
    writeFileSync(join(net.dir, "pids", `dsdnd-${i}.pid`), String(app.pid));
  }
  await new Promise((r) => setTimeout(r, 1500));
  for (let i = 0; i < validators; i++) {
    const home = join(net.dir, "chain", `node${i}`);
    const c = spawnTracked(cometbftBinary(), ["start", "--home", home], join(net.dir, "logs", `cometbft-${i}.log`));
    writeFileSync(join(net.dir, "pids", `cometbft-${i}.pid`), String(c.pid));
  }
}

async function readAll(layer: DALayer): Promise<DAHeightBlobs[]> {
  const head = await layer.head();
  const out: DAHeightBlobs[] = [];
  for (let h = 1n; h <= head; h++) out.push(await layer.getAll(h));
  return out;
}

function envelopesOf(heights: readonly DAHeightBlobs[]) {
  const out: OpenedEnvelope[] = [];
  for (const h of heights) out.push(...openedEvents(h.blobs));
  return out;
}

function digestOf(heights: readonly DAHeightBlobs[]): { digest: string; applied: number } {
  const m = new ReplayMachine(config);
  for (const h of heights) m.applyHeight(h);
  return { digest: m.digestHex(), applied: m.stats().applied };
}

beforeAll(async () => {
  net = await startLocalnet({ validators, services: "chain", timeoutCommit: "300ms" });
  primaryUrl = net.env.DA_RPC_URL!;
  namespace = fromHex(net.env.DA_NAMESPACE!);
  const emergencyPort = await freePort();
  await startDAServer(join(work, "emergency"), emergencyPort);
  emergencyUrl = `http://127.0.0.1:${emergencyPort}`;
});

afterAll(async () => {
  // Wait for each child's pipes to close: their last output is appended to logs inside the localnet's folder.
  await Promise.all(
    [...children].map((c) => {
      const closed = new Promise((r) => c.once("close", r));
      c.kill("SIGKILL");
      return closed;
    }),
  );
  await net?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe("DA fallback over real processes", () => {
  it("Healthy → Warning → Degraded (chain) → Emergency → Recovering → Healthy: nothing lost, nothing duplicated, same digest, audit verifies", async () => {
    const writeToken = readFileSync(join(net.dir, "da", "write.token"), "utf8").trim();
    const emergencyToken = readFileSync(join(work, "emergency", "write.token"), "utf8").trim();
    const celestia = (url: string, token: string, layer?: "emergency") =>
      new CelestiaDA({
        url,
        authToken: token,
        namespace,
        timeoutMs: 3000,
        retryCount: 0,
        retryDelayMs: 50,
        verifyInclusion: false,
        ...(layer ? { layer } : {}),
      });
    const acct = net.accounts[0]!;
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(acct.mnemonic, { prefix: "nusa" });
    const chainDA = await ChainDA.connect({
      rpcUrl: net.rpcUrls[0]!,
      signer: wallet,
      namespace,
      gasPrice: net.env.GAS_PRICE!,
      broadcastTimeoutMs: 8000,
    });
    const router = new FallbackRouter({
      primary: celestia(primaryUrl, writeToken),
      secondary: chainDA,
      emergency: celestia(emergencyUrl, emergencyToken, "emergency"),
      journalPath: join(work, "journal.sqlite"),
      thresholds: { warnLatencyMs: 1000, degradedAfterMs: 2000, emergencyAfterMs: 120_000 },
      healthIntervalMs: 250,
      probeTimeoutMs: 2000,
      ownsLayers: true,
      logger: silentLogger,
    });
    const transitions: (FallbackActivation & { wallMs: number })[] = [];
    router.on("transition", (a: FallbackActivation) => transitions.push({ ...a, wallMs: Date.now() }));
    const audit = AuditLog.open(join(work, "audit.log"));
    auditFallback(router, audit);
    router.start();

    // One publisher per actor, all through the router (publishers are unchanged).
    const pubs = new Map<string, EventPublisher>();
    const postedOn: Record<string, number> = {};
    const pubFor = async (by: SampleStep["by"]) => {
      const key = String(by);
      let p = pubs.get(key);
      if (!p) {
        const actor = by === "coordinator" ? sample.coordinator : sample.nodes[by]!.actor;
        p = await EventPublisher.open({
          da: router,
          secretKey: actor.secretKey,
          outboxPath: join(work, `outbox-${key}.sqlite`),
          maxDelayMs: 50,
          retryInitialMs: 100,
          retryMaxMs: 300,
          logger: silentLogger,
        });
        p.on("posted", (b: PostedBatch) => {
          postedOn[b.ref.layer] = (postedOn[b.ref.layer] ?? 0) + 1;
        });
        auditPublisher(p, audit);
        pubs.set(key, p);
      }
      return p;
    };
    announceFallback(router, await pubFor("coordinator"));

    // Steady load: one event every 30 ms until the workload runs out or the scenario ends.
    const steps = [...sampleWorkload(sample, { files: 60, chunksPerFile: 2, deleteEvery: 6, healEvery: 5 })];
    let stop = false;
    let published = 0;
    const load = (async () => {
      for (const s of steps) {
        if (stop) break;
        await (await pubFor(s.by)).publish(typeof s.event === "function" ? s.event(0n) : s.event);
        published++;
        await new Promise((r) => setTimeout(r, 30));
      }
    })();
    const postsOn = (layer: string, n: number) =>
      waitFor(async () => (postedOn[layer] ?? 0) >= n, 60_000, `${n} posts on ${layer}`);
    const stateIs = (s: string) => waitFor(async () => router.state === s, 60_000, `router ${s}`);

    await postsOn("celestia", 3);
    const killedAt = Date.now();
    await stopPrimary();
    await stateIs("degraded");
    const failoverMs = transitions.find((t) => t.to === "degraded")!.wallMs - killedAt;
    await postsOn("validator-quorum", 3);
    await stopChain();
    await stateIs("emergency");
    await postsOn("emergency", 3);
    const before = postedOn.celestia!;
    await startPrimary();
    await stateIs("healthy");
    await postsOn("celestia", before + 3);
    stop = true;
    await load;
    for (const p of pubs.values()) await p.flush();
    await startChain(); // to read the secondary's copies back
    const reconciled = router.reconciledTotal;
    await router.close();

    // A busy machine may make a probe of the live primary slower than the warning threshold: healthy ↔ warning
    // flaps on the primary are allowed before the kill and after recovery, and nothing else.
    const seq = transitions.map((t) => `${t.from}>${t.to}@${t.layer}`);
    const flap = (t: string) => t === "healthy>warning@celestia" || t === "warning>healthy@celestia";
    const down = seq.indexOf("warning>degraded@validator-quorum");
    expect(down, seq.join(", ")).toBeGreaterThan(0);
    expect(seq.slice(0, down).every(flap), seq.join(", ")).toBe(true);
    expect(seq[down - 1], seq.join(", ")).toBe("healthy>warning@celestia");
    expect(seq.slice(down, down + 4), seq.join(", ")).toEqual([
      "warning>degraded@validator-quorum",
      "degraded>emergency@emergency",
      "emergency>recovering@celestia",
      "recovering>healthy@celestia",
    ]);
    expect(seq.slice(down + 4).every(flap), seq.join(", ")).toBe(true);
    // Failover: the degraded threshold plus about one health round (and the probe of that round).
    expect(failoverMs).toBeGreaterThanOrEqual(2000);
    console.log(`failover ${failoverMs} ms; reconciled ${reconciled} blob(s); ${published} events; posts`, postedOn);

    // Zero lost, none duplicated: every publisher's sequences 1..n on the primary exactly once.
    const reader = celestia(primaryUrl, writeToken);
    const primary = await readAll(reader);
    const envs = envelopesOf(primary);
    const seen = new Map<string, bigint[]>();
    for (const e of envs) seen.set(e.publisherHex, [...(seen.get(e.publisherHex) ?? []), e.sequence]);
    let total = 0;
    for (const p of pubs.values()) {
      const expected = Array.from({ length: Number(p.sequence - 1n) }, (_, i) => BigInt(i + 1));
      expect(seen.get(p.publisherHex), p.publisherHex).toEqual(expected);
      total += expected.length;
    }
    expect(envs.length).toBe(total);
    expect(total).toBeGreaterThanOrEqual(published);

    // Replayers: primary only vs. fallback layers first (documented merge order) → same digest.
    // The restarted validators take a moment to serve RPC again.
    const chainReader = await waitFor(
      async () => ChainDA.connect({ rpcUrl: net.rpcUrls[0]!, namespace }).catch(() => undefined),
      90_000,
      "the restarted chain's RPC",
    );
    await waitFor(async () => (await chainReader.head().catch(() => 0n)) > 0n, 60_000, "the restarted chain");
    const secondary = await readAll(chainReader);
    const emergencyReader = celestia(emergencyUrl, emergencyToken, "emergency");
    const emergency = await readAll(emergencyReader);
    const fallbackEnvs = envelopesOf([...secondary, ...emergency]);
    expect(fallbackEnvs.length).toBeGreaterThan(0);
    // Heal events (replica removed by the coordinator, re-added by a node) kept flowing during the outage.
    expect(fallbackEnvs.some((e) => e.event.type === "replicaRemoved")).toBe(true);
    expect(fallbackEnvs.some((e) => e.event.type === "replicaAdded")).toBe(true);
    const anchors = fallbackEnvs
      .filter((e) => e.event.type === "fallbackActivated")
      .map((e) => (e.event.value as { primaryHead: bigint }).primaryHead);
    expect(anchors.length).toBeGreaterThan(0);
    const anchor = anchors.reduce((a, b) => (a < b ? a : b));
    const a = digestOf(primary);
    const b = digestOf(mergeFallbackTimeline(primary, [secondary, emergency], anchor));
    expect(b.digest).toBe(a.digest);
    expect(a.applied).toBeGreaterThan(0);
    await Promise.all([reader.close(), chainReader.close(), emergencyReader.close()]);

    // Audit: transitions and DA sequences recorded; mirrored to the primary; `dsdn-node audit verify`.
    const logPath = join(work, "audit.log");
    audit.close();
    const text = readFileSync(logPath, "utf8");
    expect(text.match(/"kind":"fallback_activation"/g)?.length).toBe(5);
    expect(text).toMatch(/"kind":"da_sequence".*"layer":"validator-quorum"/);
    const auditKey = new Uint8Array(32).fill(0x5a);
    const mirrorDA = celestia(primaryUrl, writeToken);
    await new AuditMirror({ logPath, da: mirrorDA, secretKey: auditKey, maxBatchRecords: 50 }).mirrorNow();
    await mirrorDA.close();
    const writer = toHex(ed25519KeyPair(auditKey).publicKey);
    const verify = (path: string) =>
      runCli([
        "audit",
        "verify",
        "--log",
        path,
        "--da",
        primaryUrl,
        "--token-file",
        join(net.dir, "da", "read.token"),
        "--namespace",
        net.env.DA_NAMESPACE!,
        "--writer",
        writer,
        "--from",
        "1",
      ]);
    const ok = await verify(logPath);
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/audit log OK: \d+ record\(s\), hash chain intact, 100% on DA/);

    const flipped = join(work, "flipped.log");
    const bytes = readFileSync(logPath);
    bytes[Math.floor(bytes.length / 2)] ^= 0x01;
    writeFileSync(flipped, bytes);
    const bad = await verify(flipped);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/audit log FAILED: line \d+/);

    const deleted = join(work, "deleted.log");
    const lines = text.split("\n");
    writeFileSync(deleted, [...lines.slice(0, 2), ...lines.slice(3)].join("\n"));
    const del = await verify(deleted);
    expect(del.code).toBe(1);
    expect(del.stdout).toMatch(/FAILED: line 3 \(record 3\): sequence 4/);

    const cut = join(work, "cut.log");
    copyFileSync(logPath, cut);
    writeFileSync(cut, `${lines.slice(0, 4).join("\n")}\n`);
    const trunc = await verify(cut);
    expect(trunc.code).toBe(1);
    expect(trunc.stdout).toMatch(/record 5: on DA but missing locally/);
  });
});

function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok) => {
    const proc = spawn(process.execPath, [join(repo, "bin/dsdn-node.js"), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, DA_AUTH_TOKEN: "", DA_AUTH_TOKEN_FILE: "", DA_FALLBACK_JOURNAL: "" },
    });
    let stdout = "";
    let stderr = "";
    proc.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    proc.on("exit", (code) => ok({ code: code ?? -1, stdout, stderr }));
  });
}
