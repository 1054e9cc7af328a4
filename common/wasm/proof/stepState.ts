/**
 * @module The one-step state commitment, defined in this one place: counters, status and the current
 * frame in the clear, the value stack (locals included) and globals as fixed-depth Merkle trees, the
 * caller frames as a hash chain, every function's code as a Merkle tree of Merkle trees, memory as the
 * trace's chunk tree, and the rest (tables, segments, host state) as one hash. A proof carries these
 * fields in the clear; verifyStep checks them against the pre-state hash.
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { encodeHostCommit, type HostState } from "../hostState.js";
import type { Frame, Machine } from "../machine.js";
import type { FuncInst, Instance, Table } from "../runtime.js";
import { equal, type Hash, hashLeaf, sha256Of, Writer } from "../trace/hashing.js";
import { LEAF_BYTES, MemoryMerkle } from "../trace/memoryMerkle.js";
import { writeValue } from "../trace/stateHash.js";
import type { FuncType, Value } from "../types.js";
import type { CompiledFunc } from "../validate.js";
import { IncTree } from "./incTree.js";
import { EMPTY_LEAF, levelsOf, rootOfLevels, treeRoot } from "./sparseTree.js";

export const STEP_VERSION = "dsdn-wasm-step-v1";
/** Tree depths: the value stack holds at most 2^20 values (the default valueStack limit). */
export const STACK_DEPTH = 20;
export const GLOBALS_DEPTH = 16;
export const FUNCS_DEPTH = 20;
export const CODE_DEPTH = 20;
export const CONSTS_DEPTH = 20;
/** Memory: 1 KiB chunks under 64 KiB pages under 65 536 pages (the trace's memory tree). */
export const MEMORY_DEPTH = 22;
export const TABLES_DEPTH = 16;
export const ELEMS_DEPTH = 20;
export const TYPES_DEPTH = 16;
/** Data and element segments of the main instance (by index), and a data segment's 1 KiB chunks (64 MiB). */
export const SEGS_DEPTH = 16;
export const DATA_DEPTH = 16;
export const ZERO_CHUNK_LEAF: Hash = hashLeaf(new Uint8Array(LEAF_BYTES));
/** Code words per leaf of a function's code tree. */
export const CODE_CHUNK = 8;
/** `func` of a state with no frame (finished). */
export const NO_FUNC = 0xffffffff;

export interface StepState {
  status: number;
  steps: number;
  fuelLeft: number;
  func: number;
  pc: number;
  base: number;
  sp: number;
  /** Frames on the frame stack, the current one included. */
  depth: number;
  stackRoot: Hash;
  /** Hash chain of the caller frames (func, saved pc, base), innermost last. */
  framesHash: Hash;
  funcsRoot: Hash;
  globalsRoot: Hash;
  memPages: number;
  memMax: number;
  memRoot: Hash;
  /** Tables of the main instance: leaves (size, max, elements root). */
  tablesRoot: Hash;
  /** Data segments of the main instance: leaves (length, chunk root); a dropped segment is empty. */
  datasRoot: Hash;
  /** Element segments of the main instance: leaves (length, elements root); a dropped segment is empty. */
  elemSegsRoot: Hash;
  /** Tables, dropped segments and host state (not touched by the supported instruction classes). */
  restHash: Hash;
}

export function hashStepState(s: StepState): Hash {
  return new Writer(512)
    .text(STEP_VERSION)
    .u8(s.status)
    .u64(BigInt(s.steps))
    .u64(BigInt(s.fuelLeft))
    .u32(s.func)
    .u32(s.pc)
    .u32(s.base)
    .u32(s.sp)
    .u32(s.depth)
    .bytes(s.stackRoot)
    .bytes(s.framesHash)
    .bytes(s.funcsRoot)
    .bytes(s.globalsRoot)
    .u32(s.memPages)
    .u32(s.memMax)
    .bytes(s.memRoot)
    .bytes(s.tablesRoot)
    .bytes(s.datasRoot)
    .bytes(s.elemSegsRoot)
    .bytes(s.restHash)
    .digest();
}

/** The segment counts (part of restHash; which segments are dropped is in datasRoot / elemSegsRoot). */
export function segmentsHash(inst: Instance): Hash {
  // Only the counts: which segments are dropped is in datasRoot / elemSegsRoot, which data.drop and
  // elem.drop update (so restHash does not change with them).
  return new Writer().u32(inst.datas.length).u32(inst.elems.length).digest();
}
/** `restHash`: the segments and the host state (hashHostCommit; absent for a machine without one). */
export function restHashOf(segments: Hash, host: Hash | undefined): Hash {
  const w = new Writer()
    .text("dsdn-wasm-rest-v2")
    .bytes(segments)
    .u8(host ? 1 : 0);
  if (host) w.bytes(host);
  return w.digest();
}

