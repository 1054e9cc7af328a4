/** @module Bounded capture of a child's stdout/stderr: keeps the first N bytes and notes that more came. */
import type { Readable } from "node:stream";

export interface BoundedCapture {
  bytes(): Uint8Array;
  readonly truncated: boolean;
}

/** Reads `stream` to the end, keeping at most `max` bytes (the rest is read and dropped). */
export function captureBounded(stream: Readable, max: number): BoundedCapture {
  const chunks: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  stream.on("data", (c: Buffer) => {
    if (kept >= max) {
      truncated = true;
      return;
    }
    const take = c.subarray(0, max - kept);
    if (take.length < c.length) truncated = true;
    chunks.push(take);
    kept += take.length;
  });
  return {
    bytes: () => new Uint8Array(Buffer.concat(chunks)),
    get truncated() {
      return truncated;
    },
  };
}
