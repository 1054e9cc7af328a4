/** @module Replaces cosmjs-types' BinaryReader.string with an ASCII fast path that gives the very same strings. */
import { BinaryReader } from "cosmjs-types/binary";
import { utf8Read } from "cosmjs-types/utf8";
import { latin1String } from "./latin1.js";

/**
 * cosmjs-types 0.11 decodes every string field through `utf8Read`, which builds an array of code units, copies
 * it and spreads it into `String.fromCharCode`: the addresses, denoms and type URLs of each tx and account
 * (all ASCII) were the largest share of the chain's allocations per tx. For ASCII bytes utf8Read yields byte b as
 * code unit b, which is exactly latin1; anything else still goes through utf8Read itself, so every string a
 * node decodes, valid UTF-8 or not, is the one it decoded before (consensus depends on it).
 */
export function readString(this: BinaryReader): string {
  const bytes = this.bytes();
  const n = bytes.length;
  for (let i = 0; i < n; i++) if ((bytes[i] as number) >= 0x80) return utf8Read(bytes, 0, n);
  return n === 0 ? "" : latin1String(bytes);
}

(BinaryReader.prototype as unknown as { string: () => string }).string = readString;
