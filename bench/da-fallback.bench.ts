/**
 * @module `npm run bench -- da-fallback`: failover time of the DA fallback router (primary killed → writes on the
 * fallback layer) and reconciliation throughput (journaled blobs reposted to the primary in order), over two real
 * local DA servers (HTTP JSON-RPC, SQLite). Options: --blobs=N (default 300), --blob-kib=N (default 16),
 * --block-ms=N (default 100).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CelestiaDA } from "../node-agent/da/celestia/celestiaDA.js";
import { namespaceFromName } from "../node-agent/da/commitment/namespace.js";
import { silentLogger } from "../node-agent/da/events/logger.js";
import { FallbackRouter } from "../node-agent/da/fallback/router.js";
import { LocalDAServer } from "../node-agent/da/localserver/server.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

function arg(args: string[], name: string, fallback: number): number {
  const given = args.find((a) => a.startsWith(`--${name}=`));
  const v = given ? Number(given.slice(name.length + 3)) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

async function until(cond: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function run(args: string[]): Promise<void> {
  const blobs = arg(args, "blobs", 300);
  const blobKiB = arg(args, "blob-kib", 16);
  const blockMs = arg(args, "block-ms", 100);
  const degradedAfterMs = 2000;
  const intervalMs = 250;
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bench-fallback-"));
  const ns = namespaceFromName("dsdn-bench-fb");
  const load0 = loadavg()[0]!;
  let primary = await LocalDAServer.start({ dataDir: join(dir, "primary"), port: 0, blockTimeMs: blockMs });
  const port = primary.port;
  const emergency = await LocalDAServer.start({ dataDir: join(dir, "emergency"), port: 0, blockTimeMs: blockMs });
  const client = (url: string, token: string, layer?: "emergency") =>
    new CelestiaDA({
      url,
      authToken: token,
      namespace: ns,
      retryCount: 0,
      timeoutMs: 5000,
      ...(layer ? { layer } : {}),
    });
  const router = new FallbackRouter({
    primary: client(primary.url, primary.tokens.write),
    emergency: client(emergency.url, emergency.tokens.write, "emergency"),
    journalPath: join(dir, "journal.sqlite"),
    thresholds: { warnLatencyMs: 1000, degradedAfterMs, emergencyAfterMs: 600_000 },
    healthIntervalMs: intervalMs,
    probeTimeoutMs: 1000,
    ownsLayers: true,
    logger: silentLogger,
  });
  try {
    router.start();
    await until(() => router.state === "healthy", 5000);
    // 1. Failover: kill the primary, time until writes go elsewhere (Degraded; no secondary here, so they
    //    go to the emergency layer, as the router does when the secondary is absent).
    const t0 = performance.now();
    await primary.stop();
    await until(() => router.state === "degraded", 60_000);
    const failoverMs = performance.now() - t0;
    // 2. Journal `blobs` blobs on the fallback layer while the primary is down.
    const payload = new Uint8Array(blobKiB * 1024);
    const tJournal = performance.now();
    for (let i = 0; i < blobs; i++) {
      payload[0] = i & 0xff;
      payload[1] = i >> 8;
      await router.postBlob(payload.slice());
    }
    const journalMs = performance.now() - tJournal;
    // 3. Restart the primary (same data dir and port, same token): time the reconciliation.
    primary = await LocalDAServer.start({ dataDir: join(dir, "primary"), port, blockTimeMs: blockMs });
    const tRec = performance.now();
    await until(() => router.state === "healthy" && router.pendingReconcile === 0, 600_000);
    const recMs = performance.now() - tRec;
    const mb = (blobs * blobKiB * 1024) / 1e6;
    const body = `Two local DA servers (\`LocalDAServer\`, HTTP JSON-RPC + SQLite, one block every ${blockMs} ms) on loopback: the
primary and the emergency layer, driven by \`FallbackRouter\` (degradedAfterMs ${degradedAfterMs}, health interval ${intervalMs} ms,
probe timeout 1000 ms). The chain's validator-quorum layer is exercised in \`test/da-fallback/fallback.test.ts\` (it prints
its own failover time); here the fallback target is the emergency server so the figures are not the chain's block time.
Load average at start ${load0.toFixed(1)}, at end ${loadavg()[0]!.toFixed(1)} (2 cores shared).

| measure | value |
| --- | ---: |
| failover: primary killed → writes on the fallback layer (aim: threshold + one interval = ${degradedAfterMs + intervalMs} ms) | ${Math.round(failoverMs)} ms |
| fallback writes: ${blobs} × ${blobKiB} KiB, each waits for inclusion | ${(blobs / (journalMs / 1000)).toFixed(1)} blobs/s |
| reconciliation: primary back → all ${blobs} blobs reposted in order, journal empty | ${(recMs / 1000).toFixed(2)} s |
| reconciliation throughput | ${(blobs / (recMs / 1000)).toFixed(1)} blobs/s, ${(mb / (recMs / 1000)).toFixed(2)} MB/s |

Reconciliation submits up to 16 journaled blobs (≤ 1.5 MiB) per \`blob.Submit\` (one height, original order), one
submission in flight, so a backlog drains faster than one blob per primary block (at most 16 blobs per ~6 s Celestia block,
≈ 2.7 blobs/s per router; compare the fallback write rate above with the reconciliation rate), and the EventPublisher packs up to 2000 events / 512 KiB per blob.`;
    console.log(body);
    writeBenchSection("da-fallback", "DA fallback router: failover time and reconciliation throughput", body, repo);
    recordHeadlines(
      "da-fallback",
      [
        {
          item: "DA fallback",
          figure: `failover, primary killed → writes on the fallback layer (threshold ${degradedAfterMs} ms)`,
          value: failoverMs / 1000,
          unit: "s",
          target: { max: 300, source: "Tahap 27: < 5 min" },
        },
        {
          item: "DA fallback",
          figure: `recovery: ${blobs} journaled blobs reposted to the primary`,
          value: recMs / 1000,
          unit: "s",
        },
      ],
      repo,
    );
  } finally {
    await router.close();
    await primary.stop().catch(() => undefined);
    await emergency.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
