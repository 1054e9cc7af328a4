/** @module Fixed byte encodings shared by the chain and off-chain code: UTF-8 and u64 big-endian. */

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
