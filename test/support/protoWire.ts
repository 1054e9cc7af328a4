/** @module Raw protobuf wire pieces for tests that craft bytes no encoder would produce (unknown fields, bad wire types). */
import { concatBytes } from "../../common/hash.js";

export { concatBytes };

/** Unsigned LEB128 varint of any size (huge varints included). */
export function varint(n: bigint | number): Uint8Array {
  let v = BigInt(n);
  const out: number[] = [];
  do {
    let b = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) b |= 0x80;
    out.push(b);
  } while (v > 0n);
  return Uint8Array.from(out);
}

export const tag = (field: number, wireType: number): Uint8Array => varint((BigInt(field) << 3n) | BigInt(wireType));
/** A length-delimited field (wire type 2). */
export const lenField = (field: number, value: Uint8Array): Uint8Array =>
  concatBytes(tag(field, 2), varint(value.length), value);
/** A varint field (wire type 0). */
export const varintField = (field: number, value: bigint | number): Uint8Array =>
  concatBytes(tag(field, 0), varint(value));
