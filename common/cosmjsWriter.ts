/** @module Replaces cosmjs-types' BinaryWriter.alloc, which allocates a fresh 8 KiB slab for every small message it finishes. */
import { BinaryWriter } from "cosmjs-types/binary";

/**
 * cosmjs-types 0.11 builds a new `pool()` inside every `alloc` call, so each `finish()` of a message under
 * 4 KiB zero-fills an 8 KiB slab and returns a view of it: per tx that is several slabs of garbage and
 * a large share of the chain's GC. An exact-size array gives the same bytes (the writer fills every byte
 * it allocates) and a result whose `.buffer` is its own.
 */
export function exactAlloc(size: number): Uint8Array {
  return new Uint8Array(size);
}

(BinaryWriter as unknown as { alloc: (size: number) => Uint8Array }).alloc = exactAlloc;
