/** @module `get`: fetch a file by manifest CID with failover between nodes, verify and decrypt, write atomically. */
import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { parseCid, verifyCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError, InvalidArgumentError, isBaseError } from "../../common/errors.js";
import { bytesEqual, toHex } from "../../common/hash.js";
import { fsyncDir } from "../../common/privateFile.js";
import { ChunkBufferPool } from "../../node-agent/storage/chunker.js";
import { decodeStripe, type ErasureParams, shardObjectSize } from "../../node-agent/storage/erasure/codec.js";
import { decodeManifest } from "../../node-agent/storage/manifest.js";
import type { Manifest } from "../../proto/gen/dsdn/storage/v1/manifest.js";
import { decryptChunk, type FileCipher, fileCipher, keyIdOf, verifyManifestTag } from "./encryption.js";
import { Keystore } from "./keystore.js";
import { NodeClient } from "./nodeClient.js";
import { TaskPool } from "./pool.js";

/**
 * Chunks fetched at once by default. Eight rather than four: a 100 MiB file (7 chunks of 16 MiB) is then
 * requested whole at the start, and `dsdn get` of 100 MiB used 0.17–0.18 user CPU-s instead of 0.20–0.22 in
 * interleaved runs (more bytes waiting per socket read); 8 × 16 MiB of buffers at most.
 */
export const DEFAULT_GET_CONCURRENCY = 8;

/** Bytes written between background fdatasyncs of a download's output. */
const SYNC_EVERY = 64 * 1024 * 1024;

export interface GetParameters {
  readonly manifest: string;
  readonly nodes: readonly string[];
  /** Optional hint: object CID → the node URLs DA records as holding it, tried first (e.g. from `dsdn status`). */
  readonly holders?: ReadonlyMap<string, readonly string[]>;
  readonly out: string;
  /** A file key from elsewhere (e.g. rebuilt by `dsdn key recover`); otherwise the keystore is used. */
  readonly key?: Uint8Array;
  readonly keystore?: Keystore;
  readonly concurrency?: number;
  readonly retries?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (doneBytes: number, totalBytes: number) => void;
  /**
   * Only these bytes of the file (inclusive offsets into the plaintext): only the chunks (or erasure-coded
   * stripes) that overlap them are fetched, and `out` receives just the range.
   */
  readonly range?: { readonly start: number; readonly end: number };
}

export interface GetReturnType {
  readonly manifest: string;
  readonly out: string;
  readonly size: number;
  readonly chunks: number;
  /** Chunks actually fetched (fewer than `chunks` for a range). */
  readonly fetchedChunks: number;
  readonly encrypted: boolean;
  /** Chunks (or, erasure-coded, shards) fetched from each node (failover shows up here). */
  readonly servedBy: Record<string, number>;
}

/** Tries each node in turn, starting at `first`; collects every node's reason when all fail. */
async function fetchFromAny(
  clients: NodeClient[],
  cid: string,
  what: string,
  first = 0,
  alloc?: (size: number) => Buffer,
): Promise<{ bytes: Buffer; url: string }> {
  const reasons: string[] = [];
  let sawIntegrity = false;
  let allMissing = true;
  for (let k = 0; k < clients.length; k++) {
    const c = clients[(first + k) % clients.length]!;
    try {
      return { bytes: await c.get(cid, alloc), url: c.url };
    } catch (e) {
      if (!isBaseError(e)) throw e;
      if (e.code === ErrorCode.InvalidArgument && e.message.includes("HTTP 400")) throw e;
      reasons.push(e.details ? `${e.shortMessage} (${e.details.replace(/\n/g, "; ")})` : e.shortMessage);
      if (e.code === ErrorCode.Integrity) sawIntegrity = true;
      if (e.code !== ErrorCode.NotFound) allMissing = false;
    }
  }
  const code = sawIntegrity ? ErrorCode.Integrity : allMissing ? ErrorCode.NotFound : ErrorCode.Unavailable;
  const verb = allMissing ? "is missing on every node" : "could not be fetched from any node";
  throw new BaseError(code, `${what} ${cid} ${verb}`, { details: reasons.map((r) => `  ${r}`).join("\n") });
}

/** The clients to try for `cid`: its recorded holders first (in the order given), then every other node. */
function orderFor(clients: NodeClient[], holders: readonly string[] | undefined, first: number): NodeClient[] {
  const rotated = clients.map((_, j) => clients[(first + j) % clients.length]!);
  if (!holders?.length) return rotated;
  const rank = (c: NodeClient) => {
    const i = holders.indexOf(c.url);
    return i < 0 ? holders.length : i;
  };
  return rotated
    .map((c, j) => ({ c, j }))
    .sort((a, b) => rank(a.c) - rank(b.c) || a.j - b.j)
    .map((x) => x.c);
}

