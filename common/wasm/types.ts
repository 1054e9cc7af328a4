/** @module Core WebAssembly types shared by the decoder, validator and interpreter (no Node-only APIs). */

/** Value type codes, as they appear in the binary format. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export const FUNCREF = 0x70;
export const EXTERNREF = 0x6f;
export type ValType = number;

export function isNumType(t: ValType): boolean {
  return t === I32 || t === I64 || t === F32 || t === F64;
}
export function isRefType(t: ValType): boolean {
  return t === FUNCREF || t === EXTERNREF;
}
export function valTypeName(t: ValType): string {
  switch (t) {
    case I32:
      return "i32";
    case I64:
      return "i64";
    case F32:
      return "f32";
    case F64:
      return "f64";
    case FUNCREF:
      return "funcref";
    case EXTERNREF:
      return "externref";
    default:
      return `0x${t.toString(16)}`;
  }
}

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export function sameFuncType(a: FuncType, b: FuncType): boolean {
  if (a.params.length !== b.params.length || a.results.length !== b.results.length) return false;
  for (let i = 0; i < a.params.length; i++) if (a.params[i] !== b.params[i]) return false;
  for (let i = 0; i < a.results.length; i++) if (a.results[i] !== b.results[i]) return false;
  return true;
}

export interface Limits {
  readonly min: number;
  readonly max: number | undefined;
}

/** A reference to a function instance (one object per function address, so no allocation per ref). */
export class FuncRef {
  constructor(readonly addr: number) {}
}
/** An opaque host reference (externref); only hosts create them. */
export class ExternRef {
  constructor(readonly id: number) {}
}
export type Ref = FuncRef | ExternRef | null;

/**
 * A runtime value. Every value is held as its exact bit pattern so that NaN payloads survive and the
 * machine state can be hashed: i32 and f32 as a signed 32-bit number (f32 = its IEEE bits), i64 and
 * f64 as a signed 64-bit bigint (f64 = its IEEE bits), references as objects or null.
 */
export type Value = number | bigint | Ref;

/** A trap is a value, never an escaping exception. */
export interface Trap {
  readonly trap: string;
}