export const EMPTY_FRAMES: Hash = new Uint8Array(32);
export function pushFrame(chain: Hash, func: number, pc: number, base: number): Hash {
  return new Writer().u8(0x10).bytes(chain).u32(func).u32(pc).u32(base).digest();
}

export function valueLeaf(v: Value): Hash {
  const w = new Writer();
  writeValue(w, v);
  return hashLeaf(w.finish());
}
export function chunkLeaf(words: ArrayLike<number>): Hash {
  const w = new Writer();
  for (let i = 0; i < words.length; i++) w.u32(words[i] as number);
  return hashLeaf(w.finish());
}
export function constLeaf(v: bigint): Hash {
  return hashLeaf(new Writer().u64(v).finish());
}

/** What a function leaf commits to besides its code. */
export interface FuncMeta {
  readonly kind: "wasm" | "host";
  readonly params: number;
  readonly results: number;
  /** Declared locals after the parameters, as value-type codes. */
  readonly localTypes: readonly number[];
  readonly maxHeight: number;
  readonly codeLen: number;
  /** Whether the function belongs to the committed instance (whose globals are in the state). */
  readonly main: boolean;
  readonly codeRoot: Hash;
  readonly constsRoot: Hash;
  /** Store addresses of the functions of the function's instance, by index (what `call` resolves). */
  readonly instFuncsRoot: Hash;
  /** The function's type signature (sigHash). */
  readonly sig: Hash;
  /** Signatures of the instance module's types, by type index (what call_indirect checks against). */
  readonly typesRoot: Hash;
}
export function funcLeaf(m: FuncMeta): Hash {
  const w = new Writer()
    .u8(m.kind === "wasm" ? 1 : 2)
    .u32(m.params)
    .u32(m.results)
    .u32(m.localTypes.length);
  for (const t of m.localTypes) w.u8(t);
  w.u32(m.maxHeight)
    .u32(m.codeLen)
    .u8(m.main ? 1 : 0)
    .bytes(m.codeRoot)
    .bytes(m.constsRoot)
    .bytes(m.instFuncsRoot)
    .bytes(m.sig)
    .bytes(m.typesRoot);
  return hashLeaf(w.finish());
}

export function codeChunks(code: Int32Array): Hash[] {
  const out: Hash[] = [];
  for (let i = 0; i < code.length; i += CODE_CHUNK) out.push(chunkLeaf(code.subarray(i, i + CODE_CHUNK)));
  return out;
}

/** Per-function trees (prover side), cached per machine: code never changes. */
export interface FuncTrees {
  readonly meta: FuncMeta;
  readonly codeLevels: Hash[][];
  readonly constLevels: Hash[][];
}
export function addrLeaf(addr: number): Hash {
  return hashLeaf(new Writer().u32(addr).finish());
}
const instFuncCache = new WeakMap<Instance, Hash[][]>();
/** Tree over an instance's function index → store address. */
export function instFuncLevels(inst: Instance): Hash[][] {
  let l = instFuncCache.get(inst);
  if (!l) {
    l = levelsOf(
      inst.funcs.map((f) => addrLeaf(f.ref.addr)),
      FUNCS_DEPTH,
    );
    instFuncCache.set(inst, l);
  }
  return l;
}

export function sigHash(t: FuncType): Hash {
  const w = new Writer().u8(0x60).u32(t.params.length);
  for (const p of t.params) w.u8(p);
  w.u32(t.results.length);
  for (const r of t.results) w.u8(r);
  return hashLeaf(w.finish());
}
const typeCache = new WeakMap<Instance, Hash[][]>();
export function typeLevels(inst: Instance): Hash[][] {
  let l = typeCache.get(inst);
  if (!l) {
    l = levelsOf(inst.module.types.map(sigHash), TYPES_DEPTH);
    typeCache.set(inst, l);
  }
  return l;
}
/** A data segment's chunk leaves (each chunk zero-padded to LEAF_BYTES; the length is committed beside). */
export function dataChunkLeaves(bytes: Uint8Array): Hash[] {
  const out: Hash[] = [];
  for (let i = 0; i < bytes.length; i += LEAF_BYTES) out.push(hashLeaf(paddedChunk(bytes, i / LEAF_BYTES)));
  return out;
}
export function paddedChunk(bytes: Uint8Array, index: number): Uint8Array {
  const c = new Uint8Array(LEAF_BYTES);
  c.set(bytes.subarray(index * LEAF_BYTES, (index + 1) * LEAF_BYTES));
  return c;
}
export function segLeaf(kind: "data" | "elem", len: number, root: Hash): Hash {
  return hashLeaf(
    new Writer()
      .u8(kind === "data" ? 0x44 : 0x45)
      .u32(len)
      .bytes(root)
      .finish(),
  );
}
export const EMPTY_DATA_ROOT: Hash = treeRoot([], DATA_DEPTH);
export const EMPTY_ELEMS_ROOT: Hash = treeRoot([], ELEMS_DEPTH);

