/**
 * @module Compiling (decode + validate) and instantiating modules: import matching, segment
 * initialisation in order (WebAssembly 2.0 semantics: a failing segment traps after the earlier ones
 * took effect), and the start function. Every failure is returned as a value.
 */
import { decodeModule, MalformedError, scanBodies } from "./decoder.js";
import type { Machine, RunStatus } from "./machine.js";
import { zeroValue } from "./machine.js";
import type { ConstExpr, ImportDesc } from "./module.js";
import { type Extern, type FuncInst, Global, type Instance, Memory, PAGE_SIZE, Table } from "./runtime.js";
import { type FuncType, type Limits, type Ref, sameFuncType, type Value } from "./types.js";
import { type ValidatedModule, ValidationError, validateModule } from "./validate.js";

export type CompileResult =
  | { readonly ok: true; readonly module: ValidatedModule }
  | { readonly ok: false; readonly kind: "malformed" | "invalid"; readonly message: string };

/** Decodes and validates a binary; never throws for bad input. */
export function compileModule(bytes: Uint8Array): CompileResult {
  try {
    const decoded = decodeModule(bytes);
    try {
      return { ok: true, module: validateModule(decoded) };
    } catch (e) {
      if (e instanceof ValidationError) scanBodies(decoded);
      throw e;
    }
  } catch (e) {
    if (e instanceof MalformedError) return { ok: false, kind: "malformed", message: e.message };
    if (e instanceof ValidationError) return { ok: false, kind: "invalid", message: e.message };
    if (e instanceof RangeError) return { ok: false, kind: "malformed", message: e.message };
    throw e;
  }
}

/** Resolves one import; `desc` is what the module declares (hosts may build a stub of that type). */
export type ImportResolver = (
  module: string,
  name: string,
  desc: ImportDesc,
  types: readonly FuncType[],
) => Extern | undefined;

export type InstantiateResult =
  | { readonly ok: true; readonly instance: Instance }
  | { readonly ok: false; readonly kind: "unlinkable"; readonly message: string }
  | { readonly ok: false; readonly kind: "trap"; readonly message: string; readonly status: RunStatus };

function limitsMatch(actualMin: number, actualMax: number | undefined, want: Limits): boolean {
  if (actualMin < want.min) return false;
  if (want.max !== undefined) {
    if (actualMax === undefined || actualMax > want.max) return false;
  }
  return true;
}

