/**
 * @module `npm run bench -- da`: DA event replay throughput for 1,000,000 events in sealed batches (one ed25519
 * signature per blob; Merkle root, decode, sequencing and apply per event), and restart time from a checkpoint
 * versus a full replay. Options: --events=N (default 1,000,000), --events-per-blob=N (default 2000).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { openBlob } from "../node-agent/da/events/openedEvents.js";
import {
  type SampleBlob,
  sampleBlobs,
  sampleHeight,
  sampleNetwork,
  sampleWorkload,
} from "../node-agent/da/events/sampleWorkload.js";
import { CheckpointStore } from "../node-agent/da/replay/checkpointStore.js";
import { replayConfig } from "../node-agent/da/replay/config.js";
import { ReplayMachine } from "../node-agent/da/replay/machine.js";
import { blobCachePath, cachedBlobs } from "./daBlobCache.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** `--name=N` (bench/run.ts treats bare words as benchmark names, so values go after "="). */
function arg(args: string[], name: string, fallback: number): number {
  const given = args.find((a) => a.startsWith(`--${name}=`));
  const v = given ? Number(given.slice(name.length + 3)) : fallback;
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} must be a positive integer`);
  return v;
}

function* take<T>(it: Iterable<T>, n: number): Generator<T> {
  if (n <= 0) return;
  let i = 0;
  for (const x of it) {
    yield x;
    if (++i >= n) return;
  }
}

export async function run(args: string[]): Promise<void> {
  const total = arg(args, "events", 1_000_000);
  const loadBefore = loadavg()[0]!;
  const perBlob = arg(args, "events-per-blob", 2000);
  const net = sampleNetwork(60, 6, "bench");
  const config = replayConfig({ coordinators: [net.coordinator.publicKey] });

  // 1. A realistic signed log: 60 nodes in 6 zones register and are activated; 16-chunk files are declared
  //    with 3-way placement and 3 ReplicaAdded (150-byte acks) per chunk; every 50th chunk is healed and
  //    every 20th file deleted. Each blob is one publisher's sealed batch (one signature over its Merkle root).
  //    Cached on disk by parameters (`.bench/da-blobs/`, git-ignored), so a rerun measures replay only.
  let t = performance.now();
  const shape = { files: Number.MAX_SAFE_INTEGER, chunksPerFile: 16, healEvery: 50, deleteEvery: 20 };
  const cachePath = blobCachePath(repo, {
    events: total,
    perBlob,
    nodes: 60,
    zones: 6,
    label: "bench",
    ...shape,
  });
  const { blobs, cached } = cachedBlobs(cachePath, () =>
    sampleBlobs(net, take(sampleWorkload(net, shape), total), perBlob),
  );
  const genMs = performance.now() - t;
  const events = blobs.reduce((a, b) => a + b.events, 0);
  const bytes = blobs.reduce((a, b) => a + b.data.length, 0);
  console.log(
    `${cached ? "loaded cached" : "generated and signed"} ${fmt(events)} events in ${blobs.length} blobs (${fmt(bytes / 1e6)} MB) in ${secs(genMs)}`,
  );

  // 2. Cost of opening blobs alone (seal verify + Merkle root + decode), on a sample.
  const sample: SampleBlob[] = [];
  let sampleEvents = 0;
  for (const b of blobs) {
    sample.push(b);
    sampleEvents += b.events;
    if (sampleEvents >= 50_000) break;
  }
  const cpuMs = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1000;
  let cpu = process.cpuUsage();
  for (const b of sample) openBlob(b.data);
  const openUs = (cpuMs(process.cpuUsage(cpu)) * 1000) / sampleEvents;

  // 3. Full replay from the first height, writing one checkpoint at 90 % of the heights.
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bench-da-"));
  try {
    const store = new CheckpointStore(dir, { keep: 1 });
    const cutAt = BigInt(Math.floor(blobs.length * 0.9));
    // In a function of its own, so the fully replayed state is garbage by the time the restart is measured: a
    // restarting node holds one state, and a second 1M-event heap alive would bill its GC marking to the restart.
    const replayed = fullReplay();
    function fullReplay() {
      const full = new ReplayMachine(config);
      let applyMs = 0;
      let applyCpuMs = 0;
      let checkpointWriteMs = 0;
      let checkpointWriteCpuMs = 0;
      let foldMs = 0;
      let foldEntries = 0;
      let checkpointPath = "";
      for (const b of blobs) {
        const s = performance.now();
        const c0 = process.cpuUsage();
        full.applyHeight(sampleHeight(b));
        applyCpuMs += cpuMs(process.cpuUsage(c0));
        applyMs += performance.now() - s;
        if (b.height === cutAt) {
          // The digest first (it folds every entry changed since the previous digest — here all of them, once), so
          // the write figure is the checkpoint's own cost: streaming the maps to disk.
          let c = performance.now();
          foldEntries = full.state.pendingDigestEntries();
          full.digest();
          foldMs = performance.now() - c;
          c = performance.now();
          const c1 = process.cpuUsage();
          checkpointPath = store.write(full);
          checkpointWriteCpuMs = cpuMs(process.cpuUsage(c1));
          checkpointWriteMs = performance.now() - c;
        }
      }
      const endEntries = full.state.pendingDigestEntries();
      t = performance.now();
      const digest = full.digestHex();
      const digestMs = performance.now() - t;
      const stats = full.stats();
      if (stats.applied + stats.superseded !== events || stats.pending !== 0)
        throw new Error(`replay lost events: ${JSON.stringify(stats)}`);
      const counts = full.state.counts();
      console.log(
        `full replay: ${fmt(events / (applyMs / 1000))} events/s wall (${secs(applyMs)}), ${fmt(events / (applyCpuMs / 1000))} per CPU-second, digest ${digest.slice(0, 16)}… in ${secs(digestMs)}`,
      );
      t = performance.now();
      const scratch = Buffer.from(full.state.digestFromScratch()).toString("hex");
      const scratchMs = performance.now() - t;
      if (scratch !== digest) throw new Error("incremental digest differs from the from-scratch digest");
      return {
        applyMs,
        applyCpuMs,
        checkpointWriteMs,
        checkpointWriteCpuMs,
        foldMs,
        foldEntries,
        checkpointPath,
        digest,
        digestMs,
        endEntries,
        counts,
        scratchMs,
      };
    }

    // 4. Restart: load the newest checkpoint (checksum, decode, rebuild indexes, digest check) + replay the tail.
    // The released full replay is collected first, as a restarted process starts without it (gc() exposed at run time:
    // the bench runs without node flags).
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
    t = performance.now();
    cpu = process.cpuUsage();
    const load = store.loadLatest(config);
    const loadMs = performance.now() - t;
    const loadCpuMs = cpuMs(process.cpuUsage(cpu));
    if (!load.loaded) throw new Error(`checkpoint not loadable: ${JSON.stringify(load.skipped)}`);
    const resumed = load.loaded.machine;
    t = performance.now();
    for (const b of blobs) if (b.height > resumed.height) resumed.applyHeight(sampleHeight(b));
    const tailMs = performance.now() - t;
    const tailEvents = blobs.filter((b) => b.height > cutAt).reduce((a, b) => a + b.events, 0);
    const tailEntries = resumed.state.pendingDigestEntries();
    t = performance.now();
    const resumedDigest = resumed.digestHex();
    const tailDigestMs = performance.now() - t;
    const restartCpuMs = cpuMs(process.cpuUsage(cpu));
    if (resumedDigest !== replayed.digest) throw new Error("replay from checkpoint diverged from the full replay");
    const cpBytes = statSync(replayed.checkpointPath).size;
    console.log(
      `restart from checkpoint: load ${secs(loadMs)} + tail ${secs(tailMs)} vs full ${secs(replayed.applyMs)}`,
    );

    const md = `