export function tableLeaf(size: number, max: number, elemsRoot: Hash): Hash {
  return hashLeaf(new Writer().u32(size).u32(max).bytes(elemsRoot).finish());
}

/** What a host function's leaf holds in place of a code root. */
export function hostNameHash(name: string): Hash {
  return new Writer().text("dsdn-wasm-host-fn").u32(name.length).text(name).digest();
}

/** The code and constants trees of a function body; shared, never mutated. */
interface CodeTrees {
  readonly codeLevels: Hash[][];
  readonly constLevels: Hash[][];
}
const codeTreesByFunc = new WeakMap<CompiledFunc, CodeTrees>();
/**
 * Bodies seen before, by content: a node runs the same module again and again (each replica's job, every
 * re-run of a fraud proof's bisection), and these trees (depth 20 each, so 40+ hashes per function even for
 * a one-chunk body) were most of a run's first checkpoint. Bounded; the oldest entry goes first.
 */
const codeTreesByContent = new Map<string, CodeTrees>();
const CODE_TREES_CACHED = 1024;

function codeTrees(c: CompiledFunc): CodeTrees {
  let t = codeTreesByFunc.get(c);
  if (t) return t;
  // An unambiguous encoding of exactly what the trees are built from: the words, then the constants.
  const w = new Writer(16 + c.code.length * 4 + c.consts.length * 8).u32(c.code.length);
  for (let i = 0; i < c.code.length; i++) w.u32(c.code[i] as number);
  w.u32(c.consts.length);
  for (const k of c.consts) w.u64(k);
  const key = bytesToHex(w.digest());
  t = codeTreesByContent.get(key);
  if (!t) {
    t = {
      codeLevels: levelsOf(codeChunks(c.code), CODE_DEPTH),
      constLevels: levelsOf(c.consts.map(constLeaf), CONSTS_DEPTH),
    };
    if (codeTreesByContent.size >= CODE_TREES_CACHED) {
      codeTreesByContent.delete(codeTreesByContent.keys().next().value as string);
    }
    codeTreesByContent.set(key, t);
  }
  codeTreesByFunc.set(c, t);
  return t;
}
export function funcTrees(f: FuncInst, inst: Instance): FuncTrees {
  if (f.kind === "host") {
    const z = new Uint8Array(32);
    // A host function's leaf names it ("module.name"): the verifier runs the implementation by that name.
    return {
      meta: {
        kind: "host",
        params: f.type.params.length,
        results: f.type.results.length,
        localTypes: [],
        maxHeight: 0,
        codeLen: 0,
        main: false,
        codeRoot: hostNameHash(f.name),
        constsRoot: z,
        instFuncsRoot: z,
        sig: sigHash(f.type),
        typesRoot: z,
      },
      codeLevels: [],
      constLevels: [],
    };
  }
  const c = f.compiled;
  const { codeLevels, constLevels } = codeTrees(c);
  return {
    meta: {
      kind: "wasm",
      params: f.type.params.length,
      results: f.type.results.length,
      localTypes: c.localTypes,
      maxHeight: c.maxHeight,
      codeLen: c.code.length,
      main: f.instance === inst,
      codeRoot: rootOfLevels(codeLevels, CODE_DEPTH),
      constsRoot: rootOfLevels(constLevels, CONSTS_DEPTH),
      instFuncsRoot: rootOfLevels(instFuncLevels(f.instance), FUNCS_DEPTH),
      sig: sigHash(f.type),
      typesRoot: rootOfLevels(typeLevels(f.instance), TYPES_DEPTH),
    },
    codeLevels,
    constLevels,
  };
}

/** Levels of the segment trees and of each live segment's contents (undefined = dropped). */
export interface SegmentTrees {
  readonly datas: Hash[][];
  readonly elems: Hash[][];
  readonly data: readonly (Hash[][] | undefined)[];
  readonly elem: readonly (Hash[][] | undefined)[];
}
const dataLevelCache = new WeakMap<Uint8Array, Hash[][]>();
function dataLevels(d: Uint8Array): Hash[][] {
  let l = dataLevelCache.get(d);
  if (!l) {
    l = levelsOf(dataChunkLeaves(d), DATA_DEPTH);
    dataLevelCache.set(d, l);
  }
  return l;
}

