/**
 * @module `npm run bench -- da-cost`: bytes posted to DA per uploaded GiB and the Celestia PayForBlobs fee for
 * 1 GiB / 1 TiB / 1 PiB of uploads (1 vs 100 events per blob), plus measured local DA post/get latency.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import protobuf from "protobufjs";
import { cidForBytes } from "../common/cid.js";
import { pubKeyToAddress, secp256k1KeyPair } from "../common/secp256k1.js";
import { CelestiaDA } from "../node-agent/da/celestia/celestiaDA.js";
import { createCommitment } from "../node-agent/da/commitment/commitment.js";
import { namespaceFromName } from "../node-agent/da/commitment/namespace.js";
import { SHARE_SIZE, sparseSharesNeeded } from "../node-agent/da/commitment/shares.js";
import { LocalDAServer } from "../node-agent/da/localserver/server.js";
import { recordHeadlines } from "./headlines.js";
import { writeBenchSection } from "./report.js";

/** PayForBlobs gas (celestia-app x/blob): fixed per tx + per blob + 8 gas per byte of shares. Not refunded. */
export const PFB_FIXED_GAS = 75_000n;
export const PFB_GAS_PER_BLOB = 700n;
export const GAS_PER_BLOB_BYTE = 8n;
/** Node default minimum gas price on an uncongested mainnet, in utia per gas, as a fraction 4/1000. */
const PRICE_NUM = 4n;
const PRICE_DEN = 1000n;
const UTIA_PER_TIA = 1_000_000n;

const CHUNK = 16n * 1024n * 1024n;
const REPLICAS = 3;
const GiB = 1024n ** 3n;
const TiB = 1024n ** 4n;
const PiB = 1024n ** 5n;

/** Gas of one PayForBlobs tx carrying one blob of `blobBytes`. */
export function pfbGas(blobBytes: number): bigint {
  return (
    PFB_FIXED_GAS + PFB_GAS_PER_BLOB + BigInt(sparseSharesNeeded(blobBytes)) * BigInt(SHARE_SIZE) * GAS_PER_BLOB_BYTE
  );
}

// The dsdn.da.v1 fields the sizes depend on (field numbers as in proto/dsdn/da/v1/events.proto), encoded
// with protobufjs so varints, tags and lengths are exact rather than guessed.
const SCHEMA = `
syntax = "proto3";
package bench;
message UploadDeclaration { string manifest_cid = 1; bytes chunks_root = 2; uint64 chunk_count = 3; uint64 total_size = 4;
  uint64 signed_at_height = 5; uint64 expires_at_height = 6; string uploader = 7; bytes uploader_public_key = 8; bytes signature = 9; }
message ChunkDeclared { string cid = 1; uint64 size = 2; string manifest_cid = 3; repeated bytes placement = 5; uint32 replication_factor = 6;
  UploadDeclaration declaration = 7; uint32 index = 8; repeated bytes proof = 9; }
message ReplicaAdded { string cid = 1; bytes node_id = 2; bytes ack = 3; }
message StorageAck { string cid = 1; uint64 size = 2; bytes node_pubkey = 3; string zone = 4; uint64 received_at_ms = 5; }
message SignedStorageAck { bytes ack = 1; bytes signature = 2; }
message EventEnvelope { uint32 version = 1; bytes publisher = 2; uint64 sequence = 3; uint64 observed_height = 4;
  oneof event { ChunkDeclared chunk_declared = 12; ReplicaAdded replica_added = 13; } bytes signature = 63; }
message EventBatch { repeated EventEnvelope envelopes = 1; }
`;

interface EventSizes {
  readonly chunkDeclared: number;
  readonly replicaAdded: number;
  /** Encoded EventBatch of the 4 events one chunk produces, per batch size. */
  readonly batchBytes: (events: number) => number;
}

