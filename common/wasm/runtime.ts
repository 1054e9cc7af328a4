/** @module Runtime objects of the store: function, table, memory and global instances, module instances. */
import type { HostFn } from "./host.js";
import { FuncRef, type FuncType, type Ref, type ValType, type Value } from "./types.js";
import type { CompiledFunc, ValidatedModule } from "./validate.js";

export const PAGE_SIZE = 65536;

export interface WasmFunc {
  readonly kind: "wasm";
  readonly type: FuncType;
  readonly instance: Instance;
  readonly compiled: CompiledFunc;
  readonly ref: FuncRef;
}
export interface HostFunc {
  readonly kind: "host";
  readonly type: FuncType;
  readonly fn: HostFn;
  readonly ref: FuncRef;
  readonly name: string;
}
export type FuncInst = WasmFunc | HostFunc;

/** Dirty tracking granularity: the memory commitment's 1 KiB leaves. */
export const CHUNK_SHIFT = 10;
const CHUNKS_PER_PAGE = 64;

export class Memory {
  bytes: Uint8Array;
  view: DataView;
  constructor(
    public pages: number,
    /** Effective maximum: the module's declared maximum capped by the execution limit. */
    readonly max: number,
    /** The declared maximum (for import matching). */
    readonly declaredMax: number | undefined,
  ) {
    this.bytes = new Uint8Array(pages * PAGE_SIZE);
    this.view = new DataView(this.bytes.buffer);
    this.dirty = new Uint8Array(pages * CHUNKS_PER_PAGE);
  }
  /**
   * 1 KiB chunks written since the trace last committed memory (1 = dirty; index = address >>> 10).
   * Fresh and grown memory is zero, which the commitment's empty tree already is, so it starts clean.
   */
  dirty: Uint8Array;
  /**
   * True while `dirty` marks every chunk written since the memory was created all zero: a commitment
   * tracker's first update then rehashes the marked chunks instead of scanning the whole memory (a scan of
   * a 17-page memory cost a third of a run's trace overhead). The first tracker to consume the marks, and
   * whoever replaces `bytes` without marking, clears it; a later tracker then scans.
   */
  marksSinceZero = true;

  /** Marks the chunks covering [addr, addr + len) as written. */
  markDirty(addr: number, len: number): void {
    if (len <= 0) return;
    this.dirty.fill(1, addr >>> CHUNK_SHIFT, ((addr + len - 1) >>> CHUNK_SHIFT) + 1);
  }
  /** Host-side writes: they go through these so dirty tracking cannot be forgotten. */
  write(src: Uint8Array, addr: number): void {
    this.bytes.set(src, addr);
    this.markDirty(addr, src.length);
  }
  setU8(addr: number, v: number): void {
    this.view.setUint8(addr, v);
    this.markDirty(addr, 1);
  }
  setU32(addr: number, v: number, le: boolean): void {
    this.view.setUint32(addr, v, le);
    this.markDirty(addr, 4);
  }
  setU64(addr: number, v: bigint, le: boolean): void {
    this.view.setBigUint64(addr, v, le);
    this.markDirty(addr, 8);
  }

  /** Size in bytes (HostMemory). */
  get size(): number {
    return this.bytes.length;
  }
  /** A view of `len` bytes at `addr` (bounds checked by the caller; copy it to keep it). */
  read(addr: number, len: number): Uint8Array {
    return this.bytes.subarray(addr, addr + len);
  }
  getU32(addr: number): number {
    return this.view.getUint32(addr, true);
  }

  /** Returns the old size in pages, or -1 when the request exceeds the maximum. */
  grow(delta: number): number {
    const old = this.pages;
    if (delta === 0) return old;
    if (old + delta > this.max) return -1;
    const next = new Uint8Array((old + delta) * PAGE_SIZE);
    next.set(this.bytes);
    this.bytes = next;
    this.view = new DataView(next.buffer);
    const dirty = new Uint8Array((old + delta) * CHUNKS_PER_PAGE);
    dirty.set(this.dirty);
    this.dirty = dirty;
    this.pages = old + delta;
    return old;
  }
}

export class Table {
  constructor(
    readonly elemType: ValType,
    public elems: Ref[],
    readonly max: number,
    readonly declaredMax: number | undefined,
  ) {}
  grow(delta: number, init: Ref): number {
    const old = this.elems.length;
    if (old + delta > this.max) return -1;
    for (let i = 0; i < delta; i++) this.elems.push(init);
    return old;
  }
}

export class Global {
  constructor(
    readonly type: ValType,
    readonly mutable: boolean,
    public value: Value,
  ) {}
}

export type Extern =
  | { readonly kind: "func"; readonly value: FuncInst }
  | { readonly kind: "table"; readonly value: Table }
  | { readonly kind: "memory"; readonly value: Memory }
  | { readonly kind: "global"; readonly value: Global };

export interface Instance {
  readonly module: ValidatedModule;
  readonly funcs: FuncInst[];
  readonly tables: Table[];
  readonly memories: Memory[];
  readonly globals: Global[];
  /** Element segments (null once dropped). */
  readonly elems: (Ref[] | null)[];
  /** Data segments (null once dropped). */
  readonly datas: (Uint8Array | null)[];
  readonly exports: Map<string, Extern>;
}

/** The function store: addresses index FuncRefs. */
export class Store {
  readonly funcs: FuncInst[] = [];
  addWasm(type: FuncType, instance: Instance, compiled: CompiledFunc): WasmFunc {
    const f: WasmFunc = { kind: "wasm", type, instance, compiled, ref: new FuncRef(this.funcs.length) };
    this.funcs.push(f);
    return f;
  }
  addHost(type: FuncType, fn: HostFn, name: string): HostFunc {
    const f: HostFunc = { kind: "host", type, fn, ref: new FuncRef(this.funcs.length), name };
    this.funcs.push(f);
    return f;
  }
}
