/** @module Streams a file into fixed-size chunks, each named by its CIDv1 — never more than one chunk in memory per consumer. */
import { open } from "node:fs/promises";
import { cidForBytes } from "../../common/cid.js";
import { InvalidArgumentError } from "../../common/errors.js";

/** Production default (the roadmap allows 16–64 MiB); tests pass smaller sizes. */
export const DEFAULT_CHUNK_SIZE = 16 * 1024 * 1024;
/** Upper bound a chunk may have: a node's default body limit is derived from it. */
export const MAX_CHUNK_SIZE = 64 * 1024 * 1024;
/** Largest chunk body a node accepts or a client reads: the largest chunk plus room for a shard trailer. */
export const DEFAULT_MAX_BODY = MAX_CHUNK_SIZE + 4096;

export interface FileChunk {
  readonly index: number;
  /** Byte offset of the chunk within the file. */
  readonly offset: number;
  readonly bytes: Buffer;
}

/**
 * Yields the chunks of a file in order. Each chunk gets its own buffer (from `alloc`, so a caller may
 * recycle them), so a consumer may keep a few in flight (parallel uploads) while memory stays bounded by
 * how many it keeps, never by the file's size.
 */
export async function* readFileChunks(
  path: string,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
  alloc: (size: number) => Buffer = Buffer.allocUnsafe,
): AsyncGenerator<FileChunk> {
  assertChunkSize(chunkSize);
  const fh = await open(path, "r");
  try {
    let offset = 0;
    for (let index = 0; ; index++) {
      const buf = alloc(chunkSize);
      let filled = 0;
      while (filled < chunkSize) {
        const { bytesRead } = await fh.read(buf, filled, chunkSize - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      if (filled === 0) return;
      yield { index, offset, bytes: filled === chunkSize ? buf : buf.subarray(0, filled) };
      offset += filled;
      if (filled < chunkSize) return;
    }
  } finally {
    await fh.close();
  }
}

/** The CIDs of a file's chunks, in order (what `dsdn chunks put` prints). */
export async function* chunkCids(
  path: string,
  chunkSize: number = DEFAULT_CHUNK_SIZE,
): AsyncGenerator<{ index: number; cid: string; size: number; bytes: Buffer }> {
  for await (const c of readFileChunks(path, chunkSize)) {
    yield { index: c.index, cid: cidForBytes(c.bytes), size: c.bytes.length, bytes: c.bytes };
  }
}

/**
 * Reuses chunk-sized buffers once their consumer is done with them: peak memory then stays at the number
 * in flight, instead of waiting for the garbage collector to notice that large buffers died.
 */
export class ChunkBufferPool {
  private readonly free: ArrayBuffer[] = [];
  private readonly owned = new WeakSet<ArrayBufferLike>();
  acquire = (size: number): Buffer => {
    const ab = this.free.pop();
    if (ab && ab.byteLength === size) return Buffer.from(ab);
    const b = Buffer.allocUnsafeSlow(size); // never a slice of Node's shared pool, so it can be reused whole
    this.owned.add(b.buffer);
    return b;
  };
  /** Hands back the buffer a chunk was read into (a short last chunk is a view of it); others are ignored. */
  release(chunk: Uint8Array): void {
    const ab = chunk.buffer;
    if (this.owned.has(ab) && this.free.length < 16 && !this.free.includes(ab as ArrayBuffer))
      this.free.push(ab as ArrayBuffer);
  }
}

export function assertChunkSize(chunkSize: number): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidArgumentError(`chunk size must be between 1 byte and ${MAX_CHUNK_SIZE} bytes, got ${chunkSize}`);
  }
}

const UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
};

/** Parses "16MiB", "64m", "1048576" into bytes; refuses anything else with the accepted forms. */
export function parseSize(text: string, what = "size"): number {
  const m = /^\s*(\d+)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) {
    throw new InvalidArgumentError(`invalid ${what} "${text}": use a byte count or a unit like 16MiB, 512KiB, 1GiB`);
  }
  const n = Number(m[1]) * unit;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`invalid ${what} "${text}": too large`);
  return n;
}
