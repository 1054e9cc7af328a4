/**
 * @module The binary encoding of a one-step proof (what a fraud-game transaction carries): fixed-width
 * big-endian fields, 32-byte hashes, length-prefixed lists, in the order of `StepProof`. Canonical —
 * decode re-encodes and requires the very same bytes, so one proof has exactly one encoding — and
 * bounded (MAX_STEP_PROOF_BYTES, list counts checked against the bytes left before anything is
 * allocated). Pure: Uint8Array and DataView only. `verifyStepGas` prices a proof by its size.
 */

import type { HostCommit } from "../hostState.js";
import type { KvLeaf, KvNodeOpening, KvPath } from "../kvTree.js";
import { GrowableBytes, type Hash } from "../trace/hashing.js";
import { LEAF_BYTES } from "../trace/memoryMerkle.js";
import { ExternRef, FuncRef, type Value } from "../types.js";
import type { HostWitness, SegWitness, StepProof, ValueWitness } from "./proof.js";
import { StepProofError } from "./sparseTree.js";
import { CODE_CHUNK, type FuncMeta, type StepState } from "./stepState.js";

/**
 * Largest encoded proof accepted. The largest proofs are bulk instructions at ExecLimits.bulkBytes
 * (64 KiB): memory.copy touches at most 2 × 65 chunks of 1 KiB with 22-hash paths (~230 KB).
 */
export const MAX_STEP_PROOF_BYTES = 512 * 1024;
const VERSION = 1;
/** Gas for verifying a proof: a base plus a per-byte price covering the hashing (every byte is hashed ~4×). */
export const VERIFY_STEP_GAS_BASE = 50_000n;
export const VERIFY_STEP_GAS_PER_BYTE = 10n;
const MAX_PATH = 64;
const MAX_LOCAL_TYPES = 1 << 20;

/** Position of the level-d sibling on the path of leaf `index` (arithmetic: indices may be any u32). */
function siblingKey(tree: string, index: number, d: number): string {
  const n = Math.floor(index / 2 ** d);
  return `${tree}|${d}|${n % 2 === 0 ? n + 1 : n - 1}`;
}
function sameHash(a: Hash, b: Hash): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

class Out extends GrowableBytes {
  constructor() {
    super(4096);
  }
  u8(x: number): this {
    if (!Number.isInteger(x) || x < 0 || x > 0xff) throw new StepProofError(`cannot encode ${x} as u8`);
    this.ensure(1);
    this.buf[this.len++] = x;
    return this;
  }
  u32(x: number): this {
    if (!Number.isInteger(x) || x < 0 || x > 0xffffffff) throw new StepProofError(`cannot encode ${x} as u32`);
    this.ensure(4);
    this.view.setUint32(this.len, x);
    this.len += 4;
    return this;
  }
  u64(x: number | bigint): this {
    const v = BigInt(x);
    if (v < 0n || v >= 1n << 64n) throw new StepProofError(`cannot encode ${x} as u64`);
    this.ensure(8);
    this.view.setBigUint64(this.len, v);
    this.len += 8;
    return this;
  }
  raw(b: Uint8Array, n: number): this {
    if (b.length !== n) throw new StepProofError(`expected ${n} bytes, got ${b.length}`);
    this.ensure(n);
    this.buf.set(b, this.len);
    this.len += n;
    return this;
  }
  hash(h: Hash): this {
    return this.raw(h, 32);
  }
  /** u32 length, then the bytes. */
  bytes(b: Uint8Array): this {
    return this.u32(b.length).raw(b, b.length);
  }
  private readonly seen = new Map<string, Hash>();
  /** A path of leaf `index` in tree `tree`: siblings already sent by an earlier path of the same tree are left out. */
  path(p: readonly Hash[], tree = "", index = 0): this {
    if (p.length > MAX_PATH) throw new StepProofError("path too long");
    this.u8(p.length);
    p.forEach((h, d) => {
      const key = siblingKey(tree, index, d);
      const had = this.seen.get(key);
      if (had === undefined) {
        this.seen.set(key, h);
        this.hash(h);
      } else if (!sameHash(had, h)) throw new StepProofError("two witnesses disagree on a sibling hash");
    });
    return this;
  }
  value(v: Value | undefined): this {
    if (v === undefined) return this.u8(0);
    if (typeof v === "number") return this.u8(1).u32(v >>> 0);
    if (typeof v === "bigint") return this.u8(2).u64(BigInt.asUintN(64, v));
    if (v === null) return this.u8(3);
    if (v instanceof FuncRef) return this.u8(4).u32(v.addr);
    if (v instanceof ExternRef) return this.u8(5).u32(v.id);
    throw new StepProofError("cannot encode this value");
  }
  list<T>(xs: readonly T[], f: (x: T) => void): this {
    this.u32(xs.length);
    for (const x of xs) f(x);
    return this;
  }
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

class In {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly b: Uint8Array) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  private need(n: number): number {
    if (this.pos + n > this.b.length) throw new StepProofError("truncated step proof");
    const at = this.pos;
    this.pos += n;
    return at;
  }
  get left(): number {
    return this.b.length - this.pos;
  }
  u8(): number {
    return this.b[this.need(1)] as number;
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8));
  }
  safe(): number {
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new StepProofError("counter beyond 2^53");
    return Number(v);
  }
  raw(n: number): Uint8Array {
    const at = this.need(n);
    return this.b.slice(at, at + n);
  }
  hash(): Hash {
    return this.raw(32);
  }
  bytes(): Uint8Array {
    const n = this.u32();
    if (n > this.left) throw new StepProofError("truncated step proof");
    return this.raw(n);
  }
  private readonly seen = new Map<string, Hash>();
  path(tree = "", index = 0): Hash[] {
    const n = this.u8();
    if (n > MAX_PATH) throw new StepProofError("path too long");
    const out: Hash[] = [];
    for (let d = 0; d < n; d++) {
      const key = siblingKey(tree, index, d);
      let h = this.seen.get(key);
      if (h === undefined) {
        h = this.hash();
        this.seen.set(key, h);
      }
      out.push(h);
    }
    return out;
  }
  value(): Value | undefined {
    const tag = this.u8();
    switch (tag) {
      case 0:
        return undefined;
      case 1:
        return this.u32() | 0;
      case 2:
        return BigInt.asIntN(64, this.u64());
      case 3:
        return null;
      case 4:
        return new FuncRef(this.u32());
      case 5:
        return new ExternRef(this.u32());
      default:
        throw new StepProofError(`unknown value tag ${tag}`);
    }
  }
  /** A list whose items take at least `min` bytes each: the count is checked against the bytes left. */
  list<T>(min: number, f: () => T): T[] {
    const n = this.u32();
    if (n * min > this.left) throw new StepProofError("list longer than the proof");
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(f());
    return out;
  }
  done(): void {
    if (this.pos !== this.b.length) throw new StepProofError("trailing bytes after the step proof");
  }
}

