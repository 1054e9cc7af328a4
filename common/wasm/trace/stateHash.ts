/**
 * @module The machine-state commitment, defined in this one place: code, status, step and fuel
 * counters, frames, value stack, globals, tables, dropped segments, memory (Merkle root) and host
 * state (input position, output and log hash chains, key-value root, random counter).
 */
import { type HostState, hashHostCommit } from "../hostState.js";
import type { Frame, Machine } from "../machine.js";
import type { Instance } from "../runtime.js";
import { ExternRef, FuncRef, type Value } from "../types.js";
import { type Hash, Writer } from "./hashing.js";
import type { MemoryMerkle } from "./memoryMerkle.js";

export const STATE_VERSION = "dsdn-wasm-state-v1";

export function writeValue(w: Writer, v: Value): void {
  if (typeof v === "number") w.u8(1).u32(v);
  else if (typeof v === "bigint") w.u8(2).u64(v);
  else if (v === null) w.u8(3);
  else if (v instanceof FuncRef) w.u8(4).u32(v.addr);
  else if (v instanceof ExternRef) w.u8(5).u32(v.id);
}

export interface StateParts {
  readonly codeHash: Hash;
  readonly status: number;
  readonly steps: number;
  readonly fuelLeft: number;
  readonly stackHash: Hash;
  readonly framesHash: Hash;
  readonly globalsHash: Hash;
  readonly tablesHash: Hash;
  readonly memoryPages: number;
  readonly memoryRoot: Hash;
  readonly hostHash: Hash;
}

/** Status codes in the commitment. */
export const STATUS = { running: 0, done: 1, trap: 2, exit: 3 } as const;

export function stateParts(
  machine: Machine,
  inst: Instance,
  host: HostState,
  mem: MemoryMerkle,
  codeHash: Hash,
  status: number,
): StateParts {
  const stack = new Writer().u32(machine.sp);
  for (let i = 0; i < machine.sp; i++) writeValue(stack, machine.stack[i] as Value);
  const frames = new Writer().u32(machine.frames.length);
  for (const f of machine.frames as Frame[]) frames.u32(f.func.ref.addr).u32(f.pc).u32(f.base);
  const globals = new Writer().u32(inst.globals.length);
  for (const g of inst.globals) writeValue(globals, g.value);
  const tables = new Writer().u32(inst.tables.length);
  for (const t of inst.tables) {
    tables.u32(t.elems.length);
    for (const e of t.elems) writeValue(tables, e);
  }
  tables.u32(inst.datas.length);
  for (const d of inst.datas) tables.u8(d === null ? 0 : 1);
  tables.u32(inst.elems.length);
  for (const e of inst.elems) tables.u8(e === null ? 0 : 1);
  const m = inst.memories[0];
  const hostW = new Writer().bytes(hashHostCommit(host.commit()));
  return {
    codeHash,
    status,
    steps: machine.steps,
    fuelLeft: machine.fuelLeft,
    stackHash: stack.digest(),
    framesHash: frames.digest(),
    globalsHash: globals.digest(),
    tablesHash: tables.digest(),
    memoryPages: m ? m.pages : 0,
    memoryRoot: m ? mem.update(m) : new Uint8Array(32),
    hostHash: hostW.digest(),
  };
}

export function hashState(p: StateParts): Hash {
  return new Writer()
    .text(STATE_VERSION)
    .bytes(p.codeHash)
    .u8(p.status)
    .u64(BigInt(p.steps))
    .u64(BigInt(p.fuelLeft))
    .bytes(p.stackHash)
    .bytes(p.framesHash)
    .bytes(p.globalsHash)
    .bytes(p.tablesHash)
    .u32(p.memoryPages)
    .bytes(p.memoryRoot)
    .bytes(p.hostHash)
    .digest();
}
