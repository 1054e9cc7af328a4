/** @module `localfs` chunk store: `<root>/objects/<fanout>/<cid>`, atomic verified writes, verified reads, quarantine. */
import { createHash, randomBytes } from "node:crypto";
import { type FileHandle, mkdir, open, readdir, rename, rm, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type TransformCallback } from "node:stream";
import { parseCid } from "../../common/cid.js";
import { BaseError, ErrorCode, IntegrityError } from "../../common/errors.js";
import { bytesEqual, toHex } from "../../common/hash.js";
import type { ByteRange, ChunkInfo, ChunkRead, PutChunkOptions, PutChunkResult, Storage } from "./storage.js";

/** Coalesce small network pieces into writes of about this size (fewer syscalls). */
const WRITE_BATCH = 1024 * 1024;
/**
 * Bytes written between background fdatasyncs while a chunk is received: the disk starts writing the chunk while
 * the rest of it is still arriving, so the fsync before its ack (still made: acknowledged = durable) has only the
 * last few MiB left to write instead of the whole 16 MiB.
 */
const SYNC_EVERY = 8 * 1024 * 1024;

export interface LocalFsEvents {
  /** A stored chunk failed its hash check and was moved to `quarantine/`. */
  onCorrupt?(cid: string, movedTo: string): void;
}

/** The disk (or the node's configured capacity) cannot take the chunk. The store stays readable. */
export class InsufficientStorageError extends BaseError {
  override readonly name = "InsufficientStorageError";
}

/** ENOSPC and EDQUOT mean "no room", never a bug: they become an InsufficientStorageError. */
function asStorageError(e: unknown): unknown {
  const code = (e as { code?: string })?.code;
  if (code === "ENOSPC" || code === "EDQUOT")
    return new InsufficientStorageError(ErrorCode.InsufficientStorage, "this node's disk is full: chunk not stored", {
      details: "reads continue; writes resume once space is freed",
      cause: e,
    });
  return e;
}

/** Identity of a file's current contents as far as the file system tells: inode, size and mtime. */
/** Read size when a chunk is streamed out: large pieces keep 16 MiB reads from costing thousands of calls. */
const READ_PIECE = 1024 * 1024;

function fileStamp(st: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint; ctimeNs: bigint }): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/** A chunk that exceeded a size limit while being received. */
export class TooLargeError extends BaseError {
  override readonly name = "TooLargeError";
  constructor(limit: number) {
    super(ErrorCode.TooLarge, `chunk body exceeds the limit of ${limit} bytes`, { meta: { limit } });
  }
}

export class LocalFsStorage implements Storage {
  readonly root: string;
  private readonly objects: string;
  private readonly tmp: string;
  private readonly quarantine: string;
  private readonly events: LocalFsEvents;
  private count = 0;
  private bytes = 0;
  /** CIDs moved to quarantine and not stored again since, so a later miss can say why. */
  private readonly quarantined = new Set<string>();
  /**
   * cid → stamp (inode, size, mtime, ctime) of the file when its whole content last hashed to the CID
   * (as it was received, on a full read, or by the scrubber). A read of a file whose stamp still matches is
   * served without re-hashing; changes that keep the stamp (bit rot) are the background scrubber's job, and
   * every client checks each chunk against its CID anyway.
   */
  private readonly verified = new Map<string, string>();

  private constructor(root: string, events: LocalFsEvents) {
    this.root = root;
    this.objects = join(root, "objects");
    this.tmp = join(root, "tmp");
    this.quarantine = join(root, "quarantine");
    this.events = events;
  }

  /** Opens (creating if needed) a store; drops temp files a crash left behind and counts what is stored. */
  static async open(root: string, events: LocalFsEvents = {}): Promise<LocalFsStorage> {
    const s = new LocalFsStorage(root, events);
    await mkdir(s.objects, { recursive: true });
    await mkdir(s.quarantine, { recursive: true });
    await rm(s.tmp, { recursive: true, force: true });
    await mkdir(s.tmp, { recursive: true });
    for (const name of await readdir(s.quarantine)) s.quarantined.add(name.split(".")[0]!);
    for await (const c of s.list()) {
      s.count++;
      s.bytes += c.size;
    }
    return s;
  }

