/**
 * @module LtHash16 (Bellare–Micciancio's lattice multiset hash as parametrised by Lewi, Kim, Maykov and Weis,
 * "Securing Update Propagation with Homomorphic Hashing", 2019): a set of byte strings hashes to the lane-wise sum
 * (mod 2^16) of each element's 2048-byte SHAKE256 expansion, so adding or removing one element costs one
 * expansion whatever the set's size, and the order elements arrive in does not matter. The replay state's
 * digest is built on it (O(changed entries) per digest instead of re-hashing the whole state).
 */
import { createHash } from "node:crypto";
import { endianness } from "node:os";
import { sha256Native } from "../../../common/hash.js";

export const LT_HASH_LANES = 1024;
export const LT_HASH_BYTES = LT_HASH_LANES * 2;
const DOMAIN = new TextEncoder().encode("dsdn.da.v1.ReplayState/LtHash16\0");
const LITTLE_ENDIAN = endianness() === "LE";

/** A 32-byte element id: sha256 of the element's bytes (what is remembered for later removal). */
export function ltElementId(bytes: Uint8Array): Uint8Array {
  return sha256Native(bytes);
}

export class LtHash16 {
  readonly lanes = new Uint16Array(LT_HASH_LANES);
  /** The same lanes two at a time (little-endian hosts add 2 lanes per 32-bit word, carries kept apart). */
  private readonly pairs = new Uint32Array(this.lanes.buffer);

  /** Adds (sign 1) or removes (sign −1) the element whose id (ltElementId) is given. */
  update(elementId: Uint8Array, sign: 1 | -1): void {
    const x = createHash("shake256", { outputLength: LT_HASH_BYTES }).update(elementId).digest();
    if (LITTLE_ENDIAN && x.byteOffset % 4 === 0) {
      // SWAR: each 32-bit word holds two lanes; the top bit of each lane is summed apart so no carry crosses lanes.
      const p = this.pairs;
      const y = new Uint32Array(x.buffer, x.byteOffset, LT_HASH_LANES / 2);
      if (sign === 1)
        for (let i = 0; i < LT_HASH_LANES / 2; i++) {
          const a = p[i]!;
          const b = y[i]!;
          p[i] = ((a & 0x7fff7fff) + (b & 0x7fff7fff)) ^ ((a ^ b) & 0x80008000);
        }
      else
        for (let i = 0; i < LT_HASH_LANES / 2; i++) {
          const a = p[i]!;
          const b = y[i]!;
          p[i] = ((a | 0x80008000) - (b & 0x7fff7fff)) ^ ((a ^ ~b) & 0x80008000);
        }
      return;
    }
    const lanes = this.lanes;
    // Little-endian lanes, read explicitly so the sum is the same on every platform.
    if (sign === 1) for (let i = 0; i < LT_HASH_LANES; i++) lanes[i] = lanes[i]! + (x[2 * i]! | (x[2 * i + 1]! << 8));
    else for (let i = 0; i < LT_HASH_LANES; i++) lanes[i] = lanes[i]! - (x[2 * i]! | (x[2 * i + 1]! << 8));
  }

  /** The accumulator as bytes (lanes little-endian): what a checkpoint stores. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(LT_HASH_BYTES);
    for (let i = 0; i < LT_HASH_LANES; i++) {
      out[2 * i] = this.lanes[i]! & 0xff;
      out[2 * i + 1] = this.lanes[i]! >>> 8;
    }
    return out;
  }

  static fromBytes(b: Uint8Array): LtHash16 {
    if (b.length !== LT_HASH_BYTES) throw new RangeError(`an LtHash16 accumulator is ${LT_HASH_BYTES} bytes`);
    const h = new LtHash16();
    for (let i = 0; i < LT_HASH_LANES; i++) h.lanes[i] = b[2 * i]! | (b[2 * i + 1]! << 8);
    return h;
  }

  /** The 32-byte digest: sha256(domain ‖ accumulator). */
  digest(): Uint8Array {
    return new Uint8Array(createHash("sha256").update(DOMAIN).update(this.toBytes()).digest());
  }
}
