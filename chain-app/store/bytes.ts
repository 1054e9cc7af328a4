/** @module Byte helpers for the store: unsigned ordering, prefix bounds and key/value validation. */
import { InvalidArgumentError } from "../../common/errors.js";
import { latin1String } from "../../common/latin1.js";

/** Longest key accepted; chain keys are a few hundred bytes at most, this bound keeps rows and hashing cheap. */
export const MAX_KEY_BYTES = 4096;
/** Largest value accepted (values are expected up to ~1 MiB). */
export const MAX_VALUE_BYTES = 8 * 1024 * 1024;

/** Unsigned lexicographic comparison (the order SQLite uses for BLOBs). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}

/** Views SQLite's Buffer as a plain Uint8Array without copying, so callers see one type. */
export function asU8(buf: Uint8Array): Uint8Array {
  return buf.constructor === Uint8Array ? buf : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Map key for a byte string: latin1 maps byte b to code unit b, so string order equals unsigned byte order. */
export function keyString(key: Uint8Array): string {
  return latin1String(key);
}

/** The smallest key greater than every key starting with `prefix`, or undefined when there is none (all 0xff). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if ((end[i] as number) < 0xff) {
      end[i] = (end[i] as number) + 1;
      return end.subarray(0, i + 1);
    }
  }
  return undefined;
}

export function checkKey(key: unknown): asserts key is Uint8Array {
  if (!(key instanceof Uint8Array)) throw new InvalidArgumentError("store key must be a Uint8Array");
  if (key.length === 0) throw new InvalidArgumentError("store key must not be empty");
  if (key.length > MAX_KEY_BYTES) {
    throw new InvalidArgumentError(`store key too long: ${key.length} bytes (max ${MAX_KEY_BYTES})`);
  }
}

export function checkValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InvalidArgumentError("store value must be a Uint8Array");
  if (value.length > MAX_VALUE_BYTES) {
    throw new InvalidArgumentError(`store value too large: ${value.length} bytes (max ${MAX_VALUE_BYTES})`);
  }
}
