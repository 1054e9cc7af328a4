/** @module `npm run bench -- erasure`: Reed–Solomon encode/decode/rebuild MB/s on one core, and EC vs RF 3 storage cost. */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { uploadFile } from "../clients/agent/upload.js";
import { type PlacementNode, placeChunk } from "../node-agent/placement/placement.js";
import { placeStripe } from "../node-agent/placement/stripe.js";
import {
  decodeShards,
  type ErasureParams,
  encodeShards,
  rebuildShards,
  shardObjectSize,
  shardSize,
} from "../node-agent/storage/erasure/codec.js";
import { loadOrCreateIdentity } from "../node-agent/storage/identity.js";
import { LocalFsStorage } from "../node-agent/storage/localfs.js";
import { createChunkServer } from "../node-agent/storage/server.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

const MiB = 1024 * 1024;
const CHUNK = 16 * MiB;
/** Bytes coded per sample; best of `ROUNDS` samples. */
const TOTAL = 512 * MiB;
const ROUNDS = 3;

/**
 * MB of chunk bytes per CPU-second through `f`, one call at a time (one thread-pool thread: one core), best
 * of ROUNDS. CPU time (all threads of this process), not wall time: the shared machine's load then does not
 * count, only the work the codec (and our copies around it) does.
 */
async function rate(f: () => Promise<unknown>): Promise<number> {
  await f(); // warm up
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const u0 = process.cpuUsage();
    for (let done = 0; done < TOTAL; done += CHUNK) await f();
    const u = process.cpuUsage(u0);
    const s = (u.user + u.system) / 1e6;
    best = Math.max(best, TOTAL / 1e6 / s);
  }
  return best;
}

const fmt = (x: number) => x.toFixed(0);

/**
 * Worst case over many chunks placed by the real placement functions on a 20-node, 5-zone network: the fewest
 * nodes (and zones) whose loss makes some chunk unreadable, minus one = what is tolerated.
 */
function durability(): { ec: { nodes: number; zones: number }; rf3: { nodes: number; zones: number } } {
  const nodes: PlacementNode[] = Array.from({ length: 20 }, (_, i) => ({
    nodeId: (i + 1).toString(16).padStart(64, "0"),
    operator: `op${i}`,
    zone: `zone-${i % 5}`,
    capacityBytes: 1n << 40n,
    stakeWeightMicro: 0n,
    status: "active",
    endpoint: "",
  }));
  const zoneOf = new Map(nodes.map((n) => [n.nodeId, n.zone]));
  let ecNodes = Number.POSITIVE_INFINITY;
  let ecZones = Number.POSITIVE_INFINITY;
  let rfNodes = Number.POSITIVE_INFINITY;
  let rfZones = Number.POSITIVE_INFINITY;
  /** Fewest groups (nodes or zones) to remove so that fewer than `need` of the holders remain. */
  const fewest = (holders: string[], group: (n: string) => string, need: number) => {
    const per = new Map<string, number>();
    for (const h of holders) per.set(group(h), (per.get(group(h)) ?? 0) + 1);
    const sizes = [...per.values()].sort((a, b) => b - a);
    let left = holders.length;
    let removed = 0;
    for (const s of sizes) {
      if (left < need) break;
      left -= s;
      removed++;
    }
    return removed;
  };
  for (let c = 0; c < 1000; c++) {
    const shards = Array.from({ length: 14 }, (_, i) => `stripe-${c}-shard-${i}`);
    const holders = placeStripe({ shards, parity: 4, nodes }).nodes.map((n) => n.nodeId);
    ecNodes = Math.min(ecNodes, fewest(holders, (n) => n, 10) - 1);
    ecZones = Math.min(ecZones, fewest(holders, (n) => zoneOf.get(n)!, 10) - 1);
    const rf = placeChunk({ cid: `chunk-${c}`, nodes }).nodes.map((n) => n.nodeId);
    rfNodes = Math.min(rfNodes, fewest(rf, (n) => n, 1) - 1);
    rfZones = Math.min(rfZones, fewest(rf, (n) => zoneOf.get(n)!, 1) - 1);
  }
  return { ec: { nodes: ecNodes, zones: ecZones }, rf3: { nodes: rfNodes, zones: rfZones } };
}