function putState(o: Out, s: StepState): void {
  o.u8(s.status).u64(s.steps).u64(s.fuelLeft).u32(s.func).u32(s.pc).u32(s.base).u32(s.sp).u32(s.depth);
  o.hash(s.stackRoot).hash(s.framesHash).hash(s.funcsRoot).hash(s.globalsRoot);
  o.u32(s.memPages).u32(s.memMax).hash(s.memRoot).hash(s.tablesRoot).hash(s.datasRoot).hash(s.elemSegsRoot);
  o.hash(s.restHash);
}
function getState(i: In): StepState {
  return {
    status: i.u8(),
    steps: i.safe(),
    fuelLeft: i.safe(),
    func: i.u32(),
    pc: i.u32(),
    base: i.u32(),
    sp: i.u32(),
    depth: i.u32(),
    stackRoot: i.hash(),
    framesHash: i.hash(),
    funcsRoot: i.hash(),
    globalsRoot: i.hash(),
    memPages: i.u32(),
    memMax: i.u32(),
    memRoot: i.hash(),
    tablesRoot: i.hash(),
    datasRoot: i.hash(),
    elemSegsRoot: i.hash(),
    restHash: i.hash(),
  };
}
function putMeta(o: Out, m: FuncMeta): void {
  o.u8(m.kind === "wasm" ? 1 : 2)
    .u32(m.params)
    .u32(m.results);
  o.u32(m.localTypes.length);
  for (const t of m.localTypes) o.u8(t);
  o.u32(m.maxHeight)
    .u32(m.codeLen)
    .u8(m.main ? 1 : 0);
  o.hash(m.codeRoot).hash(m.constsRoot).hash(m.instFuncsRoot).hash(m.sig).hash(m.typesRoot);
}
function getMeta(i: In): FuncMeta {
  const k = i.u8();
  if (k !== 1 && k !== 2) throw new StepProofError("bad function kind");
  const params = i.u32();
  const results = i.u32();
  const n = i.u32();
  if (n > MAX_LOCAL_TYPES || n > i.left) throw new StepProofError("too many local types");
  const localTypes: number[] = [];
  for (let x = 0; x < n; x++) localTypes.push(i.u8());
  const maxHeight = i.u32();
  const codeLen = i.u32();
  const main = i.u8();
  if (main > 1) throw new StepProofError("bad flag");
  return {
    kind: k === 1 ? "wasm" : "host",
    params,
    results,
    localTypes,
    maxHeight,
    codeLen,
    main: main === 1,
    codeRoot: i.hash(),
    constsRoot: i.hash(),
    instFuncsRoot: i.hash(),
    sig: i.hash(),
    typesRoot: i.hash(),
  };
}
const putVW = (o: Out, tree: string) => (w: ValueWitness) => o.u32(w.index).value(w.value).path(w.path, tree, w.index);
const getVW = (i: In, tree: string) => (): ValueWitness => {
  const index = i.u32();
  return { index, value: i.value(), path: i.path(tree, index) };
};
const putSeg = (o: Out, tree: string) => (w: SegWitness) =>
  o.u32(w.index).u32(w.len).hash(w.root).path(w.path, tree, w.index);
