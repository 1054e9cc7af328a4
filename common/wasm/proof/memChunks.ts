/** @module Byte access across 1 KiB memory chunks, for the prover's and verifier's contexts (instructions and host calls). */
import type { HostMemory } from "../host.js";
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

/**
 * Linear memory as host functions see it (HostMemory), over 1 KiB chunks: the prover's copies of the
 * live chunks or the verifier's witnessed ones. `written(i)` hears of every chunk a write changes.
 */
export class ChunkMemory implements HostMemory {
  constructor(
    readonly size: number,
    private readonly chunk: (i: number) => Uint8Array,
    private readonly written: (i: number) => void = () => {},
  ) {}
  read(addr: number, len: number): Uint8Array {
    return readChunked(this.chunk, addr, len);
  }
  getU32(addr: number): number {
    return new DataView(this.read(addr, 4).buffer).getUint32(0, true);
  }
  write(src: Uint8Array, addr: number): void {
    for (const i of writeChunked(this.chunk, addr, src)) this.written(i);
  }
  setU8(addr: number, v: number): void {
    this.write(new Uint8Array([v]), addr);
  }
  setU32(addr: number, v: number, le: boolean): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, le);
    this.write(b, addr);
  }
  setU64(addr: number, v: bigint, le: boolean): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, le);
    this.write(b, addr);
  }
}