/** Everything the prover needs about a paused machine, with the trees built. */
export interface StepSnapshot {
  readonly state: StepState;
  readonly stackLevels: Hash[][];
  readonly globalLevels: Hash[][];
  readonly funcLevels: Hash[][];
  readonly tableLevels: Hash[][];
  readonly elemLevels: readonly Hash[][][];
  readonly segs: SegmentTrees;
  readonly funcs: readonly FuncTrees[];
  readonly frames: readonly Frame[];
}

/** A value tree kept in step with an array of values: only slots whose value changed are rehashed. */
class ValueTree {
  readonly tree: IncTree;
  private prev: (Value | undefined)[] = [];
  constructor(depth: number) {
    this.tree = new IncTree(depth);
  }
  /** Brings the tree to `values[0..n)` (slots from n up are empty). */
  sync(values: readonly (Value | undefined)[], n: number): void {
    const prev = this.prev;
    for (let i = 0; i < n; i++) {
      const v = values[i];
      if (i >= prev.length || v !== prev[i]) {
        this.tree.set(i, valueLeaf(v as Value));
        prev[i] = v;
      }
    }
    for (let i = n; i < prev.length; i++) this.tree.set(i, EMPTY_LEAF);
    prev.length = n;
  }
}

export class StepStateBuilder {
  private funcs: FuncTrees[] = [];
  private funcLevels: Hash[][] = [];
  private readonly mem = new MemoryMerkle();
  private readonly stack = new ValueTree(STACK_DEPTH);
  private readonly globals = new ValueTree(GLOBALS_DEPTH);
  private tables: ValueTree[] = [];
  constructor(
    private readonly machine: Machine,
    private readonly inst: Instance,
    private readonly host: HostState | undefined,
  ) {}

  /** Siblings of memory chunk `index` as of the last snapshot. */
  memoryPath(index: number): Hash[] {
    return this.mem.path(index);
  }

  snapshot(status: number): StepSnapshot {
    const m = this.machine;
    const store = m.store.funcs;
    if (this.funcs.length !== store.length) {
      this.funcs = store.map((f) => funcTrees(f, this.inst));
      this.funcLevels = levelsOf(
        this.funcs.map((t) => funcLeaf(t.meta)),
        FUNCS_DEPTH,
      );
    }
    this.stack.sync(m.stack, m.sp);
    const stackLevels = this.stack.tree.levels();
    const gs = this.inst.globals;
    this.globals.sync(
      gs.map((g) => g.value),
      gs.length,
    );
    const globalLevels = this.globals.tree.levels();
    const ts = this.inst.tables;
    while (this.tables.length < ts.length) this.tables.push(new ValueTree(ELEMS_DEPTH));
    const elemLevels = ts.map((t, i) => {
      const vt = this.tables[i] as ValueTree;
      vt.sync(t.elems, t.elems.length);
      return vt.tree.levels();
    });
    const tableLevels = this.tableTree(ts, elemLevels);
    const segs = this.segments();
    const frames = m.frames;
    const chain = this.callerChain(frames);
    const top = frames[frames.length - 1];
    const memory = this.inst.memories[0];
    const state: StepState = {
      status,
      steps: m.steps,
      fuelLeft: m.fuelLeft,
      func: top ? top.func.ref.addr : NO_FUNC,
      pc: top ? top.pc : 0,
      base: top ? top.base : 0,
      sp: m.sp,
      depth: frames.length,
      stackRoot: rootOfLevels(stackLevels, STACK_DEPTH),
      framesHash: chain,
      funcsRoot: rootOfLevels(this.funcLevels, FUNCS_DEPTH),
      globalsRoot: rootOfLevels(globalLevels, GLOBALS_DEPTH),
      memPages: memory ? memory.pages : 0,
      memMax: memory ? memory.max : 0,
      memRoot: memory ? this.mem.update(memory) : new Uint8Array(32),
      tablesRoot: rootOfLevels(tableLevels, TABLES_DEPTH),
      datasRoot: rootOfLevels(segs.datas, SEGS_DEPTH),
      elemSegsRoot: rootOfLevels(segs.elems, SEGS_DEPTH),
      restHash: this.restHash(),
    };
    return {
      state,
      stackLevels,
      globalLevels,
      funcLevels: this.funcLevels,
      tableLevels,
      elemLevels,
      segs,
      funcs: this.funcs,
      frames,
    };
  }