/**
 * Realistic values: CIDv1 strings of real bytes, a real bech32 `nusa1…` uploader, 32-byte ed25519 ids,
 * 64-byte signatures, a signed StorageAck inside each ReplicaAdded, sequence ≈ 10^9 and DA height ≈ 10^7
 * (so the varints have their long-run width).
 */
function measureEventSizes(): EventSizes {
  const root = protobuf.parse(SCHEMA).root;
  const T = (n: string) => root.lookupType(`bench.${n}`);
  const id = () => randomBytes(32);
  const uploader = pubKeyToAddress(secp256k1KeyPair(randomBytes(32)).publicKey);
  const envelope = (event: Record<string, unknown>, seq: number) => ({
    version: 1,
    publisher: id(),
    sequence: 1_000_000_000 + seq,
    observedHeight: 12_345_678,
    ...event,
    signature: randomBytes(64),
  });
  const chunkEvents = (k: number) => {
    const cid = cidForBytes(randomBytes(64));
    const placement = [id(), id(), id()];
    const declared = envelope(
      {
        chunkDeclared: {
          cid,
          size: Number(CHUNK),
          manifestCid: cidForBytes(randomBytes(64)),
          placement,
          replicationFactor: REPLICAS,
          // The uploader's signed declaration (shared by every chunk of the file) and the chunk's audit path
          // in a 1024-object list.
          declaration: {
            manifestCid: cidForBytes(randomBytes(64)),
            chunksRoot: id(),
            chunkCount: 1024,
            totalSize: 1024 * Number(CHUNK),
            signedAtHeight: 12_345_600,
            expiresAtHeight: 12_346_600,
            uploader,
            uploaderPublicKey: randomBytes(33),
            signature: randomBytes(64),
          },
          index: 517,
          proof: Array.from({ length: 10 }, id),
        },
      },
      k * 4,
    );
    const replicas = placement.map((node, r) => {
      const ack = T("StorageAck")
        .encode({ cid, size: Number(CHUNK), nodePubkey: node, zone: `zone-${r}`, receivedAtMs: 1_790_000_000_000 })
        .finish();
      const signed = T("SignedStorageAck")
        .encode({ ack, signature: randomBytes(64) })
        .finish();
      return envelope({ replicaAdded: { cid, nodeId: node, ack: signed } }, k * 4 + 1 + r);
    });
    return [declared, ...replicas];
  };
  const one = chunkEvents(0);
  const Env = T("EventEnvelope");
  const Batch = T("EventBatch");
  const sample = Array.from({ length: 25 }, (_, k) => chunkEvents(k)).flat();
  return {
    chunkDeclared: Env.encode(one[0]!).finish().length,
    replicaAdded: Env.encode(one[1]!).finish().length,
    batchBytes: (n) => Batch.encode({ envelopes: sample.slice(0, n) }).finish().length,
  };
}

interface CostRow {
  readonly volume: string;
  readonly perBlob: number;
  readonly events: bigint;
  readonly blobs: bigint;
  readonly eventBytes: bigint;
  readonly shareBytes: bigint;
  readonly gas: bigint;
  readonly utia: bigint;
}

function costFor(volumeName: string, volume: bigint, perBlob: number, sizes: EventSizes): CostRow {
  const chunks = (volume + CHUNK - 1n) / CHUNK;
  const events = chunks * BigInt(1 + REPLICAS);
  const full = events / BigInt(perBlob);
  const rest = Number(events % BigInt(perBlob));
  const fullBytes = sizes.batchBytes(perBlob);
  const restBytes = rest ? sizes.batchBytes(rest) : 0;
  const blobs = full + (rest ? 1n : 0n);
  const shareBytes =
    full * BigInt(sparseSharesNeeded(fullBytes) * SHARE_SIZE) +
    (rest ? BigInt(sparseSharesNeeded(restBytes) * SHARE_SIZE) : 0n);
  const gas = full * pfbGas(fullBytes) + (rest ? pfbGas(restBytes) : 0n);
  return {
    volume: volumeName,
    perBlob,
    events,
    blobs,
    eventBytes: full * BigInt(fullBytes) + BigInt(restBytes),
    shareBytes,
    gas,
    utia: (gas * PRICE_NUM + PRICE_DEN - 1n) / PRICE_DEN,
  };
}