/** Upload MB/s (wall) of one file to local chunk servers: RF 3 (every chunk to 3 nodes) vs 4+2 over 6 nodes. */
async function uploads(): Promise<{ rf3: number; ec: number; size: number }> {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-bench-ec-"));
  const servers: { close(): Promise<void> }[] = [];
  try {
    const urls: string[] = [];
    for (let i = 0; i < 6; i++) {
      const d = join(dir, `n${i}`);
      const server = createChunkServer({
        authority: "open",
        storage: await LocalFsStorage.open(d),
        identity: await loadOrCreateIdentity(d),
        zone: `z${i}`,
      });
      urls.push(await server.app.listen({ port: 0, host: "127.0.0.1" }));
      servers.push({ close: () => server.app.close() });
    }
    const size = 256 * MiB;
    const file = join(dir, "input");
    writeFileSync(file, randomBytes(size));
    const time = async (f: () => Promise<unknown>) => {
      const t0 = process.hrtime.bigint();
      await f();
      return size / 1e6 / (Number(process.hrtime.bigint() - t0) / 1e9);
    };
    const rf3 = await time(() => uploadFile({ path: file, nodes: urls.slice(0, 3) }));
    const ec = await time(() => uploadFile({ path: file, nodes: urls, erasure: { k: 4, m: 2 } }));
    return { rf3, ec, size };
  } finally {
    for (const s of servers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(_args: string[]): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const chunk = randomBytes(CHUNK);
  const codes: ErasureParams[] = [
    { k: 10, m: 4 },
    { k: 4, m: 2 },
  ];
  const rows: string[] = [];
  const rates: { enc: number; dec: number }[] = [];
  for (const p of codes) {
    const shards = await encodeShards(chunk, p);
    // Worst case for decode: the first m data shards lost, so m of the k data shards are rebuilt from parity.
    const survivors = new Map<number, Uint8Array>();
    for (let i = p.m; i < p.k + p.m; i++) survivors.set(i, shards[i]!);
    const check = await decodeShards(survivors, p, CHUNK);
    if (!check.equals(chunk)) throw new Error(`${p.k}+${p.m}: decode does not give the chunk back`);
    const enc = await rate(() => encodeShards(chunk, p));
    const dec = await rate(() => decodeShards(survivors, p, CHUNK));
    const one = await rate(() => rebuildShards(survivors, p, CHUNK, [0]));
    const stored = (p.k + p.m) * shardObjectSize(CHUNK, p.k); // stored objects include the 36-byte trailer
    console.log(`${p.k}+${p.m}: encode ${fmt(enc)} MB/s, decode ${fmt(dec)} MB/s, rebuild one shard ${fmt(one)} MB/s`);
    rates.push({ enc, dec });
    rows.push(
      `| ${p.k}+${p.m} | ${fmt(enc)} | ${fmt(dec)} | ${fmt(one)} | ${(stored / CHUNK).toFixed(3)} | ${shardSize(CHUNK, p.k)} |`,
    );
  }
  const d = durability();
  console.log("durability", d);
  const up = await uploads();
  console.log(`upload ${fmt(up.rf3)} MB/s RF 3, ${fmt(up.ec)} MB/s EC 4+2`);
  const loadAfter = loadavg()[0]!;
  recordHeadlines("erasure", [
    {
      item: "Erasure coding",
      figure: `10+4 encode, one core`,
      value: rates[0]!.enc,
      unit: "MB/s",
      target: { min: 1000, source: "aim in the erasure section" },
    },
    {
      item: "Erasure coding",
      figure: `10+4 decode with 4 data shards lost (reconstruction)`,
      value: rates[0]!.dec,
      unit: "MB/s",
    },
  ]);
  writeBenchSection(
    "erasure",
    "Erasure coding (Reed–Solomon, native @ronomon/reed-solomon)",
    `One chunk of ${CHUNK / MiB} MiB of random bytes coded again and again through \`node-agent/storage/erasure/codec.ts\`
(buffer allocation and copies included), one call at a time (the codec runs in Node's thread pool, so one call uses
one core); best of ${ROUNDS} samples of ${TOTAL / MiB} MiB. MB/s = 10^6 bytes of *chunk* per CPU-second of this
process (CPU time, so other load on the shared machine does not depress the figure). Decode is the worst case: the first m data shards lost and rebuilt from parity. "Rebuild one
shard" is what a repairing node does (k shards in, one out). Machine load (1-min average) ${loadBefore.toFixed(1)} at
start, ${loadAfter.toFixed(1)} at end, on 2 shared cores.

| code | encode MB/s | decode MB/s (m data shards lost) | rebuild one shard MB/s | bytes stored per chunk byte | shard bytes |
| --- | ---: | ---: | ---: | ---: | ---: |
${rows.join("\n")}

Aim: ≥ 1000 MB/s encode on one core.

### EC vs RF 3: cost and durability

Stored bytes per byte uploaded are (k + m)/k plus a 36-byte trailer per shard (per 16 MiB chunk: see the table
above). "Tolerated" is measured, not assumed: 1000 chunks placed by the real placement functions (\`placeStripe\`,
\`placeChunk\`) on a 20-node, 5-zone network, and the fewest nodes (zones) whose loss leaves some chunk unreadable,
minus one.

| scheme | bytes stored per byte | node losses tolerated | zone losses tolerated |
| --- | ---: | ---: | ---: |
| RF 3 | 3.000 | ${d.rf3.nodes} | ${d.rf3.zones} |
| EC 10+4 | ${((14 * shardObjectSize(CHUNK, 10)) / CHUNK).toFixed(3)} | ${d.ec.nodes} | ${d.ec.zones} |

Upload of a ${up.size / MiB} MiB file from this process to local chunk servers on loopback (\`uploadFile\`, default
16 MiB chunks, every chunk fsynced by its node; wall time, so the machine's load above depresses both): RF 3 (every
chunk to 3 nodes) ${fmt(up.rf3)} MB/s of file; EC 4+2 over 6 nodes (each shard to one node: 1.5× the bytes written
instead of 3×) ${fmt(up.ec)} MB/s of file.

Repair traffic: a lost shard is rebuilt from k others, so about k bytes move per byte lost (RF 3: 1 byte, a copy).
Measured in \`node-agent/coordinator/coordinator.test.ts\` (4+2, 2 of 7 nodes killed): the printed line
"EC 4+2 repair: … × the lost bytes" (2.67× in the run recorded in the report: less than k = 4 when a rebuilding node
already holds a sibling shard, and the last chunk's shards are smaller).`,
  );
}
