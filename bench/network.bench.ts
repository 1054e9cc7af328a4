/**
 * @module `npm run bench -- network`: on a real localnet (5 storage nodes in 3 zones, coordinator, ingress):
 * upload throughput with RF 3 beside RF 1, heal time and bytes moved after SIGKILLing a node, and ingress
 * time-to-first-byte p50/p99 for a cached chunk.
 */
import { randomFillSync } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import { request } from "node:http";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { uploadViaCoordinator } from "../clients/agent/networkUpload.js";
import { uploadFile } from "../clients/agent/upload.js";
import { loadUploaderKey } from "../clients/agent/uploaderKey.js";
import { CoordinatorClient, type ObjectStatusAnswer } from "../node-agent/coordinator/client.js";
import { startLocalnet } from "../test/support/localnet.js";
import { writeBenchSection } from "./report.js";

const MiB = 1024 * 1024;
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);

function writeRandomFile(path: string, size: number): void {
  const fd = openSync(path, "w");
  const buf = Buffer.allocUnsafe(16 * MiB);
  for (let left = size; left > 0; ) {
    const n = Math.min(left, buf.length);
    randomFillSync(buf, 0, n);
    writeSync(fd, buf, 0, n);
    left -= n;
  }
  closeSync(fd);
}

/** Bytes a node's store holds (its /health answer): the difference before/after a heal is what it fetched. */
async function storedBytes(endpoint: string): Promise<number> {
  return ((await (await fetch(`${endpoint}/health`)).json()) as { bytes: number }).bytes;
}

function ttfb(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(url, (res) => {
      res.once("data", () => {
        const t = performance.now() - t0;
        res.resume();
        res.on("end", () => resolve(t));
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};

export async function run(args: string[]): Promise<void> {
  const sizeMiB = Number(args.find((a) => a.startsWith("--size-mib="))?.split("=")[1] ?? 1536);
  const chunkSize = 16 * MiB;
  const load0 = loadavg()[0]!;
  const net = await startLocalnet({ validators: 4 });
  try {
    process.env.DSDN_HOME = join(net.dir, "bench-home");
    const coord = new CoordinatorClient(net.env.DSDN_COORDINATOR_URL!);
    const file = join(net.dir, "bench.bin");
    writeRandomFile(file, sizeMiB * MiB);
    const bytes = sizeMiB * MiB;

    // RF 1: each chunk to the first-ranked placed node only (data plane alone, nothing declared).
    const uploaderKey = await loadUploaderKey({ backend: "test" });
    const t1 = performance.now();
    await uploadFile({
      path: file,
      nodes: [],
      chunkSize,
      route: {
        nodesFor: async (cid, size) => {
          const t = (await coord.tickets(cid, size, uploaderKey)).tickets[0]!;
          return [{ url: t.endpoint, ticket: t.ticket }];
        },
        onAcks: () => {},
      },
    });
    const rf1Ms = performance.now() - t1;
    // RF 3 through the coordinator: 3 placed nodes per chunk, then ChunkDeclared + ReplicaAdded on DA.
    // A second file (same size) so nothing is skipped as already stored.
    const file3 = join(net.dir, "bench3.bin");
    writeRandomFile(file3, bytes);
    const t3 = performance.now();
    const up = await uploadViaCoordinator({
      path: file3,
      coordinator: coord.url,
      chunkSize,
      key: uploaderKey,
    });
    const rf3Ms = performance.now() - t3;

    // Heal: kill the zone-a node holding most of the RF-3 file (zone-a has two nodes: full healing is possible).
    const status = await coord.status(up.manifest);
    const held = new Map<string, number>();
    for (const c of status.chunks)
      for (const r of c.replicas) if (r.zone === "zone-a") held.set(r.node, (held.get(r.node) ?? 0) + Number(c.size));
    const nodes = (await coord.nodes()).nodes;
    const [victimId, victimBytes] = [...held.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const endpoints = nodes.filter((n) => n.nodeId !== victimId).map((n) => n.endpoint);
    const before = await Promise.all(endpoints.map(storedBytes));
    // start.sh gives storage node n the port base + 93 + n.
    const victimEndpoint = nodes.find((n) => n.nodeId === victimId)!.endpoint;
    const storageIndex = Number(new URL(victimEndpoint).port) - (net.basePort + 93);
    const tk = performance.now();
    process.kill(net.pid("storage", storageIndex), "SIGKILL");
    const healthy = (s: ObjectStatusAnswer) =>
      s.chunks.every((c) => {
        const h = c.replicas.filter((r) => r.healthy);
        return h.length >= 3 && new Set(h.map((r) => r.zone)).size === 3 && !c.placement.includes(victimId);
      });
    for (;;) {
      const s = await coord.status(up.manifest);
      if (healthy(s)) break;
      if (performance.now() - tk > 240_000) throw new Error("heal did not finish in 4 minutes");
      await new Promise((r) => setTimeout(r, 200));
    }
    const healMs = performance.now() - tk;
    const after = await Promise.all(endpoints.map(storedBytes));
    const moved = after.reduce((n, b, i) => n + b - before[i]!, 0);

    // Ingress TTFB for a cached chunk: warm it once, then 200 sequential requests.
    const chunkCid = status.chunks.find((c) => c.cid !== up.manifest)!.cid;
    const url = `${net.env.INGRESS_URL}/object/${chunkCid}`;
    await ttfb(url);
    const samples: number[] = [];
    for (let i = 0; i < 200; i++) samples.push(await ttfb(url));

    const rows = [
      `Localnet on this machine: 4 validators, local DA (500 ms blocks), 5 storage nodes in 3 zones, coordinator, ingress — all separate processes on one ${cpus().length}-core host sharing one disk. Load average at start ${load0.toFixed(2)}.`,
      "",
      "| measurement | value |",
      "| --- | --- |",
      `| upload ${sizeMiB} MiB, RF 1 (first placed node only, 16 MiB chunks) | ${mbps(bytes, rf1Ms).toFixed(0)} MB/s (${(rf1Ms / 1000).toFixed(1)} s) |`,
      `| upload ${sizeMiB} MiB, RF 3 through the coordinator (3 zones, declared on DA) | ${mbps(bytes, rf3Ms).toFixed(0)} MB/s of file (${mbps(3 * bytes, rf3Ms).toFixed(0)} MB/s written across replicas; ${(rf3Ms / 1000).toFixed(1)} s) |`,
      `| heal after SIGKILL of a node holding ${(victimBytes / MiB).toFixed(0)} MiB of the file | all chunks back to 3 healthy replicas in 3 zones after ${(healMs / 1000).toFixed(1)} s (dead window 3 s, heal rate cap 64 MiB/s per node) |`,
      `| heal bytes moved (stored anew by the surviving nodes) | ${(moved / MiB).toFixed(0)} MiB (${(moved / Math.max(victimBytes, 1)).toFixed(2)}× the lost bytes) |`,
      `| ingress TTFB, cached 16 MiB chunk, 200 requests | p50 ${pct(samples, 50).toFixed(2)} ms, p99 ${pct(samples, 99).toFixed(2)} ms |`,
    ];
    writeBenchSection("network", "Storage network (placement, RF 3, healing, ingress)", rows.join("\n"));
    console.log(rows.join("\n"));
  } finally {
    await net.stop();
  }
}
