/** @module The `Storage` contract every chunk store backend implements (localfs today). */
import type { Readable } from "node:stream";

export interface PutChunkOptions {
  /** Refuse (and store nothing) once the data exceeds this many bytes. */
  readonly maxBytes?: number;
  /** Refuse (and store nothing) unless exactly this many bytes arrive (the size a ticket grants). */
  readonly expectedSize?: number;
}

export interface PutChunkResult {
  readonly cid: string;
  readonly size: number;
  /** False when the store already held the chunk (the bytes were still verified). */
  readonly created: boolean;
}

/** Inclusive byte range, as in HTTP `Range: bytes=start-end`. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export interface ChunkRead {
  /** Full size of the stored chunk. */
  readonly size: number;
  /** The range being streamed (the whole chunk when none was asked for). */
  readonly range: ByteRange;
  /**
   * The bytes. A whole-chunk stream is hashed as it flows and errors with an IntegrityError instead of
   * delivering its final piece when the hash does not match; a ranged stream is verified before it starts.
   */
  readonly stream: Readable;
}

export interface ChunkInfo {
  readonly cid: string;
  readonly size: number;
}

export interface Storage {
  /** Stores bytes under `cid` after checking they hash to it; atomic (temp file, fsync, rename). */
  putChunk(
    cid: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options?: PutChunkOptions,
  ): Promise<PutChunkResult>;
  /** Streams a stored chunk (or a range of it); null when absent. Corrupt chunks are quarantined, never served. */
  getChunk(cid: string, range?: ByteRange): Promise<ChunkRead | null>;
  hasChunk(cid: string): Promise<boolean>;
  /** Size of a stored chunk without reading it; null when absent. */
  statChunk(cid: string): Promise<ChunkInfo | null>;
  /** True when something was deleted. */
  deleteChunk(cid: string): Promise<boolean>;
  list(): AsyncIterable<ChunkInfo>;
}
