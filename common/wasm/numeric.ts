/**
 * @module Bit-exact float helpers. Floats live on the stack as their IEEE bits (f32: int32 number,
 * f64: int64 bigint). NaN canonicalisation happens in exactly one place: `f32Out` / `f64Out`, which
 * every arithmetic float result passes through (add, sub, mul, div, sqrt, min, max, ceil, floor,
 * trunc, nearest, demote, promote); a NaN result becomes the positive canonical NaN (0x7fc00000,
 * 0x7ff8000000000000). Bit-level operations (const, load, store, abs, neg, copysign, reinterpret,
 * select, locals, globals) never canonicalise, as the spec requires them to keep payloads.
 */

const buf = new ArrayBuffer(8);
const f32a = new Float32Array(buf);
const i32a = new Int32Array(buf);
const f64a = new Float64Array(buf);
const i64a = new BigInt64Array(buf);

const TWO63 = 2 ** 63;
const TWO64 = 2 ** 64;

export const CANONICAL_NAN_32 = 0x7fc00000;
export const CANONICAL_NAN_64 = 0x7ff8000000000000n;

/** f32 bits → JS number (exact). */
export function f32In(bits: number): number {
  i32a[0] = bits;
  return f32a[0] as number;
}
/** JS number (already an f32 value) → bits, canonicalising NaN. */
export function f32Out(x: number): number {
  if (Number.isNaN(x)) return CANONICAL_NAN_32;
  f32a[0] = x;
  return i32a[0] as number;
}
/** f64 bits → JS number. */
export function f64In(bits: bigint): number {
  i64a[0] = bits;
  return f64a[0] as number;
}
/** JS number → f64 bits, canonicalising NaN. */
export function f64Out(x: number): bigint {
  if (Number.isNaN(x)) return BigInt.asIntN(64, CANONICAL_NAN_64);
  f64a[0] = x;
  return i64a[0] as bigint;
}

/** Round half to even (f32/f64 nearest). */
export function nearest(x: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const r = Math.round(x); // rounds half up
  if (Math.abs(x - Math.trunc(x)) === 0.5) {
    const t = 2 * Math.round(x / 2);
    return t === 0 ? (x < 0 ? -0 : 0) : t;
  }
  return r === 0 && x < 0 ? -0 : r;
}

export function f32Min(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return Math.min(a, b);
}
export function f32Max(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.NaN;
  return Math.max(a, b);
}

/** i64/u64 (bigint) → nearest f32, correctly rounded (avoids double rounding through f64). */
export function bigToF32(v: bigint): number {
  const neg = v < 0n;
  let m = neg ? -v : v;
  if (m < 1n << 53n) {
    const x = Math.fround(Number(m));
    return neg ? -x : x;
  }
  const bits = m.toString(2).length;
  const shift = BigInt(bits - 32);
  const sticky = (m & ((1n << shift) - 1n)) !== 0n ? 1n : 0n;
  m = (m >> shift) | sticky;
  const x = Math.fround(Number(m) * 2 ** Number(shift));
  return neg ? -x : x;
}

/** Float → int truncation; returns undefined when the result does not fit (the caller traps). */
export function truncToI32(x: number, signed: boolean): number | undefined {
  if (Number.isNaN(x)) return undefined;
  const t = Math.trunc(x);
  if (signed) return t >= -2147483648 && t <= 2147483647 ? t | 0 : undefined;
  return t >= 0 && t <= 4294967295 ? t | 0 : undefined;
}
export function truncToI64(x: number, signed: boolean): bigint | undefined {
  if (Number.isNaN(x) || !Number.isFinite(x)) return undefined;
  const t = Math.trunc(x);
  if (signed) {
    if (t < -TWO63 || t >= TWO63) return undefined;
    return BigInt(t);
  }
  if (t < 0 || t >= TWO64) return undefined;
  return BigInt.asIntN(64, BigInt(t));
}
export function satToI32(x: number, signed: boolean): number {
  if (Number.isNaN(x)) return 0;
  const t = Math.trunc(x);
  if (signed) return t < -2147483648 ? -2147483648 : t > 2147483647 ? 2147483647 : t | 0;
  return t < 0 ? 0 : t > 4294967295 ? -1 : t | 0;
}
export function satToI64(x: number, signed: boolean): bigint {
  if (Number.isNaN(x)) return 0n;
  if (signed) {
    if (x < -TWO63) return -9223372036854775808n;
    if (x >= TWO63) return 9223372036854775807n;
    return BigInt(Math.trunc(x));
  }
  if (x <= -1 || x < 0) return 0n;
  if (x >= TWO64) return -1n;
  return BigInt.asIntN(64, BigInt(Math.trunc(x)));
}

export function clz64(v: bigint): bigint {
  const hi = Number(BigInt.asIntN(32, v >> 32n));
  if (hi !== 0) return BigInt(Math.clz32(hi));
  return BigInt(32 + Math.clz32(Number(BigInt.asIntN(32, v))));
}
export function ctz32(v: number): number {
  if (v === 0) return 32;
  return 31 - Math.clz32(v & -v);
}
export function ctz64(v: bigint): bigint {
  const lo = Number(BigInt.asIntN(32, v));
  if (lo !== 0) return BigInt(ctz32(lo));
  return BigInt(32 + ctz32(Number(BigInt.asIntN(32, v >> 32n))));
}
export function popcnt32(v: number): number {
  let x = v - ((v >>> 1) & 0x55555555);
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
export function popcnt64(v: bigint): bigint {
  return BigInt(popcnt32(Number(BigInt.asIntN(32, v))) + popcnt32(Number(BigInt.asIntN(32, v >> 32n))));
}