export function instantiate(machine: Machine, module: ValidatedModule, resolve: ImportResolver): InstantiateResult {
  const d = module.decoded;
  const inst: Instance = {
    module,
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    elems: [],
    datas: [],
    exports: new Map(),
  };
  for (const imp of d.imports) {
    const ext = resolve(imp.module, imp.name, imp.desc, module.types);
    const where = `${imp.module}.${imp.name}`;
    if (!ext) return { ok: false, kind: "unlinkable", message: `unknown import ${where}` };
    const desc = imp.desc;
    if (ext.kind !== desc.kind)
      return { ok: false, kind: "unlinkable", message: `incompatible import type for ${where}` };
    if (desc.kind === "func") {
      const f = ext.value as FuncInst;
      if (!sameFuncType(f.type, module.types[desc.type] as FuncType)) {
        return { ok: false, kind: "unlinkable", message: `incompatible import type for ${where} (function signature)` };
      }
      inst.funcs.push(f);
    } else if (desc.kind === "table") {
      const t = ext.value as Table;
      if (t.elemType !== desc.table.elem || !limitsMatch(t.elems.length, t.declaredMax, desc.table.limits)) {
        return { ok: false, kind: "unlinkable", message: `incompatible import type for ${where} (table)` };
      }
      inst.tables.push(t);
    } else if (desc.kind === "memory") {
      const m = ext.value as Memory;
      if (!limitsMatch(m.pages, m.declaredMax, desc.limits)) {
        return { ok: false, kind: "unlinkable", message: `incompatible import type for ${where} (memory limits)` };
      }
      inst.memories.push(m);
    } else {
      const g = ext.value as Global;
      if (g.type !== desc.global.type || g.mutable !== desc.global.mutable) {
        return { ok: false, kind: "unlinkable", message: `incompatible import type for ${where} (global)` };
      }
      inst.globals.push(g);
    }
  }
  for (let i = 0; i < module.compiled.length; i++) {
    const c = module.compiled[i]!;
    inst.funcs.push(machine.store.addWasm(c.type, inst, c));
  }
  const lim = machine.limits;
  for (const t of d.tables) {
    // The element limit is for all tables of the machine together (many small tables add up).
    if (machine.tableElementsTotal + t.limits.min > lim.tableElements) {
      return trapped(`tables exceed the limit of ${lim.tableElements} elements`);
    }
    machine.tableElementsTotal += t.limits.min;
    const max = Math.min(t.limits.max ?? 0xffffffff, lim.tableElements);
    inst.tables.push(new Table(t.elem, new Array<Ref>(t.limits.min).fill(null), max, t.limits.max));
  }
  for (const l of d.memories) {
    if (l.min > lim.memoryPages) {
      const trap = `memory of ${l.min} pages exceeds the limit of ${lim.memoryPages} pages`;
      return { ok: false, kind: "trap", message: trap, status: { status: "trap", trap } };
    }
    const max = Math.min(l.max ?? 65536, lim.memoryPages);
    inst.memories.push(new Memory(l.min, max, l.max));
    machine.notePeak(l.min * PAGE_SIZE);
  }
  const evalConst = (e: ConstExpr): Value => {
    switch (e.op) {
      case "i32.const":
      case "f32.const":
      case "i64.const":
      case "f64.const":
        return e.value;
      case "global.get":
        return (inst.globals[e.index] as Global).value;
      case "ref.null":
        return null;
      case "ref.func":
        return (inst.funcs[e.index] as FuncInst).ref;
      case "invalid":
        throw new Error("unreachable: invalid constant survived validation");
    }
  };
  for (const g of d.globals) inst.globals.push(new Global(g.type.type, g.type.mutable, evalConst(g.init)));
  for (const e of d.elems)
    inst.elems.push(
      e.mode === "passive" ? e.init.map((x) => evalConst(x) as Ref) : e.init.map((x) => evalConst(x) as Ref),
    );
  for (const ds of d.datas) inst.datas.push(ds.bytes);
  for (const ex of d.exports) {
    const list =
      ex.kind === "func"
        ? inst.funcs
        : ex.kind === "table"
          ? inst.tables
          : ex.kind === "memory"
            ? inst.memories
            : inst.globals;
    inst.exports.set(ex.name, { kind: ex.kind, value: list[ex.index] } as Extern);
  }
  // Segment initialisation, in order.
  for (let i = 0; i < d.elems.length; i++) {
    const e = d.elems[i]!;
    if (e.mode === "active") {
      const t = inst.tables[e.table] as Table;
      const off = (evalConst(e.offset as ConstExpr) as number) >>> 0;
      const seg = inst.elems[i] as Ref[];
      if (off + seg.length > t.elems.length) return trapped("out of bounds table access");
      for (let k = 0; k < seg.length; k++) t.elems[off + k] = seg[k] as Ref;
    }
    if (e.mode !== "passive") inst.elems[i] = null;
  }
  for (let i = 0; i < d.datas.length; i++) {
    const ds = d.datas[i]!;
    if (ds.mode !== "active") continue;
    const m = inst.memories[ds.memory] as Memory;
    const off = (evalConst(ds.offset as ConstExpr) as number) >>> 0;
    if (!machine.charge(Math.floor(ds.bytes.length / machine.costs.bytesPerFuel))) return trapped("out of fuel");
    if (off + ds.bytes.length > m.bytes.length) return trapped("out of bounds memory access");
    m.write(ds.bytes, off);
    inst.datas[i] = null;
  }
  if (d.start !== undefined) {
    const r = invokeFunc(machine, inst.funcs[d.start] as FuncInst, []);
    if (r.status !== "done")
      return {
        ok: false,
        kind: "trap",
        message: r.status === "trap" ? r.trap : `exit ${r.status === "exit" ? r.code : ""}`,
        status: r,
      };
  }
  return { ok: true, instance: inst };
}

function trapped(trap: string): InstantiateResult {
  return { ok: false, kind: "trap", message: trap, status: { status: "trap", trap } };
}

/** Runs a function to completion (no pausing). Argument count and types must match its signature. */
export function invokeFunc(machine: Machine, func: FuncInst, args: Value[]): RunStatus {
  const s = machine.start(func, args);
  if (s !== undefined) return s;
  return machine.run();
}

/** Zero value of each parameter type, e.g. for a CLI that supplies no arguments. */
export function defaultArgs(t: FuncType): Value[] {
  return t.params.map(zeroValue);
}
