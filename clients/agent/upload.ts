/** @module `upload`: chunk (and optionally encrypt) a file, send every chunk to every node given, store the manifest. */
import { stat } from "node:fs/promises";
import { cidForBytes } from "../../common/cid.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { bytesEqual, toHex } from "../../common/hash.js";
import {
  assertChunkSize,
  ChunkBufferPool,
  DEFAULT_CHUNK_SIZE,
  readFileChunks,
} from "../../node-agent/storage/chunker.js";
import { assertErasure, type ErasureParams, encodeStripe } from "../../node-agent/storage/erasure/codec.js";
import type { ShardInfo } from "../../node-agent/storage/erasure/shardInfo.js";
import { MANIFEST_VERSION, MANIFEST_VERSION_ERASURE, manifestCid } from "../../node-agent/storage/manifest.js";
import type { ChunkRef, Manifest } from "../../proto/gen/dsdn/storage/v1/manifest.js";
import {
  encryptChunk,
  encryptionFields,
  type FileCipher,
  fileCipher,
  keyIdOf,
  manifestTag,
  newFileKey,
} from "./encryption.js";
import { Keystore } from "./keystore.js";
import { NodeClient, type VerifiedAck } from "./nodeClient.js";
import { TaskPool } from "./pool.js";
import { PendingUpload } from "./resume.js";
import { splitKey, writeShareFiles } from "./shamir.js";

/** Per-chunk routing (the network path): where each chunk goes, and who collects the nodes' signed acks. */
/** One node a routed chunk goes to, with the coordinator's placement ticket that authorizes the PUT. */
export interface RouteTarget {
  readonly url: string;
  readonly ticket?: string;
}

export type { ShardInfo };

export interface UploadRoute {
  /**
   * Chunk servers that should store `cid` (its placement), each with its ticket. For a shard of an
   * erasure-coded chunk `shard` says which stripe it belongs to (placed as one: one node per shard).
   */
  nodesFor(cid: string, size: number, shard?: ShardInfo): Promise<readonly RouteTarget[]>;
  /** Every verified ack the placed nodes returned for `cid` (a shard's stripe with it). */
  onAcks(cid: string, size: number, acks: readonly VerifiedAck[], shard?: ShardInfo): void;
  /** A chunk fails unless at least this many placed nodes acknowledge it (default 1; healing adds the rest). */
  readonly minAcks?: number;
}

export interface UploadParameters {
  readonly path: string;
  /** Chunk server base URLs; every chunk goes to each of them (unused with `route`). */
  readonly nodes: readonly string[];
  /** Send each chunk only to the nodes the route names (e.g. the coordinator's placement). */
  readonly route?: UploadRoute;
  readonly chunkSize?: number;
  readonly encrypt?: boolean;
  /**
   * Reed–Solomon k+m: each (encrypted) chunk is split into k data + m parity shards, each stored on its own
   * node; the manifest (version 2) lists every shard's CID. Without it every chunk is stored whole.
   */
  readonly erasure?: ErasureParams;
  /** Shamir split of the file key: any `threshold` of `total` share files rebuild it. */
  readonly recovery?: { readonly threshold: number; readonly total: number; readonly outDir: string };
  readonly concurrency?: number;
  readonly retries?: number;
  readonly keystore?: Keystore;
  readonly signal?: AbortSignal;
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
}

export interface NodeUploadSummary {
  readonly url: string;
  readonly nodeId: string | null;
  readonly sent: number;
  readonly skipped: number;
}

export interface UploadReturnType {
  readonly manifest: string;
  readonly size: number;
  readonly chunks: number;
  readonly chunkSize: number;
  readonly encrypted: boolean;
  readonly keyId?: string;
  readonly keyFile?: string;
  readonly shareFiles?: string[];
  /** Chunk PUTs actually sent (summed over nodes), chunks skipped because a node already had them. */
  readonly sent: number;
  readonly skipped: number;
  readonly bytesSent: number;
  readonly nodes: NodeUploadSummary[];
}

export async function uploadFile(p: UploadParameters): Promise<UploadReturnType> {
  const clients: NodeClient[] = [];
  try {
    return await upload(p, clients);
  } finally {
    for (const c of clients) c.close();
  }
}

