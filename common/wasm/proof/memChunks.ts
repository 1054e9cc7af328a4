/** @module Byte access across 1 KiB memory chunks (an access of up to 8 bytes spans at most two), for the prover's and verifier's contexts. */
import { LEAF_BYTES } from "../trace/memoryMerkle.js";

/** Reads `size` bytes at `addr` from chunks supplied by `chunk(index)`. */
export function readChunked(chunk: (i: number) => Uint8Array, addr: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let k = 0; k < size; k++) {
    const a = addr + k;
    out[k] = chunk(Math.floor(a / LEAF_BYTES))[a % LEAF_BYTES] as number;
  }
  return out;
}

/** Writes `bytes` at `addr` into chunks supplied by `chunk(index)` (mutable copies); returns the chunk indices written. */
export function writeChunked(chunk: (i: number) => Uint8Array, addr: number, bytes: Uint8Array): Set<number> {
  const touched = new Set<number>();
  for (let k = 0; k < bytes.length; k++) {
    const a = addr + k;
    const i = Math.floor(a / LEAF_BYTES);
    chunk(i)[a % LEAF_BYTES] = bytes[k] as number;
    touched.add(i);
  }
  return touched;
}