const getSeg = (i: In, tree: string) => (): SegWitness => {
  const index = i.u32();
  return { index, len: i.u32(), root: i.hash(), path: i.path(tree, index) };
};

const MAX_NAME = 256;
const MAX_KV_DEPTH = 256;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder("utf-8", { fatal: true });

function putLeaf(o: Out, l: KvLeaf): void {
  o.hash(l.keyHash).u32(l.valueLen).hash(l.valueHash);
}
function getLeaf(i: In): KvLeaf {
  return { keyHash: i.hash(), valueLen: i.u32(), valueHash: i.hash() };
}
function putCommit(o: Out, c: HostCommit): void {
  o.u64(c.inputLen).hash(c.inputHash).hash(c.inputRoot).u64(c.inputPos);
  if (c.output.h.length !== 8 || c.output.tail.length >= 64) throw new StepProofError("bad output midstate");
  for (const x of c.output.h) o.u32(x);
  o.u8(c.output.tail.length).raw(c.output.tail, c.output.tail.length).u64(c.output.length);
  o.u32(c.logCount).hash(c.logAcc).bytes(c.stderr);
  o.hash(c.kvRoot).u32(c.kvCount).u64(c.kvBytes).u32(c.randomCounter).u64(c.fsOps).u64(c.clockNs);
  if (c.exitCode === null) o.u8(0);
  else o.u8(1).u32(c.exitCode >>> 0);
}
function getCommit(i: In): HostCommit {
  const inputLen = i.safe();
  const inputHash = i.hash();
  const inputRoot = i.hash();
  const inputPos = i.safe();
  const h: number[] = [];
  for (let k = 0; k < 8; k++) h.push(i.u32());
  const tl = i.u8();
  if (tl >= 64) throw new StepProofError("bad output midstate");
  const tail = i.raw(tl);
  const length = i.safe();
  const logCount = i.u32();
  const logAcc = i.hash();
  const stderr = i.bytes();
  const kvRoot = i.hash();
  const kvCount = i.u32();
  const kvBytes = i.safe();
  const randomCounter = i.u32();
  const fsOps = i.safe();
  const clockNs = i.u64();
  const ex = i.u8();
  if (ex > 1) throw new StepProofError("bad flag");
  const exitCode = ex === 1 ? i.u32() | 0 : null;
  return {
    inputLen,
    inputHash,
    inputRoot,
    inputPos,
    output: { h, tail, length },
    logCount,
    logAcc,
    stderr,
    kvRoot,
    kvCount,
    kvBytes,
    randomCounter,
    fsOps,
    clockNs,
    exitCode,
  };
}
function putHost(o: Out, w: HostWitness): void {
  const name = utf8.encode(w.name);
  if (name.length > MAX_NAME) throw new StepProofError("host function name too long");
  o.bytes(name).hash(w.segments);
  putCommit(o, w.commit);
  o.list(w.input, (c) => {
    if (c.bytes.length > LEAF_BYTES) throw new StepProofError("input chunk too long");
    o.u32(c.index).bytes(c.bytes).path(c.path, "input", c.index);
  });
  const kv = w.kv;
  if (!kv) {
    o.u8(0);
    return;
  }
  o.u8(1).bytes(kv.key);
  const p: KvPath = kv.path;
  if (p.siblings.length > MAX_KV_DEPTH) throw new StepProofError("key-value path too long");
  o.u32(p.siblings.length);
  for (const h of p.siblings) o.hash(h);
  if (p.end === null) o.u8(0);
  else putLeaf(o.u8(1), p.end);
  const ls: KvNodeOpening | undefined = p.lastSibling;
  if (!ls) o.u8(0);
  else if ("leaf" in ls) putLeaf(o.u8(1), ls.leaf);
  else o.u8(2).hash(ls.children[0]).hash(ls.children[1]);
  if (kv.value === undefined) o.u8(0);
  else o.u8(1).bytes(kv.value);
}
function getHost(i: In): HostWitness {
  const raw = i.bytes();
  if (raw.length > MAX_NAME) throw new StepProofError("host function name too long");
  let name: string;
  try {
    name = fromUtf8.decode(raw);
  } catch {
    throw new StepProofError("host function name is not UTF-8");
  }
  const segments = i.hash();
  const commit = getCommit(i);
  const input = i.list(9, () => {
    const index = i.u32();
    const bytes = i.bytes();
    if (bytes.length > LEAF_BYTES) throw new StepProofError("input chunk too long");
    return { index, bytes, path: i.path("input", index) };
  });
  const hasKv = i.u8();
  if (hasKv > 1) throw new StepProofError("bad flag");
  if (hasKv === 0) return { name, segments, commit, input };
  const key = i.bytes();
  const n = i.u32();
  if (n > MAX_KV_DEPTH) throw new StepProofError("key-value path too long");
  const siblings: Hash[] = [];
  for (let k = 0; k < n; k++) siblings.push(i.hash());
  const e = i.u8();
  if (e > 1) throw new StepProofError("bad flag");
  const end = e === 1 ? getLeaf(i) : null;
  const l = i.u8();
  if (l > 2) throw new StepProofError("bad flag");
  const lastSibling: KvNodeOpening | undefined =
    l === 0 ? undefined : l === 1 ? { leaf: getLeaf(i) } : { children: [i.hash(), i.hash()] };
  const v = i.u8();
  if (v > 1) throw new StepProofError("bad flag");
  const path: KvPath = lastSibling ? { siblings, end, lastSibling } : { siblings, end };
  return { name, segments, commit, input, kv: v === 1 ? { key, path, value: i.bytes() } : { key, path } };
}

