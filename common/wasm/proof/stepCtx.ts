/**
 * @module What one step may touch, as an interface: the prover implements it over the live machine
 * (recording every access), the verifier over the proof's witnesses (refusing anything not proven).
 * The step semantics in step.ts are written once against it.
 */
import type { HostMeter, HostSignal } from "../host.js";
import type { Value } from "../types.js";
import type { FuncMeta } from "./stepState.js";

export interface CallerFrame {
  readonly func: number;
  readonly pc: number;
  readonly base: number;
}

export interface StepCtx {
  /** The current function's metadata (proven against the functions root). */
  readonly meta: FuncMeta;
  /** Word `i` of the current function's compact code. */
  code(i: number): number;
  /** Entry `i` of the current function's 64-bit constant pool. */
  const64(i: number): bigint;
  /** Value-stack slot `pos` (absolute; locals are slots too). */
  get(pos: number): Value;
  set(pos: number, v: Value): void;
  /** Empties slot `pos` (slots at or above sp are empty in the commitment). */
  clear(pos: number): void;
  global(i: number): Value;
  setGlobal(i: number, v: Value): void;
  /** `size` bytes of linear memory at `addr` (bounds already checked). */
  memRead(addr: number, size: number): Uint8Array;
  memWrite(addr: number, bytes: Uint8Array): void;
  /** The function at index `i` of the current function's instance: its store address and metadata. */
  callee(i: number): { readonly addr: number; readonly meta: FuncMeta };
  /** The function at store address `addr` (the target of call_indirect). */
  funcAt(addr: number): FuncMeta;
  /** Signature hash of type `i` of the current function's instance. */
  typeSig(i: number): Uint8Array;
  tableSize(t: number): number;
  tableGet(t: number, i: number): Value;
  tableSet(t: number, i: number, v: Value): void;
  /** Changes table `t`'s size (table.grow; the new elements are set with tableSet). */
  tableResize(t: number, size: number): void;
  tableMax(t: number): number;
  /** Elements of all the machine's tables together (what ExecLimits.tableElements bounds). */
  tableTotal(): number;
  /** Element `i` of element segment `seg` of the main instance (bounds already checked). */
  elemSegGet(seg: number, i: number): Value;
  /** Length of data segment `seg` of the main instance (0 once dropped). */
  dataLen(seg: number): number;
  /** `n` bytes of data segment `seg` at `off` (bounds already checked). */
  dataRead(seg: number, off: number, n: number): Uint8Array;
  dataDrop(seg: number): void;
  /** Length of element segment `seg` of the main instance (0 once dropped). */
  elemSegLen(seg: number): number;
  elemDrop(seg: number): void;
  /**
   * Runs the host function at store address `addr` (leaf `meta`, already proven) on `args` under
   * `meter`: the same implementation the run linked, over the live state (prover, recording) or
   * over witnessed memory, input and key-value views (verifier).
   */
  hostCall(addr: number, meta: FuncMeta, meter: HostMeter, args: Value[]): Value[] | HostSignal;
  /** Pushes the caller frame onto the frame chain. */
  pushCaller(f: CallerFrame): void;
  /** Pops the innermost caller frame off the frame chain; undefined when there is none. */
  popCaller(): CallerFrame | undefined;
}