  /**
   * The tables tree, rebuilt only when a table's size or elements root changed (an unchanged elements
   * tree keeps its root object, so identity is the test): otherwise each checkpoint paid 17 hashes per table.
   */
  private tableTree(ts: readonly Table[], elemLevels: readonly Hash[][][]): Hash[][] {
    const key = ts.map((t, i) => ({
      size: t.elems.length,
      root: rootOfLevels(elemLevels[i] as Hash[][], ELEMS_DEPTH),
    }));
    const prev = this.tablesKey;
    if (
      this.tablesLevels &&
      prev.length === key.length &&
      key.every((k, i) => k.size === prev[i]?.size && k.root === prev[i]?.root)
    )
      return this.tablesLevels;
    this.tablesLevels = levelsOf(
      ts.map((t, i) => tableLeaf(t.elems.length, t.max, (key[i] as { root: Hash }).root)),
      TABLES_DEPTH,
    );
    this.tablesKey = key;
    return this.tablesLevels;
  }
  private tablesLevels: Hash[][] | undefined;
  private tablesKey: { size: number; root: Hash }[] = [];

  /** Hash chain of the caller frames, recomputed from the first frame that changed since the last snapshot. */
  private callerChain(frames: readonly Frame[]): Hash {
    const c = this.chain;
    const n = Math.max(0, frames.length - 1);
    let k = 0;
    while (k < n && k < c.length) {
      const f = frames[k] as Frame;
      const x = c[k] as (typeof c)[number];
      if (x.func !== f.func.ref.addr || x.pc !== f.pc || x.base !== f.base) break;
      k++;
    }
    c.length = k;
    for (; k < n; k++) {
      const f = frames[k] as Frame;
      const prev = k === 0 ? EMPTY_FRAMES : (c[k - 1] as (typeof c)[number]).hash;
      c.push({
        func: f.func.ref.addr,
        pc: f.pc,
        base: f.base,
        hash: pushFrame(prev, f.func.ref.addr, f.pc, f.base),
      });
    }
    return n === 0 ? EMPTY_FRAMES : (c[n - 1] as (typeof c)[number]).hash;
  }
  private readonly chain: { func: number; pc: number; base: number; hash: Hash }[] = [];

  /** Segment trees, rebuilt only when a segment was dropped since the last snapshot (contents never change). */
  private segments(): SegmentTrees {
    const inst = this.inst;
    const key = inst.datas.map((d) => (d ? 1 : 0)).join("") + "/" + inst.elems.map((e) => (e ? 1 : 0)).join("");
    if (this.segs && this.segsKey === key) return this.segs;
    const datas = inst.datas.map((d) => (d ? dataLevels(d) : undefined));
    const elems = inst.elems.map((e) => (e ? levelsOf(e.map(valueLeaf), ELEMS_DEPTH) : undefined));
    this.segs = {
      data: datas,
      elem: elems,
      datas: levelsOf(
        inst.datas.map((d, i) =>
          segLeaf("data", d ? d.length : 0, d ? rootOfLevels(datas[i] as Hash[][], DATA_DEPTH) : EMPTY_DATA_ROOT),
        ),
        SEGS_DEPTH,
      ),
      elems: levelsOf(
        inst.elems.map((e, i) =>
          segLeaf("elem", e ? e.length : 0, e ? rootOfLevels(elems[i] as Hash[][], ELEMS_DEPTH) : EMPTY_ELEMS_ROOT),
        ),
        SEGS_DEPTH,
      ),
    };
    this.segsKey = key;
    return this.segs;
  }
  private segs: SegmentTrees | undefined;
  private segsKey = "";

  /**
   * restHash, recomputed only when its preimage changed: the host state moves only on host calls, so most
   * checkpoints would hash the same bytes again (3 hashes each).
   */
  private restHash(): Hash {
    const enc = this.host ? encodeHostCommit(this.host.commit()) : undefined;
    const d = this.inst.datas.length;
    const e = this.inst.elems.length;
    const r = this.rest;
    if (r && r.datas === d && r.elems === e && (enc && r.host ? equal(enc, r.host) : enc === r.host)) return r.hash;
    const hash = restHashOf(segmentsHash(this.inst), enc ? sha256Of(enc) : undefined);
    this.rest = { datas: d, elems: e, host: enc, hash };
    return hash;
  }
  private rest: { datas: number; elems: number; host: Uint8Array | undefined; hash: Hash } | undefined;
}

export { treeRoot };
