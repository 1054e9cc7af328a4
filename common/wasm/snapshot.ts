/**
 * @module A copy of a paused job (machine registers, value stack, frames, the instance's memory, tables,
 * globals and segment drops, the host state) that can be restored into a fresh set-up of the same job,
 * so a fraud-game party re-runs from a kept checkpoint instead of from the start.
 */
import type { HostSave, HostState } from "./hostState.js";
import type { Machine, RunStatus } from "./machine.js";
import type { Instance, WasmFunc } from "./runtime.js";
import { FuncRef, type Value } from "./types.js";

export interface MachineSnapshot {
  readonly status: RunStatus | undefined;
  readonly steps: number;
  readonly fuelLeft: number;
  readonly fsOps: number;
  readonly peakMemory: number;
  readonly tableElementsTotal: number;
  readonly resultArity: number;
  /** Slots below sp (those at or above it are empty in the commitment and never read before written). */
  readonly stack: readonly Value[];
  /** Frames by the store address of their function. */
  readonly frames: readonly { readonly func: number; readonly pc: number; readonly base: number }[];
  readonly memories: readonly { readonly pages: number; readonly bytes: Uint8Array }[];
  readonly tables: readonly (readonly Value[])[];
  readonly globals: readonly Value[];
  readonly dataDropped: readonly boolean[];
  readonly elemDropped: readonly boolean[];
  readonly host: HostSave | undefined;
}

/** Bytes a snapshot holds (memory copies dominate), for a caller that bounds what it keeps. */
export function snapshotBytes(s: MachineSnapshot): number {
  let n = s.stack.length * 16 + s.frames.length * 24;
  for (const m of s.memories) n += m.bytes.length;
  for (const t of s.tables) n += t.length * 8;
  return n;
}

/** Copies the state of `machine` paused between two steps (`inst` is the job's one instance). */
export function takeSnapshot(
  machine: Machine,
  inst: Instance,
  host: HostState | undefined,
  status: RunStatus | undefined,
): MachineSnapshot {
  return {
    status,
    steps: machine.steps,
    fuelLeft: machine.fuelLeft,
    fsOps: machine.fsOps,
    peakMemory: machine.peakMemory,
    tableElementsTotal: machine.tableElementsTotal,
    resultArity: machine.resultArity,
    stack: machine.stack.slice(0, machine.sp),
    frames: machine.frames.map((f) => ({ func: f.func.ref.addr, pc: f.pc, base: f.base })),
    memories: inst.memories.map((m) => ({ pages: m.pages, bytes: m.bytes.slice() })),
    tables: inst.tables.map((t) => t.elems.slice()),
    globals: inst.globals.map((g) => g.value),
    dataDropped: inst.datas.map((d) => d === null),
    elemDropped: inst.elems.map((e) => e === null),
    host: host?.save(),
  };
}

/**
 * Restores `s` into a fresh set-up of the same job (same module, options and therefore the same store
 * layout): function references are re-pointed at this store's functions. Every restored memory chunk
 * is marked dirty, so an incremental commitment already tracking this memory rehashes it.
 */
export function restoreSnapshot(
  machine: Machine,
  inst: Instance,
  host: HostState | undefined,
  s: MachineSnapshot,
): void {
  const funcs = machine.store.funcs;
  const ref = (v: Value): Value => (v instanceof FuncRef ? (funcs[v.addr] as { ref: FuncRef }).ref : v);
  if (inst.memories.length !== s.memories.length || inst.tables.length !== s.tables.length)
    throw new Error("snapshot of another job");
  machine.steps = s.steps;
  machine.fuelLeft = s.fuelLeft;
  machine.fsOps = s.fsOps;
  machine.peakMemory = s.peakMemory;
  machine.tableElementsTotal = s.tableElementsTotal;
  machine.resultArity = s.resultArity;
  machine.stack = s.stack.map(ref);
  machine.sp = s.stack.length;
  machine.frames = s.frames.map((f) => ({ func: funcs[f.func] as WasmFunc, pc: f.pc, base: f.base }));
  s.memories.forEach((sm, i) => {
    const m = inst.memories[i]!;
    if (sm.pages > m.pages && m.grow(sm.pages - m.pages) === -1) throw new Error("snapshot memory over the maximum");
    if (sm.pages !== m.pages) throw new Error("snapshot memory smaller than the fresh one");
    m.bytes.set(sm.bytes);
    m.dirty.fill(1);
  });
  s.tables.forEach((elems, i) => {
    inst.tables[i]!.elems = elems.map(ref) as (typeof inst.tables)[number]["elems"];
  });
  s.globals.forEach((v, i) => {
    inst.globals[i]!.value = ref(v);
  });
  s.dataDropped.forEach((d, i) => {
    if (d) inst.datas[i] = null;
  });
  s.elemDropped.forEach((d, i) => {
    if (d) inst.elems[i] = null;
  });
  if (s.host) host?.restore(s.host);
}