function put(o: Out, p: StepProof): void {
  o.u8(VERSION);
  putState(o, p.state);
  putMeta(o, p.meta);
  o.path(p.metaPath, "funcs", p.state.func);
  o.list(p.code, (c) => {
    if (c.words.length > CODE_CHUNK) throw new StepProofError("code chunk too long");
    o.u32(c.index).u8(c.words.length);
    for (const w of c.words) o.u32(w >>> 0);
    o.path(c.path, "code", c.index);
  });
  o.list(p.consts, (c) => o.u32(c.index).u64(BigInt.asUintN(64, c.value)).path(c.path, "consts", c.index));
  o.list(p.stack, putVW(o, "stack"));
  o.list(p.globals, putVW(o, "globals"));
  o.list(p.memory, (c) => o.u32(c.index).raw(c.bytes, LEAF_BYTES).path(c.path, "memory", c.index));
  o.list(p.types, (t) => o.u32(t.index).hash(t.sig).path(t.path, "types", t.index));
  o.list(p.tables, (t) => o.u32(t.index).u32(t.size).u32(t.max).hash(t.elemsRoot).path(t.path, "tables", t.index));
  o.list(p.elems, (e) => o.u32(e.table).u32(e.index).value(e.value).path(e.path, `table${e.table}`, e.index));
  o.list(p.datas, putSeg(o, "datas"));
  o.list(p.dataChunks, (c) => o.u32(c.seg).u32(c.index).raw(c.bytes, LEAF_BYTES).path(c.path, `data${c.seg}`, c.index));
  o.list(p.elemSegs, putSeg(o, "elemSegs"));
  o.list(p.segElems, (e) => {
    if (e.value === undefined) throw new StepProofError("a segment element cannot be empty");
    o.u32(e.seg).u32(e.index).value(e.value).path(e.path, `seg${e.seg}`, e.index);
  });
  if (p.tableCount) o.u8(1).u32(p.tableCount.count).path(p.tableCount.path, "tables", p.tableCount.count);
  else o.u8(0);
  if (p.host) putHost(o.u8(1), p.host);
  else o.u8(0);
  const c = p.callee;
  if (c) {
    o.u8(1)
      .u32(c.index >>> 0)
      .u32(c.addr)
      .path(c.addrPath, "instFuncs", c.index >>> 0);
    putMeta(o, c.meta);
    o.path(c.metaPath, "funcs", c.addr);
  } else o.u8(0);
  const f = p.caller;
  if (f) o.u8(1).u32(f.func).u32(f.pc).u32(f.base).hash(f.prev);
  else o.u8(0);
}