/**
 * Rebuilds one erasure-coded chunk from k of its k + m shards. The k data shards are asked for first (all
 * arriving means no decoding); each shard that cannot be fetched — missing everywhere, or every copy
 * failing its CID check in `NodeClient.get` — starts the next unstarted shard, so the first k verified shards
 * to arrive are decoded. Fails with every shard's reason when fewer than k can be had.
 */
async function fetchStripe(
  clients: NodeClient[],
  ref: { cid: string; size: bigint; shards: readonly string[] },
  ec: ErasureParams,
  chunkIndex: number,
  holders: ReadonlyMap<string, readonly string[]> | undefined,
): Promise<{ bytes: Buffer; urls: string[] }> {
  const size = Number(ref.size);
  const expect = shardObjectSize(size, ec.k);
  const got = new Map<number, Uint8Array>();
  const urls: string[] = [];
  const reasons: string[] = [];
  // A shard that failed for a passing reason (a node shedding load, a timeout) gets one more try in a second
  // pass; one missing everywhere or failing its CID check does not.
  let queue = ref.shards.map((_, i) => i);
  const retry: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (got.size < ec.k && next < queue.length) {
      const i = queue[next++]!;
      const cid = ref.shards[i]!;
      try {
        const order = orderFor(clients, holders?.get(cid), chunkIndex + i);
        const r = await fetchFromAny(order, cid, `chunk ${chunkIndex} shard ${i}`);
        if (r.bytes.length !== expect)
          throw new IntegrityError(`shard ${i} has ${r.bytes.length} bytes, not ${expect}`);
        if (got.size < ec.k) {
          got.set(i, r.bytes);
          urls.push(r.url);
        }
      } catch (e) {
        if (!isBaseError(e)) throw e;
        reasons.push(`  shard ${i}: ${e.shortMessage}`);
        if (e.code === ErrorCode.Unavailable) retry.push(i);
      }
    }
  };
  await Promise.all(Array.from({ length: ec.k }, worker));
  if (got.size < ec.k && retry.length > 0) {
    await new Promise((r) => setTimeout(r, 1000));
    queue = [...retry].sort((a, b) => a - b); // a copy: failures of this pass are not retried again
    next = 0;
    await Promise.all(Array.from({ length: ec.k }, worker));
  }
  if (got.size < ec.k)
    throw new BaseError(ErrorCode.Unavailable, `chunk ${chunkIndex}: only ${got.size} of the ${ec.k} shards needed`, {
      details: reasons.join("\n"),
    });
  const bytes = await decodeStripe(got, ref.cid, ec, size);
  // The shards were each checked against their CIDs; the rebuilt chunk is checked against its own too.
  if (!verifyCid(ref.cid, bytes))
    throw new IntegrityError(`chunk ${chunkIndex} rebuilt from shards does not match ${ref.cid}`);
  return { bytes, urls };
}

async function resolveCipher(m: Manifest, cid: string, p: GetParameters): Promise<FileCipher | undefined> {
  const enc = m.encryption;
  if (!enc) return undefined;
  let key = p.key;
  if (key) {
    if (!bytesEqual(keyIdOf(key), enc.keyId)) {
      throw new BaseError(
        ErrorCode.Unauthorized,
        `wrong key: ${cid} is encrypted under key ${toHex(enc.keyId).slice(0, 16)}…, the given key is ${toHex(keyIdOf(key)).slice(0, 16)}…`,
      );
    }
  } else {
    key = (await (p.keystore ?? new Keystore()).load(enc.keyId)) ?? undefined;
    if (!key) {
      throw new BaseError(ErrorCode.Unauthorized, `${cid} is encrypted and this machine holds no key for it`, {
        details: `key id ${toHex(enc.keyId)}; pass --key-file (e.g. one rebuilt with 'dsdn key recover')`,
      });
    }
  }
  const cipher = fileCipher(key, enc.fileId, enc.noncePrefix);
  if (!verifyManifestTag(cipher, m)) {
    throw new IntegrityError(`manifest ${cid} failed authentication: it was altered after encryption`);
  }
  return cipher;
}

/**
 * Partial outputs of gets in progress. A decrypted partial file is plaintext on disk: whatever ends the
 * process (an uncaught error, process.exit) must not leave one behind, so the exit hook removes them.
 */
const partials = new Set<string>();
let exitHook = false;
function trackPartial(path: string): void {
  partials.add(path);
  if (!exitHook) {
    exitHook = true;
    process.on("exit", () => {
      for (const f of partials) {
        try {
          unlinkSync(f);
        } catch {}
      }
    });
  }
}

export async function getFile(p: GetParameters): Promise<GetReturnType> {
  const clients: NodeClient[] = [];
  try {
    return await get(p, clients);
  } finally {
    for (const c of clients) c.close();
  }
}

