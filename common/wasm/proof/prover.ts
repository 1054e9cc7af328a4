/**
 * @module The one-step prover: runs step.ts against the paused machine through a recording context
 * (on copies, so the machine is untouched), then emits a witness for every slot, code chunk,
 * constant and global the step read or wrote. Throws UnsupportedStepError for classes step.ts does
 * not cover; it never emits a proof it could not check.
 */
import type { HostState } from "../hostState.js";
import type { Frame, Machine } from "../machine.js";
import { costTable, DEFAULT_FUEL_COSTS, type FuelCosts } from "../params.js";
import type { Instance, Table } from "../runtime.js";
import type { Hash } from "../trace/hashing.js";
import { LEAF_BYTES } from "../trace/memoryMerkle.js";
import { STATUS } from "../trace/stateHash.js";
import type { FuncType, Ref, Value } from "../types.js";
import type { FinalOpening } from "./ends.js";
import { prepareHostCall } from "./hostProve.js";
import { ChunkMemory, readChunked, writeChunked } from "./memChunks.js";
import type { HostWitness, StepProof } from "./proof.js";
import { pathOf, rootOfLevels, UnsupportedStepError } from "./sparseTree.js";
import { step } from "./step.js";
import type { CallerFrame, StepCtx } from "./stepCtx.js";
import {
  CODE_CHUNK,
  CODE_DEPTH,
  CONSTS_DEPTH,
  DATA_DEPTH,
  ELEMS_DEPTH,
  EMPTY_DATA_ROOT,
  EMPTY_ELEMS_ROOT,
  EMPTY_FRAMES,
  FUNCS_DEPTH,
  GLOBALS_DEPTH,
  instFuncLevels,
  paddedChunk,
  pushFrame,
  SEGS_DEPTH,
  STACK_DEPTH,
  StepStateBuilder,
  segmentsHash,
  sigHash,
  TABLES_DEPTH,
  TYPES_DEPTH,
  typeLevels,
} from "./stepState.js";
import { regsOf } from "./stepTypes.js";

const EMPTY = new Uint8Array(0);

export class StepProver {
  private readonly builder: StepStateBuilder;
  private readonly costTab: Uint32Array;
  constructor(
    private readonly machine: Machine,
    private readonly inst: Instance,
    private readonly host?: HostState,
    private readonly costs: FuelCosts = DEFAULT_FUEL_COSTS,
  ) {
    this.builder = new StepStateBuilder(machine, inst, host);
    this.costTab = costTable(costs);
  }

  /** The commitment of the machine's current state (`status` from the last run). */
  commitment(status: number) {
    return this.builder.snapshot(status).state;
  }

  /** The opening of the current (final) state's commitment: clear fields, segments, host commit. */
  opening(status: number): FinalOpening {
    if (!this.host) throw new Error("an opening needs the host state");
    return { state: this.commitment(status), segments: segmentsHash(this.inst), host: this.host.commit() };
  }

