/** @module `npm run bench -- store`: commit cost of 4,000-key blocks into 10k/100k/1M-key states, proof cost, DB size. */
import * as nodeCrypto from "node:crypto";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";
import { ChainStore, verifyProof } from "../chain-app/store/index.js";
import { writeBenchSection } from "./report.js";

const BLOCK_KEYS = 4000;
const BUILD_BATCH = 100_000;
const MEASURED_BLOCKS = 8;
const RETAIN = 5;
const PROOFS = 1000;

/** Deterministic bench data (xorshift32); no Math.random so runs are comparable. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const enc = new TextEncoder();
const keyOf = (i: number): Uint8Array => enc.encode(`bank/balances/nusa1${i.toString(36).padStart(10, "0")}`);
function randomValue(next: () => number): Uint8Array {
  const v = new Uint8Array(40);
  for (let i = 0; i < v.length; i += 4) new DataView(v.buffer).setUint32(i, next());
  return v;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >>> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function fileSize(p: string): number {
  let n = 0;
  for (const f of [p, `${p}-wal`]) {
    try {
      n += statSync(f).size;
    } catch {}
  }
  return n;
}

function hashBench(): string {
  const input = new Uint8Array(65).map((_, i) => i);
  const n = 300_000;
  // CPU time, not wall time: the figure should not depend on what else the machine runs.
  const time = (f: () => void): number => {
    f(); // warm up
    const u0 = process.cpuUsage();
    for (let i = 0; i < n; i++) f();
    const u = process.cpuUsage(u0);
    return (u.user + u.system) / n;
  };
  const oneShot =
    typeof nodeCrypto.hash === "function" ? time(() => nodeCrypto.hash("sha256", input, "buffer")) : Number.NaN;
  const streaming = time(() => nodeCrypto.createHash("sha256").update(input).digest());
  const noble = time(() => nobleSha256(input));
  return `SHA-256 of a 65-byte node input (CPU µs per hash): node:crypto \`hash()\` one-shot ${oneShot.toFixed(2)}, node:crypto \`createHash\` ${streaming.toFixed(2)}, @noble/hashes ${noble.toFixed(2)}. The tree uses the one-shot node:crypto hash; verifyProof uses noble so light clients can bundle it.`;
}

interface Row {
  size: number;
  buildS: number;
  prepareMs: number;
  commitMs: number;
  prepareCpuMs: number;
  commitCpuMs: number;
  loads: number;
  proofUs: number;
  verifyUs: number;
  proofBytes: number;
  readUs: number;
  dbMiB: number;
}

function benchSize(size: number, dir: string): Row {
  const path = join(dir, `state-${size}.db`);
  const store = ChainStore.open(path, { retainHeights: RETAIN });
  const next = rng(size);
  let height = 0n;
  const t0 = performance.now();
  for (let start = 0; start < size; start += BUILD_BATCH) {
    const br = store.branch();
    for (let i = start; i < Math.min(size, start + BUILD_BATCH); i++) br.set(keyOf(i), randomValue(next));
    height++;
    store.prepareCommit(height, br);
    store.commit();
  }
  const buildS = (performance.now() - t0) / 1000;
  let live = size;
  const prepare: number[] = [];
  const commit: number[] = [];
  const prepareCpu: number[] = [];
  const commitCpu: number[] = [];
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const loads: number[] = [];
  // A few untimed blocks first so pruning of the build blocks is behind us, then the measured ones.
  for (let b = 0; b < MEASURED_BLOCKS + 3; b++) {
    const br = store.branch();
    // 3,000 updates of existing keys, 800 new keys, 200 deletions (the tx mix of transfers and claims).
    for (let i = 0; i < 3000; i++) br.set(keyOf(next() % live), randomValue(next));
    for (let i = 0; i < 800; i++) br.set(keyOf(live++), randomValue(next));
    for (let i = 0; i < 200; i++) br.delete(keyOf(next() % live));
    height++;
    store.takePageLoads();
    const ca = cpu();
    const a = performance.now();
    store.prepareCommit(height, br);
    const m = performance.now();
    const cm = cpu();
    store.commit();
    const c = performance.now();
    const cc = cpu();
    if (b >= 3) {
      prepare.push(m - a);
      commit.push(c - m);
      prepareCpu.push(cm - ca);
      commitCpu.push(cc - cm);
      loads.push(store.takePageLoads());
    }
  }
  // Proofs and reads of random keys at the latest height.
  const keys = Array.from({ length: PROOFS }, () => keyOf(next() % live));
  let t = performance.now();
  const proofs = keys.map((k) => store.prove(height, k));
  const proofUs = ((performance.now() - t) * 1000) / PROOFS;
  const root = store.lastAppHash;
  t = performance.now();
  for (let i = 0; i < PROOFS; i++) {
    const p = proofs[i] as { value: Uint8Array | undefined; proof: Uint8Array };
    if (!verifyProof(root, keys[i] as Uint8Array, p.value, p.proof)) throw new Error("bench proof failed to verify");
  }
  const verifyUs = ((performance.now() - t) * 1000) / PROOFS;
  const proofBytes = proofs.reduce((s, p) => s + p.proof.length, 0) / PROOFS;
  const reader = store.committed();
  t = performance.now();
  for (const k of keys) reader.get(k);
  const readUs = ((performance.now() - t) * 1000) / PROOFS;
  store.close();
  return {
    size,
    buildS,
    prepareMs: median(prepare),
    commitMs: median(commit),
    prepareCpuMs: median(prepareCpu),
    commitCpuMs: median(commitCpu),
    loads: median(loads),
    proofUs,
    verifyUs,
    proofBytes,
    readUs,
    dbMiB: fileSize(path) / 2 ** 20,
  };
}

export async function run(args: string[]): Promise<void> {
  const sizes = args.includes("--quick") ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const dir = mkdtempSync(join(tmpdir(), "bench-store-"));
  const rows: Row[] = [];
  try {
    const hashLine = hashBench();
    console.log(hashLine);
    for (const size of sizes) {
      const r = benchSize(size, dir);
      console.log(JSON.stringify(r));
      rows.push(r);
    }
    const f = (x: number, d = 1) => x.toFixed(d);
    const table = [
      "| state keys | build (s, 100k-key blocks) | prepareCommit wall / CPU (ms) | commit wall / CPU (ms) | total per block wall / CPU (ms) | per changed key wall / CPU (µs) | tree pages read from SQLite per block | prove (µs) | proof size (B) | verifyProof (µs) | latest get (µs) | DB + WAL (MiB) |",
      "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
      ...rows.map(
        (r) =>
          `| ${r.size.toLocaleString("en")} | ${f(r.buildS)} | ${f(r.prepareMs, 0)} / ${f(r.prepareCpuMs, 0)} | ${f(r.commitMs, 0)} / ${f(r.commitCpuMs, 0)} | ${f(r.prepareMs + r.commitMs, 0)} / ${f(r.prepareCpuMs + r.commitCpuMs, 0)} | ${f(((r.prepareMs + r.commitMs) * 1000) / BLOCK_KEYS, 0)} / ${f(((r.prepareCpuMs + r.commitCpuMs) * 1000) / BLOCK_KEYS, 0)} | ${Math.round(r.loads)} | ${f(r.proofUs)} | ${Math.round(r.proofBytes)} | ${f(r.verifyUs)} | ${f(r.readUs)} | ${f(r.dbMiB)} |`,
      ),
    ].join("\n");
    const md = `Blocks of ${BLOCK_KEYS.toLocaleString("en")} changed keys (3,000 updates, 800 inserts, 200 deletes; ~45-byte keys, 40-byte values) committed into a state of the given size; median of ${MEASURED_BLOCKS} blocks after 3 warm-up blocks. \`retainHeights: ${RETAIN}\`, so every measured commit also prunes the nodes and history of the height leaving the window. Default page cache (200,000 four-level pages, held as bytes), SQLite WAL with \`synchronous=FULL\` (one fsync per block) and checkpoints every ~40 MiB of WAL. CPU = process.cpuUsage (user + system, includes GC threads); wall and CPU both shown because the machine is shared (load average ${loadavg()[0]?.toFixed(1)} at the end of the run) and wall time there includes waiting for a core. prepareCommit = reading old values, hashing keys/values and the incremental tree update; commit = the single SQLite transaction (values, history, tree nodes, retired-node list, root, pruning). Proofs: ${PROOFS} random existing keys at the latest height.

${table}

${hashLine}`;
    writeBenchSection("store", "Chain store (SQLite + sparse Merkle tree)", md);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