async function get(p: GetParameters, clients: NodeClient[]): Promise<GetReturnType> {
  if (p.nodes.length === 0) throw new InvalidArgumentError("at least one --node URL is required");
  const cid = parseCid(p.manifest).cid;
  for (const u of new Set(p.nodes)) {
    clients.push(
      new NodeClient(u, {
        ...(p.retries !== undefined ? { retries: p.retries } : {}),
        ...(p.signal ? { signal: p.signal } : {}),
      }),
    );
  }
  const { bytes: mbytes } = await fetchFromAny(clients, cid, "manifest");
  const m = decodeManifest(mbytes, cid);
  const cipher = await resolveCipher(m, cid, p);
  const size = Number(m.totalSize);
  const chunkSize = Number(m.chunkSize);
  const r = p.range;
  if (
    r &&
    !(Number.isSafeInteger(r.start) && Number.isSafeInteger(r.end) && 0 <= r.start && r.start <= r.end && r.end < size)
  )
    throw new InvalidArgumentError(`range ${r.start}-${r.end} is outside the file (${size} bytes)`);
  // Chunk i holds plaintext bytes [i·chunkSize, (i+1)·chunkSize): only those overlapping the range are read.
  const first = r ? Math.floor(r.start / chunkSize) : 0;
  const last = r ? Math.floor(r.end / chunkSize) : m.chunks.length - 1;
  const base = r ? r.start : 0;
  const total = r ? r.end - r.start + 1 : size;

  const out = resolve(p.out);
  // Write beside the target and rename on success, so a failure never leaves a partial file named like the result.
  const tmp = join(dirname(out), `.${basename(out)}.${randomBytes(6).toString("hex")}.partial`);
  p.signal?.throwIfAborted();
  const fh = await open(tmp, "wx", cipher ? 0o600 : 0o644);
  trackPartial(tmp);
  const servedBy: Record<string, number> = {};
  const pool = new TaskPool(p.concurrency ?? DEFAULT_GET_CONCURRENCY);
  const buffers = new ChunkBufferPool();
  let done = 0;
  let ok = false;
  // Written bytes are flushed to disk as the download goes (one fdatasync per SYNC_EVERY bytes, in the
  // background), so the final fsync does not start writing a whole file's dirty pages only at the end.
  let unsynced = 0;
  let syncing: Promise<void> = Promise.resolve();
  let syncError: unknown;
  try {
    for (let i = first; i <= last; i++) {
      const ref = m.chunks[i]!;
      p.signal?.throwIfAborted();
      await pool.add(async () => {
        p.signal?.throwIfAborted();
        const ec = m.erasure ? { k: m.erasure.dataShards, m: m.erasure.parityShards } : undefined;
        const fetched = ec
          ? await fetchStripe(clients, ref, ec, i, p.holders)
          : await fetchFromAny(clients, ref.cid, `chunk ${i}`, i % clients.length, buffers.acquire).then((r) => ({
              bytes: r.bytes,
              urls: [r.url],
            }));
        const bytes = fetched.bytes;
        if (BigInt(bytes.length) !== ref.size)
          throw new IntegrityError(`chunk ${i} has ${bytes.length} bytes, manifest says ${ref.size}`);
        const plain = cipher ? decryptChunk(cipher, i, bytes) : bytes;
        if (cipher && !ec) buffers.release(bytes);
        if (BigInt(plain.length) !== ref.plainSize) throw new IntegrityError(`chunk ${i} decrypts to the wrong size`);
        // The part of this chunk inside the range (all of it without one), written at its place in `out`.
        const from = Math.max(0, base - i * chunkSize);
        const to = r ? Math.min(plain.length, r.end + 1 - i * chunkSize) : plain.length;
        let off = from;
        while (off < to) {
          const { bytesWritten } = await fh.write(plain, off, to - off, i * chunkSize + off - base);
          off += bytesWritten;
        }
        if (!cipher && !ec) buffers.release(bytes);
        unsynced += to - from;
        if (unsynced >= SYNC_EVERY) {
          unsynced = 0;
          syncing = syncing.then(() =>
            fh.datasync().catch((e: unknown) => {
              syncError ??= e;
            }),
          );
        }
        for (const url of fetched.urls) servedBy[url] = (servedBy[url] ?? 0) + 1;
        done += to - from;
        p.onProgress?.(done, total);
      });
    }
    await pool.drain();
    await syncing;
    if (syncError !== undefined) throw syncError;
    p.signal?.throwIfAborted();
    await fh.sync();
    ok = true;
  } catch (e) {
    await pool.settle();
    await syncing;
    throw e;
  } finally {
    await fh.close();
    if (!ok) {
      await unlink(tmp).catch(() => {});
      partials.delete(tmp);
    }
  }
  try {
    await rename(tmp, out);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new InvalidArgumentError(`cannot write ${out}`, { cause: e });
  } finally {
    partials.delete(tmp);
  }
  // The rename is durable only once the directory entry is on disk.
  await fsyncDir(dirname(out));
  p.onProgress?.(total, total);
  return {
    manifest: cid,
    out,
    size: total,
    chunks: m.chunks.length,
    fetchedChunks: m.chunks.length === 0 ? 0 : last - first + 1,
    encrypted: cipher !== undefined,
    servedBy,
  };
}