const group = (n: bigint) => n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
function tia(utia: bigint): string {
  const whole = utia / UTIA_PER_TIA;
  const frac = (utia % UTIA_PER_TIA).toString().padStart(6, "0");
  return `${group(whole)}.${frac}`;
}
function bytesText(n: bigint): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = Number(n);
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
}

async function measureLocalLatency(blockTimeMs: number, posts: number, blobBytes: number) {
  const dir = mkdtempSync(join(tmpdir(), "dsdn-da-bench-"));
  const server = await LocalDAServer.start({ dataDir: dir, port: 0, blockTimeMs });
  const client = new CelestiaDA({
    url: server.url,
    authToken: server.tokens.write,
    namespace: namespaceFromName("dsdn-bench"),
  });
  try {
    await client.connect();
    const post: number[] = [];
    const get: number[] = [];
    for (let i = 0; i < posts; i++) {
      const data = randomBytes(blobBytes);
      let t = performance.now();
      const ref = await client.postBlob(data);
      post.push(performance.now() - t);
      t = performance.now();
      await client.getBlob(ref);
      get.push(performance.now() - t);
    }
    post.sort((a, b) => a - b);
    get.sort((a, b) => a - b);
    return { post, get, counters: client.metrics().counters };
  } finally {
    await client.close();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const quick = args.includes("--quick");
  const sizes = measureEventSizes();
  const rows: CostRow[] = [];
  for (const [name, vol] of [
    ["1 GiB", GiB],
    ["1 TiB", TiB],
    ["1 PiB", PiB],
  ] as const) {
    for (const perBlob of [1, 100]) rows.push(costFor(name, vol, perBlob, sizes));
  }
  const perGiB1 = rows[0]!;
  const perGiB100 = rows[1]!;
  console.log(`ChunkDeclared envelope ${sizes.chunkDeclared} B, ReplicaAdded envelope ${sizes.replicaAdded} B`);
  for (const r of rows) {
    console.log(
      `${r.volume} ×${r.perBlob}/blob: ${group(r.blobs)} blobs, ${bytesText(r.shareBytes)} of shares, ${group(r.gas)} gas, ${tia(r.utia)} TIA`,
    );
  }

  // Commitment cost on this machine (every post computes one; every read recomputes one).
  const mib = randomBytes(1024 * 1024);
  const ns = namespaceFromName("dsdn-bench");
  const reps = quick ? 3 : 10;
  const t = performance.now();
  for (let i = 0; i < reps; i++) createCommitment(ns, mib);
  const commitMs = (performance.now() - t) / reps;
  console.log(`commitment of 1 MiB: ${commitMs.toFixed(1)} ms`);

  const batchBytes = sizes.batchBytes(100);
  const latencies: { blockTimeMs: number; post: number[]; get: number[] }[] = [];
  for (const blockTimeMs of quick ? [200] : [1000, 200]) {
    const m = await measureLocalLatency(blockTimeMs, quick ? 8 : 20, batchBytes);
    latencies.push({ blockTimeMs, post: m.post, get: m.get });
    console.log(
      `local DA (block ${blockTimeMs} ms): post p50 ${percentile(m.post, 0.5).toFixed(0)} ms, get p50 ${percentile(m.get, 0.5).toFixed(1)} ms, connections opened ${m.counters.connectionsOpened} / reused ${m.counters.connectionsReused}`,
    );
  }

  const md = [
    "### What is counted",
    "",
    `An uploaded GiB is ${GiB / CHUNK} chunks of 16 MiB; each chunk produces one \`ChunkDeclared\` (CID, size, manifest CID,`,
    `bech32 uploader, 3 placement node ids, replication factor) and ${REPLICAS} \`ReplicaAdded\` (CID, node id, the node's signed`,
    "`StorageAck`), each in an `EventEnvelope` (version, 32-byte publisher, sequence ≈ 10⁹, observed height ≈ 10⁷, 64-byte",
    "signature). Sizes are the protobuf encodings of such values (protobufjs, the dsdn.da.v1 field numbers), not guesses:",
    `**ChunkDeclared envelope ${sizes.chunkDeclared} B, ReplicaAdded envelope ${sizes.replicaAdded} B**; an EventBatch of 100 events is ${batchBytes} B.`,
    "Each blob is one PayForBlobs tx: gas = 75,000 + 700 + 8 × 512 × shares, at 0.004 utia/gas (uncongested mainnet minimum);",
    `sanity check: a 1 MiB blob is ${sparseSharesNeeded(1024 * 1024)} shares and ${group(pfbGas(1024 * 1024))} gas.`,
    "",
    `Per uploaded GiB: ${group(perGiB1.events)} events, ${bytesText(perGiB1.eventBytes)} of event bytes; posted as`,
    `${bytesText(perGiB1.shareBytes)} of shares one event per blob, ${bytesText(perGiB100.shareBytes)} with 100 events per blob.`,
    "",
    "| uploads | events/blob | events | blobs | event bytes | share bytes | gas | fee (TIA) |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows.map(
      (r) =>
        `| ${r.volume} | ${r.perBlob} | ${group(r.events)} | ${group(r.blobs)} | ${bytesText(r.eventBytes)} | ${bytesText(r.shareBytes)} | ${group(r.gas)} | ${tia(r.utia)} |`,
    ),
    "",
    "Batching matters because the 75,700 fixed gas per blob dwarfs the ~4,096 gas per share a single event needs;",
    `100 events per blob cuts the fee ${(Number(rows[0]!.gas) / Number(rows[1]!.gas)).toFixed(1)}× at the same metadata.`,
    "Fees at a congested price scale linearly with the gas column.",
    "",
    "### Local DA server (measured)",
    "",
    `CelestiaDA → local DA server over loopback HTTP, sequential posts of one ${batchBytes}-byte blob (100 events) then a`,
    "verified read-back. A post waits for the next height, so its latency is block-time bound (a real light node adds",
    "1–3 blocks of ~6 s, or ~2.6 s from app v9).",
    "",
    "| block time | posts | post p50 | post p90 | post max | get p50 | get p90 |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...latencies.map(
      (l) =>
        `| ${l.blockTimeMs} ms | ${l.post.length} | ${percentile(l.post, 0.5).toFixed(0)} ms | ${percentile(l.post, 0.9).toFixed(0)} ms | ${l.post.at(-1)!.toFixed(0)} ms | ${percentile(l.get, 0.5).toFixed(1)} ms | ${percentile(l.get, 0.9).toFixed(1)} ms |`,
    ),
    "",
    `Share commitment of a 1 MiB blob (2,176 shares, 34 NMT subtree roots): ${commitMs.toFixed(1)} ms.`,
  ].join("\n");
  writeBenchSection("da-cost", "DA cost (Celestia PayForBlobs) and local DA latency", md, resolve("."));
  recordHeadlines(
    "da-cost",
    [
      {
        item: "DA cost (post to Celestia)",
        figure: "metadata of 1 GiB uploaded, 100 events per blob, fee",
        value: Number(perGiB100.utia) / Number(UTIA_PER_TIA),
        unit: "TIA",
      },
      {
        item: "DA cost (post to Celestia)",
        figure: "the same, one event per blob",
        value: Number(perGiB1.utia) / Number(UTIA_PER_TIA),
        unit: "TIA",
      },
      {
        item: "DA cost (post to Celestia)",
        figure: "local DA post latency p50 at the shortest block time",
        value: percentile(latencies[0]!.post, 0.5),
        unit: "ms",
      },
    ],
    resolve("."),
  );
}