function get(i: In): StepProof {
  const v = i.u8();
  if (v !== VERSION) throw new StepProofError(`unknown step proof version ${v}`);
  const state = getState(i);
  const meta = getMeta(i);
  const metaPath = i.path("funcs", state.func);
  const code = i.list(6, () => {
    const index = i.u32();
    const n = i.u8();
    if (n > CODE_CHUNK) throw new StepProofError("code chunk too long");
    const words: number[] = [];
    for (let k = 0; k < n; k++) words.push(i.u32() | 0);
    return { index, words, path: i.path("code", index) };
  });
  const consts = i.list(13, () => {
    const index = i.u32();
    return { index, value: BigInt.asIntN(64, i.u64()), path: i.path("consts", index) };
  });
  const stack = i.list(6, getVW(i, "stack"));
  const globals = i.list(6, getVW(i, "globals"));
  const memory = i.list(5 + LEAF_BYTES, () => {
    const index = i.u32();
    return { index, bytes: i.raw(LEAF_BYTES), path: i.path("memory", index) };
  });
  const types = i.list(37, () => {
    const index = i.u32();
    return { index, sig: i.hash(), path: i.path("types", index) };
  });
  const tables = i.list(45, () => {
    const index = i.u32();
    return { index, size: i.u32(), max: i.u32(), elemsRoot: i.hash(), path: i.path("tables", index) };
  });
  const elems = i.list(10, () => {
    const table = i.u32();
    const index = i.u32();
    return { table, index, value: i.value(), path: i.path(`table${table}`, index) };
  });
  const datas = i.list(41, getSeg(i, "datas"));
  const dataChunks = i.list(9 + LEAF_BYTES, () => {
    const seg = i.u32();
    const index = i.u32();
    return { seg, index, bytes: i.raw(LEAF_BYTES), path: i.path(`data${seg}`, index) };
  });
  const elemSegs = i.list(41, getSeg(i, "elemSegs"));
  const segElems = i.list(10, () => {
    const seg = i.u32();
    const index = i.u32();
    const value = i.value();
    if (value === undefined) throw new StepProofError("a segment element cannot be empty");
    return { seg, index, value, path: i.path(`seg${seg}`, index) };
  });
  const p: {
    -readonly [K in keyof StepProof]: StepProof[K];
  } = {
    state,
    meta,
    metaPath,
    code,
    consts,
    stack,
    globals,
    memory,
    types,
    tables,
    elems,
    datas,
    dataChunks,
    elemSegs,
    segElems,
  };
  const hasCount = i.u8();
  if (hasCount > 1) throw new StepProofError("bad flag");
  if (hasCount === 1) {
    const count = i.u32();
    p.tableCount = { count, path: i.path("tables", count) };
  }
  const hasHost = i.u8();
  if (hasHost > 1) throw new StepProofError("bad flag");
  if (hasHost === 1) p.host = getHost(i);
  const hasCallee = i.u8();
  if (hasCallee > 1) throw new StepProofError("bad flag");
  if (hasCallee === 1) {
    const index = i.u32() | 0;
    const addr = i.u32();
    const addrPath = i.path("instFuncs", index >>> 0);
    const cm = getMeta(i);
    p.callee = { index, addr, addrPath, meta: cm, metaPath: i.path("funcs", addr) };
  }
  const hasCaller = i.u8();
  if (hasCaller > 1) throw new StepProofError("bad flag");
  if (hasCaller === 1) p.caller = { func: i.u32(), pc: i.u32(), base: i.u32(), prev: i.hash() };
  return p;
}

/** The canonical encoding of a proof (throws StepProofError for a value it cannot represent). */
export function encodeStepProof(p: StepProof): Uint8Array {
  const o = new Out();
  put(o, p);
  return o.finish();
}

/** Decodes a canonical encoding; anything else (truncated, trailing, non-canonical, oversized) throws StepProofError. */
export function decodeStepProof(bytes: Uint8Array, maxBytes: number = MAX_STEP_PROOF_BYTES): StepProof {
  if (bytes.length > maxBytes) throw new StepProofError(`step proof of ${bytes.length} bytes (at most ${maxBytes})`);
  const i = new In(bytes);
  const p = get(i);
  i.done();
  const again = encodeStepProof(p);
  if (again.length !== bytes.length || again.some((b, k) => b !== bytes[k]))
    throw new StepProofError("non-canonical step proof encoding");
  return p;
}

/** Deterministic gas for verifying an encoded proof (what the chain charges before verifyStep). */
export function verifyStepGas(proofBytes: Uint8Array | number): bigint {
  const n = typeof proofBytes === "number" ? proofBytes : proofBytes.length;
  return VERIFY_STEP_GAS_BASE + BigInt(n) * VERIFY_STEP_GAS_PER_BYTE;
}