  /** Chunks and bytes held (kept current by put/delete/quarantine). */
  stats(): { chunks: number; bytes: number } {
    return { chunks: this.count, bytes: this.bytes };
  }

  /** Where a chunk lives. All CIDs share the `bafkrei` prefix, so fan out on the last two characters. */
  pathFor(cid: string): string {
    const canonical = parseCid(cid).cid;
    return join(this.objects, canonical.slice(-2), canonical);
  }

  async putChunk(
    cid: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: PutChunkOptions = {},
  ): Promise<PutChunkResult> {
    const { digest } = parseCid(cid);
    const final = this.pathFor(cid);
    const limit = options.maxBytes ?? Number.POSITIVE_INFINITY;
    const tmpPath = join(this.tmp, `${randomBytes(12).toString("hex")}.part`);
    // The temp file is opened when the first body bytes arrive, so a client that sends headers and then
    // stalls holds no file descriptor and no inode.
    let fh: FileHandle | undefined;
    const file = async () => {
      fh ??= await open(tmpPath, "wx", 0o644);
      return fh;
    };
    const hash = createHash("sha256");
    let size = 0;
    let ok = false;
    try {
      // Double buffering: one batch is written while the next is received and hashed, so a slow page
      // cache does not stall the socket (receiving, not fsync, dominated per-chunk time in profiles).
      let batch: Uint8Array[] = [];
      let batched = 0;
      let writing: Promise<unknown> | null = null;
      // A write that fails while the next piece is being received must not become an unhandled
      // rejection (ENOSPC used to exit the process): its error is kept and rethrown at the next step.
      let writeError: unknown;
      let unsynced = 0;
      let syncing: Promise<void> = Promise.resolve();
      const flush = async () => {
        if (writing) await writing;
        if (writeError !== undefined) throw writeError;
        const h = batch.length ? await file() : null;
        const n = batched;
        writing = h
          ? h.writev(batch).then(
              () => {
                unsynced += n;
                if (unsynced < SYNC_EVERY) return;
                unsynced = 0;
                // Not awaited by the receive loop: it runs while the next pieces arrive; its error fails the PUT.
                syncing = syncing.then(() =>
                  h.datasync().catch((e: unknown) => {
                    writeError ??= e;
                  }),
                );
              },
              (e: unknown) => {
                writeError = e;
              },
            )
          : null;
        batch = [];
        batched = 0;
      };
      const source = data instanceof Uint8Array ? [data] : data;
      try {
        for await (const piece of source) {
          if (writeError !== undefined) throw writeError;
          size += piece.byteLength;
          if (size > limit) throw new TooLargeError(limit);
          hash.update(piece);
          batch.push(piece);
          batched += piece.byteLength;
          if (batched >= WRITE_BATCH) await flush();
        }
        await flush();
        await writing;
        await syncing;
        if (writeError !== undefined) throw writeError;
      } finally {
        // Never close the file under a write or a background sync still in flight.
        await (writing as Promise<unknown> | null)?.catch(() => {});
        await syncing;
      }
      if (options.expectedSize !== undefined && size !== options.expectedSize)
        throw new BaseError(
          ErrorCode.InvalidArgument,
          `received ${size} bytes for ${cid}; its ticket allows exactly ${options.expectedSize}`,
        );
      const got = new Uint8Array(hash.digest());
      if (!bytesEqual(got, digest)) {
        throw new IntegrityError(`chunk bytes do not match CID ${cid}`, {
          details: `received ${size} bytes hashing to sha256 ${toHex(got)}`,
          meta: { cid, size },
        });
      }
      const h = await file();
      // A fine-grained mtime (sub-millisecond, unlike the kernel's per-tick file times): a later write to the
      // file, even within the same clock tick as this store, sets a different mtime, so the verified stamp
      // recorded below can never match altered bytes.
      await h.utimes(new Date(), (performance.timeOrigin + performance.now()) / 1000);
      await h.sync();
      ok = true;
    } catch (e) {
      throw asStorageError(e);
    } finally {
      await fh?.close().catch(() => {});
      if (!ok && fh) await unlink(tmpPath).catch(() => {});
    }
    const existing = await stat(final).catch(() => null);
    if (existing) {
      // Same CID means same bytes; keep the stored copy and drop ours.
      await unlink(tmpPath).catch(() => {});
      return { cid, size, created: false };
    }
    try {
      await mkdir(join(final, ".."), { recursive: true });
      await rename(tmpPath, final);
      await fsyncDir(join(final, ".."));
      // Every byte was hashed on its way in: the stored file is verified as of its stamp now (after the rename,
      // which moves its ctime), so reads of it need not hash it again until the file changes.
      this.verified.set(cid, fileStamp(await stat(final, { bigint: true })));
    } catch (e) {
      await unlink(tmpPath).catch(() => {});
      throw asStorageError(e);
    }
    this.quarantined.delete(cid);
    this.count++;
    this.bytes += size;
    return { cid, size, created: true };
  }

