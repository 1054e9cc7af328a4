/**
 * @module The job's input as the host state commits it: its length and sha256 in the clear and a
 * Merkle root over 1 KiB chunks (depth 22), so a host call that reads input proves only the chunks it
 * copies. `InputBytes` is the live input; a one-step verifier implements `InputSource` over witnesses.
 */
import { levelsOf, pathOf, rootOfLevels } from "./proof/sparseTree.js";
import { type Hash, hashLeaf, sha256Of } from "./trace/hashing.js";

export const INPUT_CHUNK = 1024;
export const INPUT_DEPTH = 22;

/** What host functions may ask of the input. */
export interface InputSource {
  readonly length: number;
  /** sha256 of the whole input (the seed of WASI random_get). */
  readonly hash: Hash;
  root(): Hash;
  /** `n` bytes from `off` (the caller keeps within the input). */
  read(off: number, n: number): Uint8Array;
}

/** Chunk indices covering [off, off + n). */
export function inputChunksOf(off: number, n: number): number[] {
  const out: number[] = [];
  if (n <= 0) return out;
  for (let i = Math.floor(off / INPUT_CHUNK); i * INPUT_CHUNK < off + n; i++) out.push(i);
  return out;
}

/** Byte count of chunk `i` of an input of `length` bytes (the last chunk may be short). */
export function inputChunkLen(length: number, i: number): number {
  return Math.max(0, Math.min(INPUT_CHUNK, length - i * INPUT_CHUNK));
}

export class InputBytes implements InputSource {
  readonly hash: Hash;
  private levels: Hash[][] | undefined;
  constructor(readonly bytes: Uint8Array) {
    if (bytes.length > INPUT_CHUNK * 2 ** INPUT_DEPTH) throw new RangeError("input too large");
    this.hash = sha256Of(bytes);
  }
  get length(): number {
    return this.bytes.length;
  }
  read(off: number, n: number): Uint8Array {
    return this.bytes.subarray(off, off + n);
  }
  chunk(i: number): Uint8Array {
    return this.bytes.slice(i * INPUT_CHUNK, i * INPUT_CHUNK + inputChunkLen(this.bytes.length, i));
  }
  private tree(): Hash[][] {
    if (!this.levels) {
      const leaves: Hash[] = [];
      for (let o = 0; o < this.bytes.length; o += INPUT_CHUNK)
        leaves.push(hashLeaf(this.bytes.subarray(o, o + INPUT_CHUNK)));
      this.levels = levelsOf(leaves, INPUT_DEPTH);
    }
    return this.levels;
  }
  root(): Hash {
    return rootOfLevels(this.tree(), INPUT_DEPTH);
  }
  path(i: number): Hash[] {
    return pathOf(this.tree(), INPUT_DEPTH, i);
  }
}
