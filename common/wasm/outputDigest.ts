/**
 * @module The job output's running SHA-256 as a serialisable midstate (8 state words, the < 64
 * buffered bytes, the byte count), so a one-step proof can carry it and the final `outputHash` is a
 * pure function of it. Built on noble's SHA-256 (its state accessors), not a hand-written compression.
 */
import { _SHA256 } from "@noble/hashes/sha2.js";

export interface Midstate {
  /** The eight 32-bit chaining words (unsigned). */
  readonly h: readonly number[];
  /** Bytes buffered for the next block (fewer than 64). */
  readonly tail: Uint8Array;
  /** Bytes hashed so far (tail included). */
  readonly length: number;
}

/** noble's SHA-256 with its protected state exposed (get/set, buffer, pos, length). */
class OpenSha256 extends _SHA256 {
  static from(m: Midstate): OpenSha256 {
    if (m.h.length !== 8 || m.tail.length >= 64 || !Number.isSafeInteger(m.length) || m.length < m.tail.length)
      throw new RangeError("malformed SHA-256 midstate");
    if ((m.length - m.tail.length) % 64 !== 0) throw new RangeError("midstate length and tail disagree");
    const s = new OpenSha256();
    const h = m.h as [number, number, number, number, number, number, number, number];
    s.set(...h);
    s.buffer.set(m.tail);
    s.pos = m.tail.length;
    s.length = m.length;
    return s;
  }
  midstate(): Midstate {
    return { h: this.get().map((x) => x >>> 0), tail: this.buffer.slice(0, this.pos), length: this.length };
  }
}

export const EMPTY_MIDSTATE: Midstate = new OpenSha256().midstate();

/** A running digest: append bytes, read the midstate, finish without disturbing it. */
export class OutputDigest {
  private s: OpenSha256;
  constructor(from: Midstate = EMPTY_MIDSTATE) {
    this.s = OpenSha256.from(from);
  }
  update(bytes: Uint8Array): void {
    if (bytes.length > 0) this.s.update(bytes);
  }
  get length(): number {
    return this.s.midstate().length;
  }
  midstate(): Midstate {
    return this.s.midstate();
  }
}

/** sha256 of everything hashed into `m` (what the receipt's output_hash is). */
export function finishMidstate(m: Midstate): Uint8Array {
  return OpenSha256.from(m).digest();
}