  /** True when this store once held `cid`, found it corrupt and quarantined it (and has not been given it again). */
  wasQuarantined(cid: string): boolean {
    return this.quarantined.has(cid);
  }

  async statChunk(cid: string): Promise<ChunkInfo | null> {
    const st = await stat(this.pathFor(cid)).catch(() => null);
    return st?.isFile() ? { cid, size: st.size } : null;
  }

  async hasChunk(cid: string): Promise<boolean> {
    return (await this.statChunk(cid)) !== null;
  }

  /**
   * Opens the chunk once and serves everything from that descriptor. A file whose stamp (inode, size,
   * mtime, ctime) matches its last full verification is served at once (a second SHA-256 pass per read
   * was a third of a download's CPU). Otherwise a range is served only after the whole file is hashed
   * through the same descriptor, and a whole read is hashed as it streams with its last piece held back.
   */
  async getChunk(cid: string, range?: ByteRange): Promise<ChunkRead | null> {
    const { digest } = parseCid(cid);
    const path = this.pathFor(cid);
    const fh = await open(path, "r").catch((e: { code?: string }) => {
      if (e.code === "ENOENT" || e.code === "EISDIR" || e.code === "ENOTDIR") return null;
      throw e;
    });
    if (!fh) return null;
    let handedOver = false;
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) return null;
      const size = Number(st.size);
      const stamp = fileStamp(st);
      const known = this.verified.get(cid) === stamp;
      if (range) {
        if (range.start < 0 || range.end < range.start || range.end >= size) {
          throw new BaseError(
            ErrorCode.InvalidArgument,
            `range ${range.start}-${range.end} is outside chunk of ${size} bytes`,
          );
        }
        if (!known) {
          // A range cannot be checked on its own: hash the whole chunk (same descriptor), then serve the slice.
          if (!bytesEqual(await this.hashHandle(fh, size), digest)) throw await this.corrupt(cid, path);
          this.verified.set(cid, stamp);
        }
        handedOver = true;
        return { size, range, stream: fh.createReadStream({ start: range.start, end: range.end }) };
      }
      if (known) {
        handedOver = true;
        return { size, range: { start: 0, end: size - 1 }, stream: fh.createReadStream({ highWaterMark: READ_PIECE }) };
      }
      const verifier = new VerifyingStream(
        digest,
        async () => this.corrupt(cid, path),
        () => this.verified.set(cid, stamp),
      );
      const source = fh.createReadStream({ highWaterMark: READ_PIECE, start: 0 });
      handedOver = true;
      source.on("error", (e) => verifier.destroy(e));
      // The reader went away early: stop reading (the descriptor closes with the source).
      verifier.on("close", () => source.destroy());
      return { size, range: { start: 0, end: size - 1 }, stream: source.pipe(verifier) };
    } finally {
      if (!handedOver) await fh.close().catch(() => {});
    }
  }

  /** Hashes the first `size` bytes of an open file with positional reads (the file offset is left alone). */
  private async hashHandle(fh: FileHandle, size: number): Promise<Uint8Array> {
    const h = createHash("sha256");
    const buf = Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1024 * 1024));
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
      if (bytesRead === 0) break;
      h.update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
    return new Uint8Array(h.digest());
  }

  /**
   * Re-hashes a stored chunk whatever its stamp says (background scrubbing): a mismatch quarantines it.
   * Returns "ok", "corrupt" or "missing".
   */
  async verifyChunk(cid: string): Promise<"ok" | "corrupt" | "missing"> {
    const path = this.pathFor(cid);
    const fh = await open(path, "r").catch(() => null);
    if (!fh) return "missing";
    try {
      const st = await fh.stat({ bigint: true });
      if (!st.isFile()) return "missing";
      if (!bytesEqual(await this.hashHandle(fh, Number(st.size)), parseCid(cid).digest)) {
        this.verified.delete(cid);
        await this.corrupt(cid, path);
        return "corrupt";
      }
      this.verified.set(cid, fileStamp(st));
      return "ok";
    } finally {
      await fh.close().catch(() => {});
    }
  }

  /** Whole chunk in memory, verified (for small objects such as manifests). */
  async readChunk(cid: string): Promise<Buffer | null> {
    const r = await this.getChunk(cid);
    if (!r) return null;
    const parts: Buffer[] = [];
    for await (const p of r.stream) parts.push(p as Buffer);
    return Buffer.concat(parts);
  }

  async deleteChunk(cid: string): Promise<boolean> {
    const path = this.pathFor(cid);
    const info = await this.statChunk(cid);
    if (!info) return false;
    try {
      await unlink(path);
    } catch {
      return false;
    }
    this.verified.delete(cid);
    this.count--;
    this.bytes -= info.size;
    return true;
  }

  async *list(): AsyncIterable<ChunkInfo> {
    for (const dir of (await readdir(this.objects)).sort()) {
      const entries = await readdir(join(this.objects, dir)).catch(() => [] as string[]);
      for (const name of entries.sort()) {
        const st = await stat(join(this.objects, dir, name)).catch(() => null);
        if (st?.isFile()) yield { cid: name, size: st.size };
      }
    }
  }

  /** Moves a chunk whose bytes no longer match its CID out of `objects/` and reports it. */
  private async corrupt(cid: string, path: string): Promise<IntegrityError> {
    this.verified.delete(cid);
    const dest = join(this.quarantine, `${cid}.${Date.now()}`);
    const size = (await stat(path).catch(() => null))?.size ?? 0;
    const moved = await rename(path, dest).then(
      () => true,
      () => false,
    );
    if (moved) {
      this.quarantined.add(cid);
      this.count--;
      this.bytes -= size;
      this.events.onCorrupt?.(cid, dest);
    }
    return new IntegrityError(`stored chunk ${cid} is corrupt; it was quarantined and will not be served`, {
      meta: { cid },
    });
  }
}

/**
 * Hashes bytes as they pass and holds back the latest piece until the end, so a reader never receives
 * the complete chunk unless the hash matched: on a mismatch the stream errors instead.
 */
class VerifyingStream extends Transform {
  private readonly hash = createHash("sha256");
  private held: Buffer | null = null;
  constructor(
    private readonly expected: Uint8Array,
    private readonly onMismatch: () => Promise<Error>,
    private readonly onMatch: () => void,
  ) {
    // Byte buffers of a few MiB keep large chunk reads from stalling on the default 16 KiB.
    super({ highWaterMark: 4 * 1024 * 1024 });
  }
  override _transform(piece: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.hash.update(piece);
    const prev = this.held;
    this.held = piece;
    cb(null, prev ?? undefined);
  }
  override _flush(cb: TransformCallback): void {
    if (bytesEqual(new Uint8Array(this.hash.digest()), this.expected)) {
      this.onMatch();
      cb(null, this.held ?? undefined);
      return;
    }
    this.onMismatch().then(
      (e) => cb(e),
      (e) => cb(e as Error),
    );
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