  /** Proof of the next instruction of the paused (running) machine. */
  prove(): StepProof {
    const snap = this.builder.snapshot(STATUS.running);
    const s = snap.state;
    const m = this.machine;
    const top = m.frames[m.frames.length - 1];
    if (!top) throw new UnsupportedStepError("no frame: the invocation has finished");
    const f = top.func;
    const trees = snap.funcs[f.ref.addr];
    if (!trees) throw new Error("function not in the committed store");
    const stack: (Value | undefined)[] = m.stack.slice(0, m.sp);
    const globals: Value[] = this.inst.globals.map((g) => g.value);
    const memory = this.inst.memories[0];
    const chunks = new Map<number, Uint8Array>();
    const chunkCopy = (i: number): Uint8Array => {
      let c = chunks.get(i);
      if (!c) {
        if (!memory) throw new Error("no memory");
        c = memory.bytes.slice(i * LEAF_BYTES, (i + 1) * LEAF_BYTES);
        chunks.set(i, c);
      }
      return c;
    };
    const tables = new Map<number, Ref[]>();
    const tableCopy = (t: number): Ref[] => {
      let c = tables.get(t);
      if (!c) {
        c = (this.inst.tables[t] as Table).elems.slice();
        tables.set(t, c);
      }
      return c;
    };
    const touched = {
      types: new Set<number>(),
      tables: new Set<number>(),
      elems: new Set<string>(),
      stack: new Set<number>(),
      code: new Set<number>(),
      consts: new Set<number>(),
      globals: new Set<number>(),
      datas: new Set<number>(),
      dataChunks: new Set<string>(),
      elemSegs: new Set<number>(),
      segElems: new Set<string>(),
    };
    let tableCount = false;
    const inst = this.inst;
    let caller: StepProof["caller"];
    let hostWitness: (() => HostWitness) | undefined;
    let callee: StepProof["callee"];
    const frames = snap.frames as Frame[];
    const ctx: StepCtx = {
      meta: trees.meta,
      code(i) {
        touched.code.add(Math.floor(i / CODE_CHUNK));
        return f.compiled.code[i] as number;
      },
      const64(i) {
        touched.consts.add(i);
        return f.compiled.consts[i] as bigint;
      },
      get(pos) {
        touched.stack.add(pos);
        return stack[pos] as Value;
      },
      set(pos, v) {
        touched.stack.add(pos);
        stack[pos] = v;
      },
      clear(pos) {
        touched.stack.add(pos);
        stack[pos] = undefined;
      },
      global(i) {
        touched.globals.add(i);
        return globals[i] as Value;
      },
      setGlobal(i, v) {
        touched.globals.add(i);
        globals[i] = v;
      },
      memRead: (addr, size) => readChunked(chunkCopy, addr, size),
      memWrite: (addr, bytes) => {
        writeChunked(chunkCopy, addr, bytes);
      },
      callee(i) {
        const target = f.instance.funcs[i];
        if (!target) throw new Error(`no function ${i}`);
        const addr = target.ref.addr;
        const t = snap.funcs[addr];
        if (!t) throw new Error("callee not in the committed store");
        callee = {
          index: i,
          addr,
          addrPath: pathOf(instFuncLevels(f.instance), FUNCS_DEPTH, i),
          meta: t.meta,
          metaPath: pathOf(snap.funcLevels, FUNCS_DEPTH, addr),
        };
        return { addr, meta: t.meta };
      },
      funcAt(addr) {
        const t = snap.funcs[addr];
        if (!t) throw new Error("callee not in the committed store");
        callee = { index: -1, addr, addrPath: [], meta: t.meta, metaPath: pathOf(snap.funcLevels, FUNCS_DEPTH, addr) };
        return t.meta;
      },
      typeSig(i) {
        touched.types.add(i);
        return sigHash(f.instance.module.types[i] as FuncType);
      },
      tableSize(t) {
        touched.tables.add(t);
        return tableCopy(t).length;
      },
      tableGet(t, i) {
        touched.tables.add(t);
        touched.elems.add(`${t}:${i}`);
        return tableCopy(t)[i] as Value;
      },
      tableSet(t, i, v) {
        touched.tables.add(t);
        touched.elems.add(`${t}:${i}`);
        tableCopy(t)[i] = v as Ref;
      },
      dataLen(seg) {
        touched.datas.add(seg);
        return (inst.datas[seg] ?? EMPTY).length;
      },
      dataRead(seg, off, n) {
        const d = inst.datas[seg] ?? EMPTY;
        for (let c = Math.floor(off / LEAF_BYTES); c <= Math.floor((off + n - 1) / LEAF_BYTES); c++)
          touched.dataChunks.add(`${seg}:${c}`);
        return d.slice(off, off + n);
      },
      dataDrop(seg) {
        touched.datas.add(seg);
      },
      elemSegLen(seg) {
        touched.elemSegs.add(seg);
        return (inst.elems[seg] ?? []).length;
      },
      elemDrop(seg) {
        touched.elemSegs.add(seg);
      },
      elemSegGet(seg, i) {
        touched.elemSegs.add(seg);
        touched.segElems.add(`${seg}:${i}`);
        return (inst.elems[seg] as Ref[])[i] as Value;
      },
      tableResize(t, size) {
        touched.tables.add(t);
        tableCopy(t).length = size;
      },
      tableMax(t) {
        touched.tables.add(t);
        return (inst.tables[t] as Table).max;
      },
      tableTotal: () => {
        const sum = inst.tables.reduce((a, t) => a + t.elems.length, 0);
        if (sum !== this.machine.tableElementsTotal)
          throw new UnsupportedStepError("table.grow with tables outside the committed instance");
        for (let i = 0; i < inst.tables.length; i++) touched.tables.add(i);
        tableCount = true;
        return sum;
      },
      hostCall: (addr, _meta, meter, args) => {
        const hf = m.store.funcs[addr];
        if (hf?.kind !== "host") throw new Error("not a host function");
        const call = prepareHostCall(this.host, this.inst, hf.name);
        hostWitness = call.witness;
        const mem = memory ? new ChunkMemory(memory.bytes.length, chunkCopy) : undefined;
        return call.fn(meter, { memories: mem ? [mem] : [] }, args);
      },
      pushCaller() {},
      popCaller(): CallerFrame | undefined {
        if (frames.length < 2) return undefined;
        let prev = EMPTY_FRAMES;
        for (let i = 0; i + 2 < frames.length; i++) {
          const fr = frames[i] as Frame;
          prev = pushFrame(prev, fr.func.ref.addr, fr.pc, fr.base);
        }
        const c = frames[frames.length - 2] as Frame;
        caller = { func: c.func.ref.addr, pc: c.pc, base: c.base, prev };
        return caller;
      },
    };
    const r = regsOf(s);
    step(r, ctx, this.costTab, this.costs, this.machine.limits);
    const code = f.compiled.code;
    const pre = m.stack;
    return {
      state: s,
      meta: trees.meta,
      metaPath: pathOf(snap.funcLevels, FUNCS_DEPTH, f.ref.addr),
      code: [...touched.code].map((index) => ({
        index,
        words: Array.from(code.subarray(index * CODE_CHUNK, index * CODE_CHUNK + CODE_CHUNK)),
        path: pathOf(trees.codeLevels, CODE_DEPTH, index),
      })),
      consts: [...touched.consts].map((index) => ({
        index,
        value: f.compiled.consts[index] as bigint,
        path: pathOf(trees.constLevels, CONSTS_DEPTH, index),
      })),
      stack: [...touched.stack].map((index) => ({
        index,
        value: index < m.sp ? (pre[index] as Value) : undefined,
        path: pathOf(snap.stackLevels, STACK_DEPTH, index),
      })),
      globals: [...touched.globals].map((index) => ({
        index,
        value: (this.inst.globals[index] as { value: Value }).value,
        path: pathOf(snap.globalLevels, GLOBALS_DEPTH, index),
      })),
      memory: this.memoryWitnesses([...chunks.keys()]),
      types: [...touched.types].map((index) => ({
        index,
        sig: sigHash(f.instance.module.types[index] as FuncType),
        path: pathOf(typeLevels(f.instance), TYPES_DEPTH, index),
      })),
      tables: [...touched.tables].map((index) => {
        const t = this.inst.tables[index] as Table;
        const levels = snap.elemLevels[index] as Hash[][];
        return {
          index,
          size: t.elems.length,
          max: t.max,
          elemsRoot: rootOfLevels(levels, ELEMS_DEPTH),
          path: pathOf(snap.tableLevels, TABLES_DEPTH, index),
        };
      }),
      elems: [...touched.elems].map((key) => {
        const [table, index] = key.split(":").map(Number) as [number, number];
        return {
          table,
          index,
          value: (this.inst.tables[table] as Table).elems[index] as Value | undefined,
          path: pathOf(snap.elemLevels[table] as Hash[][], ELEMS_DEPTH, index),
        };
      }),
      datas: [...touched.datas].map((index) => {
        const levels = snap.segs.data[index];
        return {
          index,
          len: (inst.datas[index] ?? EMPTY).length,
          root: levels ? rootOfLevels(levels, DATA_DEPTH) : EMPTY_DATA_ROOT,
          path: pathOf(snap.segs.datas, SEGS_DEPTH, index),
        };
      }),
      dataChunks: [...touched.dataChunks].map((key) => {
        const [seg, index] = key.split(":").map(Number) as [number, number];
        return {
          seg,
          index,
          bytes: paddedChunk(inst.datas[seg] ?? EMPTY, index),
          path: pathOf(snap.segs.data[seg] as Hash[][], DATA_DEPTH, index),
        };
      }),
      elemSegs: [...touched.elemSegs].map((index) => {
        const levels = snap.segs.elem[index];
        return {
          index,
          len: (inst.elems[index] ?? []).length,
          root: levels ? rootOfLevels(levels, ELEMS_DEPTH) : EMPTY_ELEMS_ROOT,
          path: pathOf(snap.segs.elems, SEGS_DEPTH, index),
        };
      }),
      segElems: [...touched.segElems].map((key) => {
        const [seg, index] = key.split(":").map(Number) as [number, number];
        return {
          seg,
          index,
          value: (inst.elems[seg] as Ref[])[index] as Value,
          path: pathOf(snap.segs.elem[seg] as Hash[][], ELEMS_DEPTH, index),
        };
      }),
      ...(tableCount
        ? {
            tableCount: {
              count: inst.tables.length,
              path: pathOf(snap.tableLevels, TABLES_DEPTH, inst.tables.length),
            },
          }
        : {}),
      ...(caller ? { caller } : {}),
      ...(hostWitness ? { host: hostWitness() } : {}),
      ...(callee ? { callee } : {}),
    };
  }

  /** Chunks of the pre-state memory with their paths (from the builder's incremental memory tree). */
  private memoryWitnesses(indices: number[]): StepProof["memory"] {
    if (indices.length === 0) return [];
    const m = this.inst.memories[0];
    if (!m) throw new Error("no memory");
    return indices.map((index) => ({
      index,
      bytes: m.bytes.slice(index * LEAF_BYTES, (index + 1) * LEAF_BYTES),
      path: this.builder.memoryPath(index),
    }));
  }
}
