/**
 * @module Deterministic execution parameters: the fuel cost table and the resource limits. These are
 * protocol constants (the chain will carry them in params), so they are plain integers.
 */
import { Op } from "./opcodes.js";

export interface FuelCosts {
  /** Every instruction not in a class below. */
  readonly base: number;
  /** Loads and stores. */
  readonly memory: number;
  /** call, call_indirect (plus the callee's locals, see perLocal). */
  readonly call: number;
  /** Per declared local zero-initialised on a call. */
  readonly perLocal: number;
  /** Integer division/remainder and float division/sqrt. */
  readonly divide: number;
  /** Bulk memory/table instructions charge one extra unit per this many bytes or elements. */
  readonly bytesPerFuel: number;
  /** memory.grow / table.grow: extra per page (or per 64 table elements) actually added. */
  readonly growPerPage: number;
  /** Host calls (WASI, host ABI): base cost; byte-moving host calls also pay per bytesPerFuel. */
  readonly hostCall: number;
}

export interface ExecLimits {
  /** Fuel available for instantiation plus the invocation. */
  readonly fuel: number;
  /** Upper bound on linear memory, in 64 KiB pages (also caps a module's declared maximum). */
  readonly memoryPages: number;
  /** Maximum number of nested wasm call frames. */
  readonly callDepth: number;
  /** Maximum number of value-stack slots (locals and operands of all frames). */
  readonly valueStack: number;
  /** Maximum elements of one table. */
  readonly tableElements: number;
  /**
   * Piece size of bulk instructions: most bytes one step of memory.fill/copy/init moves, and most
   * elements one step of table.fill/copy/init moves; a larger instruction runs as several steps
   * (bulkPiece.ts), which is what bounds a one-step proof. table.grow beyond bulkElems returns -1
   * (which the spec allows).
   */
  readonly bulkBytes: number;
  readonly bulkElems: number;
}

export const DEFAULT_FUEL_COSTS: FuelCosts = {
  base: 1,
  memory: 2,
  call: 4,
  perLocal: 1,
  divide: 4,
  bytesPerFuel: 64,
  growPerPage: 64,
  hostCall: 16,
};

export const DEFAULT_LIMITS: ExecLimits = {
  fuel: 10_000_000_000,
  memoryPages: 1024, // 64 MiB
  callDepth: 1024,
  valueStack: 1 << 20,
  tableElements: 1 << 20,
  bulkBytes: 1 << 16,
  bulkElems: 1 << 10,
};

/** Checks a cost table (all non-negative safe integers, bytesPerFuel ≥ 1). */
export function validateFuelCosts(c: FuelCosts): void {
  for (const [k, v] of Object.entries(c)) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`fuel cost ${k} must be a non-negative integer`);
  }
  if (c.bytesPerFuel < 1) throw new Error("fuel cost bytesPerFuel must be at least 1");
}

/** Expands the cost classes into a per-internal-opcode table. */
export function costTable(c: FuelCosts): Uint32Array {
  validateFuelCosts(c);
  const t = new Uint32Array(256).fill(c.base);
  for (let op = 0x28; op <= 0x3e; op++) t[op] = c.memory;
  t[Op.CALL] = c.call;
  t[Op.CALL_INDIRECT] = c.call;
  for (const op of [0x6d, 0x6e, 0x6f, 0x70, 0x7f, 0x80, 0x81, 0x82, 0x91, 0x95, 0x9f, 0xa3]) t[op] = c.divide;
  return t;
}