Replay of **${fmt(events)} events** in ${fmt(blobs.length)} blobs of up to ${fmt(perBlob)} events (${fmt(bytes / 1e6)} MB of blob data),
from a synthetic but realistic log: 60 nodes in 6 zones register themselves and are activated by the coordinator; files of
16 chunks are declared with 3-way placement, each followed by 3 \`ReplicaAdded\` with a 150-byte ack; every 50th chunk is healed
(coordinator \`ReplicaRemoved\`, then the new holder's ack relayed as a coordinator \`ReplicaAdded\` in its next blob), every 20th file deleted by its owner (secp256k1-signed request).
Each blob is a sealed batch (format 2): its publisher signs the RFC 6962 Merkle root of the blob's envelopes once
(${cached ? `generated earlier and loaded from the bench's blob cache in ${secs(genMs)}` : `generated beforehand, ${secs(genMs)}`}, not part of the figures below).

**Measured** — what one replayer does, on one core: per blob, split it, hash its envelopes into the Merkle root and verify the
one ed25519 seal (OpenSSL through \`node:crypto\`); per event, decode the envelope (no canonical re-encoding: the publisher
signed these exact bytes), order it by publisher sequence, check authorization and fields (the uploader's secp256k1 declaration
signature once per file, each chunk's declaration path), and apply it to the maps. Events/s are given per wall-clock second and
per CPU-second of the replaying process (\`process.cpuUsage\`), the figure a loaded machine does not distort.

| figure | value |
| --- | --- |
| full replay, events/s | **${fmt(events / (replayed.applyCpuMs / 1000))} per CPU-second**; ${fmt(events / (replayed.applyMs / 1000))} per wall-clock second (${secs(replayed.applyMs)} for ${fmt(events)} events) |
| of which opening blobs (seal + Merkle root + decode) | ${openUs.toFixed(1)} CPU-µs/event, measured on ${fmt(sampleEvents)} events |
| state digest at the end of the full replay (folds the ${fmt(replayed.endEntries)} entries changed since the checkpoint's) | ${secs(replayed.digestMs)} |
| state digest after the restart's tail replay (only the ${fmt(tailEntries)} entries the tail changed) | ${secs(tailDigestMs)} |
| the digest folded before the checkpoint (${fmt(replayed.foldEntries)} entries changed since the start, each once) | ${secs(replayed.foldMs)} |
| the same digest recomputed from every entry (audit; what each digest cost before) | ${secs(replayed.scratchMs)} |
| resulting state | ${fmt(replayed.counts.nodes)} nodes, ${fmt(replayed.counts.zones)} zones, ${fmt(replayed.counts.chunks)} live chunks, ${fmt(replayed.counts.replicas)} replicas |
| checkpoint at height ${cutAt} (90 %), format 3 (compact, streamed) | ${fmt(cpBytes / 1e6)} MB, written atomically in ${secs(replayed.checkpointWriteMs)} (${secs(replayed.checkpointWriteCpuMs)} CPU) |
| **restart from that checkpoint** | **${secs(loadMs + tailMs + tailDigestMs)}** wall (${secs(restartCpuMs)} CPU) = load + verify ${secs(loadMs)} (${secs(loadCpuMs)} CPU) + replay of the last ${fmt(tailEvents)} events ${secs(tailMs)} + digest ${secs(tailDigestMs)} |
| restart by full replay | ${secs(replayed.applyMs)} |

Load average (1 min) at start ${loadBefore.toFixed(1)}, at end ${loadavg()[0]!.toFixed(1)} on this 2-core machine: other work running at
the same time slows every wall-clock figure.

Both paths end at the same digest \`${replayed.digest}\` (checked by the benchmark).
`;
    writeBenchSection("da", "DA event log: replay throughput and checkpoint restart", md, repo);
    const item = "State reconstruction from DA";
    recordHeadlines(
      "da",
      [
        {
          item,
          figure: `replay, events per CPU-second (${fmt(events)} events, one core)`,
          value: Math.round(events / (replayed.applyCpuMs / 1000)),
          unit: "events/s",
          target: { min: 100_000, source: "issue 21: ≥ 100,000 events/s on one core" },
        },
        {
          item,
          figure: `restart from the 90 % checkpoint, wall clock (${fmt(events)} events)`,
          value: Math.round((loadMs + tailMs + tailDigestMs) / 10) / 100,
          unit: "s",
          // The target is set at 1M events; a smaller run's restart is not judged against it.
          ...(events >= 1_000_000 ? { target: { max: 10, source: "issue 21: < 10 s at 1M events" } } : {}),
        },
        { item, figure: "the same restart, CPU time", value: Math.round(restartCpuMs / 10) / 100, unit: "s" },
        { item, figure: "checkpoint size at 90 %", value: Math.round(cpBytes / 1e5) / 10, unit: "MB" },
        {
          item,
          figure: "checkpoint load + verify at 90 %, CPU time",
          value: Math.round(loadCpuMs / 10) / 100,
          unit: "s",
        },
        {
          item,
          figure: "checkpoint write at 90 %, wall clock",
          value: Math.round(replayed.checkpointWriteMs / 10) / 100,
          unit: "s",
        },
      ],
      repo,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