async function upload(p: UploadParameters, clients: NodeClient[]): Promise<UploadReturnType> {
  if (p.nodes.length === 0 && !p.route) throw new InvalidArgumentError("at least one --node URL is required");
  if (p.erasure) assertErasure(p.erasure);
  if (p.recovery && !p.encrypt)
    throw new InvalidArgumentError("--recovery splits the encryption key: it needs --encrypt");
  const chunkSize = p.chunkSize ?? DEFAULT_CHUNK_SIZE;
  assertChunkSize(chunkSize);
  const st = await stat(p.path).catch((e) => {
    throw new InvalidArgumentError(`cannot read ${p.path}`, { cause: e });
  });
  if (!st.isFile()) throw new InvalidArgumentError(`${p.path} is not a regular file`);
  const size = st.size;
  const chunkCount = Math.ceil(size / chunkSize);
  if (chunkCount > 0xffffffff) throw new InvalidArgumentError("file has too many chunks; use a larger chunk size");
  for (const u of new Set(p.nodes)) {
    clients.push(
      new NodeClient(u, {
        ...(p.retries !== undefined ? { retries: p.retries } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
      }),
    );
  }
  const stats = clients.map((c) => ({ url: c.url, nodeId: null as string | null, sent: 0, skipped: 0 }));
  const keystore = p.keystore ?? new Keystore();

  let cipher: FileCipher | undefined;
  let key: Uint8Array | undefined;
  let pending: PendingUpload | undefined;
  let sealed = new Map<number, string>();
  let keyFile: string | undefined;
  const ident = { path: p.path, size, mtimeMs: Math.floor(st.mtimeMs), chunkSize };
  if (p.encrypt) {
    pending = PendingUpload.for(keystore.home, ident);
    const prior = await pending.load(ident);
    const priorKey = prior ? await keystore.load(prior.keyId) : null;
    if (prior && priorKey) {
      key = priorKey;
      cipher = fileCipher(priorKey, prior.fileId, prior.noncePrefix);
      sealed = prior.sealed;
    } else {
      key = newFileKey();
      cipher = fileCipher(key);
      // The key is saved before any ciphertext leaves, so no upload can outlive its key.
      await keystore.save(key);
      await pending.start(ident, cipher);
    }
  }

  const routed = new Map<string, { client: NodeClient; stat: (typeof stats)[number] }>();
  const routedClient = (url: string) => {
    let r = routed.get(url);
    if (!r) {
      const client = new NodeClient(url, {
        ...(p.retries !== undefined ? { retries: p.retries } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
      });
      clients.push(client);
      const stat = { url: client.url, nodeId: null as string | null, sent: 0, skipped: 0 };
      stats.push(stat);
      r = { client, stat };
      routed.set(url, r);
    }
    return r;
  };
  /** Routed: PUT to each placed node (always, since every replica must return its own signed ack). */
  const storeRouted = async (
    route: UploadRoute,
    cid: string,
    bytes: Uint8Array,
    shard?: ShardInfo,
  ): Promise<number> => {
    const urls = await route.nodesFor(cid, bytes.length, shard);
    const acks: VerifiedAck[] = [];
    const errors: unknown[] = [];
    await Promise.all(
      urls.map(async (u) => {
        const { client, stat } = routedClient(u.url);
        try {
          const ack = await client.put(cid, bytes, u.ticket ? { ticket: u.ticket } : {});
          stat.nodeId = ack.nodeId;
          if (ack.created) stat.sent++;
          else stat.skipped++;
          acks.push(ack);
        } catch (e) {
          errors.push(e);
        }
      }),
    );
    if (acks.length < Math.min(route.minAcks ?? 1, urls.length) || acks.length === 0) {
      if (errors[0] instanceof BaseError) throw errors[0];
      throw new BaseError(ErrorCode.Unavailable, `no placed node stored ${cid}`, { cause: errors[0] });
    }
    route.onAcks(cid, bytes.length, acks, shard);
    return acks.filter((a) => a.created).length;
  };

  /** One shard to one node: routed by the stripe's placement, else spread over the given nodes in turn. */
  const storeShard = async (cid: string, bytes: Uint8Array, shard: ShardInfo, chunkIndex: number): Promise<number> => {
    if (p.route) return storeRouted(p.route, cid, bytes, shard);
    const i = (chunkIndex + shard.index) % clients.length;
    const c = clients[i]!;
    const s = stats[i]!;
    if (await c.has(cid)) {
      s.skipped++;
      return 0;
    }
    const ack = await c.put(cid, bytes);
    s.nodeId = ack.nodeId;
    s.sent++;
    return 1;
  };

  /** Encodes the stored chunk into k+m shards and stores each; returns the shard CIDs and bytes sent. */
  const storeStripe = async (
    ec: ErasureParams,
    cid: string,
    stored: Uint8Array,
    chunkIndex: number,
  ): Promise<{ shards: string[]; sent: number }> => {
    const shards = await encodeStripe(stored, cid, ec);
    const stripe = shards.map((b) => cidForBytes(b));
    const sent = await Promise.all(
      shards.map(async (b, index) => {
        const info = { chunkCid: cid, chunkSize: stored.length, k: ec.k, m: ec.m, index, stripe };
        return (await storeShard(stripe[index]!, b, info, chunkIndex)) * b.length;
      }),
    );
    return { shards: stripe, sent: sent.reduce((a, b) => a + b, 0) };
  };

  /** Makes sure every node holds the object: HEAD first so a resumed upload re-sends nothing it has. */
  const store = async (cid: string, bytes: Uint8Array): Promise<number> => {
    if (p.route) return storeRouted(p.route, cid, bytes);
    let puts = 0;
    await Promise.all(
      clients.map(async (c, i) => {
        const s = stats[i]!;
        if (await c.has(cid)) {
          s.skipped++;
          return;
        }
        const ack = await c.put(cid, bytes);
        if (s.nodeId && s.nodeId !== ack.nodeId) {
          throw new BaseError(
            ErrorCode.InvalidSignature,
            `${c.url} changed identity mid-upload (${s.nodeId} → ${ack.nodeId})`,
          );
        }
        s.nodeId = ack.nodeId;
        s.sent++;
        puts++;
      }),
    );
    return puts;
  };

  const refs: ChunkRef[] = new Array(chunkCount);
  const pool = new TaskPool(p.concurrency ?? 4);
  let done = 0;
  let bytesSent = 0;
  try {
    const buffers = new ChunkBufferPool();
    for await (const chunk of readFileChunks(p.path, chunkSize, buffers.acquire)) {
      p.signal?.throwIfAborted();
      const index = chunk.index;
      const plainSize = chunk.bytes.length;
      // Sealed and hashed before waiting for a free slot: while chunks n-k..n are still being sent, chunk
      // n+1's CID gets ready, so its PUT starts the moment a slot frees (hashing was on that critical path).
      // Nothing leaves this machine before the task runs, so the resume check below still comes first.
      const stored = cipher ? encryptChunk(cipher, index, chunk.bytes) : chunk.bytes;
      if (cipher) buffers.release(chunk.bytes);
      const cid = cidForBytes(stored);
      await pool.add(async () => {
        if (pending) {
          // Same key, nonce and plaintext give the same ciphertext, so a matching CID proves the chunk is
          // unchanged. A different one is dropped before it leaves this machine: no observer ever sees two
          // ciphertexts under one nonce.
          const before = sealed.get(index);
          if (before !== undefined && before !== cid) {
            throw new BaseError(ErrorCode.Conflict, `${p.path} changed since its interrupted encrypted upload`, {
              details: "its contents differ at the same size and modification time; touch the file and upload again",
            });
          }
          if (before === undefined) {
            await pending.record(index, cid);
            sealed.set(index, cid);
          }
        }
        let shards: string[] = [];
        // Summed only after the await: `bytesSent += await …` reads the total before the wait and drops what
        // the other chunks in flight added meanwhile.
        if (p.erasure) {
          const r = await storeStripe(p.erasure, cid, stored, index);
          shards = r.shards;
          bytesSent += r.sent;
        } else {
          const puts = await store(cid, stored);
          bytesSent += puts * stored.length;
        }
        if (!cipher) buffers.release(chunk.bytes);
        refs[index] = { cid, size: BigInt(stored.length), plainSize: BigInt(plainSize), shards };
        done += plainSize;
        p.onProgress?.(done, size);
      });
    }
    await pool.drain();
  } catch (e) {
    await pool.settle();
    throw e;
  }
  if (refs.length !== chunkCount || refs.some((r) => r === undefined)) {
    throw new BaseError(ErrorCode.Conflict, `${p.path} changed size while it was being uploaded`);
  }

  const manifest: Manifest = {
    version: p.erasure ? MANIFEST_VERSION_ERASURE : MANIFEST_VERSION,
    totalSize: BigInt(size),
    chunkSize: BigInt(chunkSize),
    chunks: refs,
    encryption: cipher ? encryptionFields(cipher) : undefined,
    name: "",
    erasure: p.erasure ? { dataShards: p.erasure.k, parityShards: p.erasure.m } : undefined,
  };
  if (cipher && manifest.encryption) manifest.encryption.manifestTag = manifestTag(cipher, manifest);
  const { cid: mcid, bytes: mbytes } = manifestCid(manifest);
  bytesSent += (await store(mcid, mbytes)) * mbytes.length;
  p.onProgress?.(size, size);

  let shareFiles: string[] | undefined;
  if (key && cipher) {
    if (!bytesEqual(keyIdOf(key), cipher.keyId)) throw new BaseError(ErrorCode.Internal, "key id mismatch");
    keyFile = await keystore.save(key, mcid);
    if (p.recovery) {
      const shares = await splitKey(key, p.recovery.threshold, p.recovery.total, mcid);
      shareFiles = await writeShareFiles(p.recovery.outDir, shares);
    }
    await pending?.clear();
  }
  return {
    manifest: mcid,
    size,
    chunks: chunkCount,
    chunkSize,
    encrypted: cipher !== undefined,
    ...(cipher ? { keyId: toHex(cipher.keyId), keyFile } : {}),
    ...(shareFiles ? { shareFiles } : {}),
    sent: stats.reduce((n, s) => n + s.sent, 0),
    skipped: stats.reduce((n, s) => n + s.skipped, 0),
    bytesSent,
    nodes: stats,
  };
}
