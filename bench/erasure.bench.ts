/** @module `npm run bench -- erasure`: Reed–Solomon encode/decode/rebuild MB/s on one core, and EC vs RF 3 storage cost. */
import { randomBytes } from "node:crypto";
import { loadavg } from "node:os";
import {
  decodeShards,
  type ErasureParams,
  encodeShards,
  rebuildShards,
  shardSize,
} from "../node-agent/storage/erasure/codec.js";
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

export async function run(_args: string[]): Promise<void> {
  const loadBefore = loadavg()[0]!;
  const chunk = randomBytes(CHUNK);
  const codes: ErasureParams[] = [
    { k: 10, m: 4 },
    { k: 4, m: 2 },
  ];
  const rows: string[] = [];
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
    const stored = shards.reduce((n, s) => n + s.length, 0);
    console.log(`${p.k}+${p.m}: encode ${fmt(enc)} MB/s, decode ${fmt(dec)} MB/s, rebuild one shard ${fmt(one)} MB/s`);
    rows.push(
      `| ${p.k}+${p.m} | ${fmt(enc)} | ${fmt(dec)} | ${fmt(one)} | ${(stored / CHUNK).toFixed(3)} | ${shardSize(CHUNK, p.k)} |`,
    );
  }
  const loadAfter = loadavg()[0]!;
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

Aim: ≥ 1000 MB/s encode on one core.`,
  );
}
