/** @module The decoded (not yet validated) shape of a WebAssembly module. */
import type { FuncType, Limits, ValType } from "./types.js";

/** A constant expression, kept as its single instruction (validated later). */
export type ConstExpr =
  | { readonly op: "i32.const"; readonly value: number }
  | { readonly op: "i64.const"; readonly value: bigint }
  | { readonly op: "f32.const"; readonly value: number }
  | { readonly op: "f64.const"; readonly value: bigint }
  | { readonly op: "global.get"; readonly index: number }
  | { readonly op: "ref.null"; readonly type: ValType }
  | { readonly op: "ref.func"; readonly index: number }
  /** Decoded but not constant: the validator reports it as invalid. */
  | { readonly op: "invalid"; readonly message: string };

export interface TableType {
  readonly elem: ValType;
  readonly limits: Limits;
}
export interface GlobalType {
  readonly type: ValType;
  readonly mutable: boolean;
}
export type ImportDesc =
  | { readonly kind: "func"; readonly type: number }
  | { readonly kind: "table"; readonly table: TableType }
  | { readonly kind: "memory"; readonly limits: Limits }
  | { readonly kind: "global"; readonly global: GlobalType };
export interface Import {
  readonly module: string;
  readonly name: string;
  readonly desc: ImportDesc;
}
export type ExternKind = "func" | "table" | "memory" | "global";
export interface Export {
  readonly name: string;
  readonly kind: ExternKind;
  readonly index: number;
}
export interface ElemSegment {
  readonly mode: "active" | "passive" | "declarative";
  readonly table: number;
  readonly offset: ConstExpr | undefined;
  readonly type: ValType;
  readonly init: readonly ConstExpr[];
}
export interface DataSegment {
  readonly mode: "active" | "passive";
  readonly memory: number;
  readonly offset: ConstExpr | undefined;
  readonly bytes: Uint8Array;
}
export interface FuncBody {
  readonly locals: readonly ValType[];
  /** Start and end (exclusive) of the instruction bytes in the module binary. */
  readonly start: number;
  readonly end: number;
}

export interface DecodedModule {
  readonly bytes: Uint8Array;
  readonly types: FuncType[];
  readonly imports: Import[];
  /** Type index of each function defined in the module (imports excluded). */
  readonly funcs: number[];
  readonly tables: TableType[];
  readonly memories: Limits[];
  readonly globals: { type: GlobalType; init: ConstExpr }[];
  readonly exports: Export[];
  start: number | undefined;
  readonly elems: ElemSegment[];
  dataCount: number | undefined;
  readonly codes: FuncBody[];
  readonly datas: DataSegment[];
}
