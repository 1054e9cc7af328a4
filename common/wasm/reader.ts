/** @module A bounds-checked byte reader for the WebAssembly binary format (LEB128, names, vectors). */

/** Raised only inside the decoder; the public API turns it into an error result. */
export class MalformedError extends Error {}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    readonly end = bytes.length,
  ) {
    this.pos = start;
  }
  eof(): boolean {
    return this.pos >= this.end;
  }
  fail(msg: string): never {
    throw new MalformedError(`${msg} at byte ${this.pos}`);
  }
  u8(): number {
    if (this.pos >= this.end) this.fail("unexpected end");
    return this.bytes[this.pos++] as number;
  }
  bytesN(n: number): Uint8Array {
    if (n > this.end - this.pos) this.fail("unexpected end (length out of bounds)");
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  /** Unsigned LEB128 of at most `bits` bits (32 → u32 as a non-negative number). */
  u32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4 && (b & 0x70) !== 0) this.fail("integer too large");
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
    return this.fail("integer representation too long");
  }
  /** Signed LEB128, 32 bits. */
  s32(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      const b = this.u8();
      if (i === 4) {
        // Remaining unused bits must be a sign extension of bit 31.
        const top = b & 0x78;
        if ((b & 0x80) !== 0) this.fail("integer representation too long");
        if (top !== 0 && top !== 0x78) this.fail("integer too large");
        if (top === 0 && (b & 0x08) !== 0) this.fail("integer too large");
        if (top === 0x78 && (b & 0x08) === 0) this.fail("integer too large");
      }
      result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) {
        if (shift < 32 && (b & 0x40) !== 0) result |= -1 << shift;
        return result | 0;
      }
    }
    return this.fail("integer representation too long");
  }
  /** Signed LEB128 of `bits` (33 for block types, 64 for i64.const) as a bigint. */
  sBig(bits: number): bigint {
    let result = 0n;
    let shift = 0n;
    const maxBytes = Math.ceil(bits / 7);
    for (let i = 0; i < maxBytes; i++) {
      const b = this.u8();
      if (i === maxBytes - 1) {
        if ((b & 0x80) !== 0) this.fail("integer representation too long");
        const used = bits - 7 * i; // meaningful bits in this byte (1..7)
        const mask = (0x7f << (used - 1)) & 0x7f; // sign bit and unused bits
        const top = b & mask;
        if (top !== 0 && top !== mask) this.fail("integer too large");
      }
      result |= BigInt(b & 0x7f) << shift;
      shift += 7n;
      if ((b & 0x80) === 0) {
        if ((b & 0x40) !== 0) result -= 1n << shift;
        return BigInt.asIntN(bits, result);
      }
    }
    return this.fail("integer representation too long");
  }
  f32bits(): number {
    const b = this.bytesN(4);
    return b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24) | 0;
  }
  f64bits(): bigint {
    const lo = BigInt(this.f32bits() >>> 0);
    const hi = BigInt(this.f32bits() >>> 0);
    return BigInt.asIntN(64, (hi << 32n) | lo);
  }
  name(): string {
    const n = this.u32();
    const b = this.bytesN(n);
    try {
      return utf8.decode(b);
    } catch {
      return this.fail("malformed UTF-8 encoding");
    }
  }
}
