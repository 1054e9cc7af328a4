/** @module Deterministic encodings for store keys and values: u64 big-endian, decimal amounts, canonical JSON. */

const utf8Enc = new TextEncoder();
const utf8Dec = new TextDecoder("utf-8", { fatal: true });

export const utf8 = (s: string): Uint8Array => utf8Enc.encode(s);
export const fromUtf8 = (b: Uint8Array): string => utf8Dec.decode(b);

export function u64be(n: bigint): Uint8Array {
  if (n < 0n || n >= 1n << 64n) throw new RangeError(`u64 out of range: ${n}`);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, n);
  return out;
}

export function readU64be(b: Uint8Array): bigint {
  if (b.length !== 8) throw new RangeError("u64 needs 8 bytes");
  return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
}

/** Non-negative integer amounts stored as decimal ASCII (exact, readable in proofs). */
export const encodeAmount = (n: bigint): Uint8Array => utf8(n.toString());
export const decodeAmount = (b: Uint8Array): bigint => BigInt(fromUtf8(b));

/** JSON with sorted object keys and bigints as decimal strings: equal values give equal bytes. */
export function canonicalJson(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === "bigint") return v.toString();
    if (v instanceof Uint8Array) return Buffer.from(v).toString("hex");
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) {
        const x = (v as Record<string, unknown>)[k];
        if (x !== undefined) out[k] = norm(x);
      }
      return out;
    }
    if (typeof v === "number" && !Number.isSafeInteger(v)) throw new TypeError("no floats in chain state");
    return v;
  };
  return JSON.stringify(norm(value));
}

/** Byte concatenation (the one in common/hash.ts, under the name chain code uses). */
export { concatBytes as concat } from "../common/hash.js";

/** Exclusive end of a prefix range (defined with the store's key helpers). */
export { prefixEnd } from "./store/bytes.js";

/**
 * An address inside a store key: one length byte, then the address (the SDK's `address.MustLengthPrefix`).
 * Without it a 32-byte address that starts with a 20-byte one would share its key range.
 */
export function addrKey(addr: Uint8Array): Uint8Array {
  if (addr.length === 0 || addr.length > 255) throw new RangeError(`address of ${addr.length} bytes in a store key`);
  const out = new Uint8Array(1 + addr.length);
  out[0] = addr.length;
  out.set(addr, 1);
  return out;
}

/** Reads a length-prefixed address at `offset` of a store key; returns it and the offset after it. */
export function readAddrKey(key: Uint8Array, offset: number): { addr: Uint8Array; end: number } {
  const len = key[offset];
  if (len === undefined || len === 0 || offset + 1 + len > key.length) throw new RangeError("malformed address in key");
  return { addr: key.slice(offset + 1, offset + 1 + len), end: offset + 1 + len };
}
