/** @module ABCI socket framing: unsigned-uvarint length prefix + message bytes, with a streaming decoder. */

import { BaseError, ErrorCode } from "../../common/errors.js";

/**
 * CometBFT's own ABCI reader refuses messages above 100 MiB (abci/types/messages.go maxMsgSize),
 * so nothing larger can be legitimate on this socket.
 */
export const DEFAULT_MAX_FRAME_BYTES = 104_857_600;

/** A uvarint never needs more than 10 bytes for a 64-bit value. */
const MAX_VARINT_BYTES = 10;

/** The byte stream is not a valid sequence of ABCI frames; the connection cannot be trusted after this. */
export class FrameError extends BaseError {
  override readonly name = "FrameError";
}

/** Unsigned LEB128 (protobuf varint) encoding of a non-negative safe integer. */
export function encodeUvarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new FrameError(ErrorCode.InvalidArgument, `uvarint value must be a non-negative safe integer, got ${value}`);
  }
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return Uint8Array.from(out);
}

/** One frame: uvarint(body.length) ‖ body. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const prefix = encodeUvarint(body.length);
  const frame = new Uint8Array(prefix.length + body.length);
  frame.set(prefix, 0);
  frame.set(body, prefix.length);
  return frame;
}

export interface FrameDecoderOptions {
  /** Largest body accepted; a larger announced length is refused before any of it is buffered. */
  readonly maxFrameBytes?: number;
}

/**
 * Streaming decoder: feed it socket chunks as they arrive, get back every complete body.
 * Bodies may be split across chunks (even the length prefix) and one chunk may hold many
 * frames. Buffered chunks are only joined when one body spans them, so a large body costs
 * one copy, not one per read.
 */
export class FrameDecoder {
  readonly #max: number;
  #chunks: Uint8Array[] = [];
  /** Offset already consumed in #chunks[0]. */
  #head = 0;
  #buffered = 0;
  /** Length of the body being collected, once its prefix has been read. */
  #expected: number | undefined;
  #failed: FrameError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isSafeInteger(max) || max < 0) {
      throw new FrameError(ErrorCode.InvalidArgument, `maxFrameBytes must be a non-negative integer, got ${max}`);
    }
    this.#max = max;
  }

  /** Bytes received but not yet returned as part of a complete body. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /**
   * Adds a chunk and returns the bodies it completed, in order. Throws FrameError on a malformed
   * or oversized prefix; after that the decoder stays failed (the stream has lost sync).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.#failed) throw this.#failed;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const bodies: Uint8Array[] = [];
    for (;;) {
      if (this.#expected === undefined) {
        const prefix = this.#readPrefix();
        if (prefix === undefined) break;
        this.#consume(prefix.bytes);
        this.#expected = prefix.value;
      }
      if (this.#buffered < this.#expected) break;
      bodies.push(this.#take(this.#expected));
      this.#expected = undefined;
    }
    return bodies;
  }

  /** Parses the length prefix at the read position without consuming it; undefined if incomplete. */
  #readPrefix(): { value: number; bytes: number } | undefined {
    let value = 0;
    let scale = 1;
    let bytes = 0;
    let offset = this.#head;
    for (const chunk of this.#chunks) {
      for (; offset < chunk.length; offset++) {
        const b = chunk[offset]!;
        bytes++;
        value += (b & 0x7f) * scale;
        scale *= 0x80;
        if (value > this.#max) {
          // Refuse as soon as the announced length is known to be too big, before buffering it.
          this.#fail(new FrameError(ErrorCode.TooLarge, `ABCI frame length exceeds the ${this.#max}-byte limit`));
        }
        if ((b & 0x80) === 0) return { value, bytes };
        if (bytes >= MAX_VARINT_BYTES) {
          this.#fail(new FrameError(ErrorCode.Decode, "ABCI frame length prefix is not a valid uvarint"));
        }
      }
      offset = 0;
    }
    return undefined;
  }

  #fail(error: FrameError): never {
    this.#failed = error;
    this.#chunks = [];
    this.#head = 0;
    this.#buffered = 0;
    throw error;
  }

  #consume(n: number): void {
    let left = n;
    while (left > 0) {
      const first = this.#chunks[0]!;
      const available = first.length - this.#head;
      if (available > left) {
        this.#head += left;
        break;
      }
      left -= available;
      this.#chunks.shift();
      this.#head = 0;
    }
    this.#buffered -= n;
  }

  /** Removes n bytes from the front and returns them as a fresh copy (callers may keep it). */
  #take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let written = 0;
    while (written < n) {
      const first = this.#chunks[0]!;
      const end = Math.min(first.length, this.#head + (n - written));
      out.set(first.subarray(this.#head, end), written);
      written += end - this.#head;
      if (end === first.length) {
        this.#chunks.shift();
        this.#head = 0;
      } else {
        this.#head = end;
      }
    }
    this.#buffered -= n;
    return out;
  }
}
