/** @module Decodes a WebAssembly binary into a DecodedModule; refuses malformed input (validation is a separate pass). */
import type { ConstExpr, DecodedModule, ElemSegment, ExternKind, GlobalType, ImportDesc, TableType } from "./module.js";
import { MalformedError, Reader } from "./reader.js";
import { EXTERNREF, F32, F64, FUNCREF, I32, I64, type Limits, V128, type ValType } from "./types.js";

/** Bounds against hostile modules: counts that would allocate before any other check. */
const MAX_COUNT = 1_000_000;
const MAX_LOCALS = 50_000;

function valType(r: Reader): ValType {
  const t = r.u8();
  if (t === I32 || t === I64 || t === F32 || t === F64 || t === FUNCREF || t === EXTERNREF) return t;
  if (t === V128) r.fail("SIMD (v128) is not supported by this deterministic engine");
  return r.fail(`malformed value type 0x${t.toString(16)}`);
}
function refType(r: Reader): ValType {
  const t = r.u8();
  if (t !== FUNCREF && t !== EXTERNREF) r.fail("malformed reference type");
  return t;
}
function limits(r: Reader, maxAllowed: number): Limits {
  const flag = r.u8();
  if (flag === 0x02 || flag === 0x03) r.fail("shared memories (threads) are not supported");
  if (flag > 1) r.fail("integer too large (limits flag)");
  const min = r.u32();
  const max = flag === 1 ? r.u32() : undefined;
  void maxAllowed;
  return { min, max };
}
function tableType(r: Reader): TableType {
  const elem = refType(r);
  return { elem, limits: limits(r, 0xffffffff) };
}
function globalType(r: Reader): GlobalType {
  const type = valType(r);
  const m = r.u8();
  if (m > 1) r.fail("malformed mutability");
  return { type, mutable: m === 1 };
}
function count(r: Reader): number {
  const n = r.u32();
  if (n > MAX_COUNT) r.fail(`count ${n} exceeds the engine limit`);
  return n;
}

/** Reads a constant expression: exactly one instruction followed by `end`. */
export function constExpr(r: Reader): ConstExpr {
  const op = r.u8();
  let e: ConstExpr;
  switch (op) {
    case 0x41:
      e = { op: "i32.const", value: r.s32() };
      break;
    case 0x42:
      e = { op: "i64.const", value: r.sBig(64) };
      break;
    case 0x43:
      e = { op: "f32.const", value: r.f32bits() };
      break;
    case 0x44:
      e = { op: "f64.const", value: r.f64bits() };
      break;
    case 0x23:
      e = { op: "global.get", index: r.u32() };
      break;
    case 0xd0:
      e = { op: "ref.null", type: refType(r) };
      break;
    case 0xd2:
      e = { op: "ref.func", index: r.u32() };
      break;
    case 0x0b:
      throw new ConstExprError("type mismatch: empty constant expression");
    default:
      throw new ConstExprError(`constant expression required (opcode 0x${op.toString(16)})`);
  }
  const end = r.u8();
  if (end !== 0x0b) throw new ConstExprError("constant expression required (more than one instruction)");
  return e;
}

/** A constant expression that decodes but is not constant: invalid, not malformed. */
export class ConstExprError extends Error {}

const SECTION_ORDER: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 7,
  8: 8,
  9: 9,
  12: 10,
  10: 11,
  11: 12,
};

export function decodeModule(bytes: Uint8Array): DecodedModule {
  const r = new Reader(bytes);
  const magic = r.bytesN(4);
  if (magic[0] !== 0 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d)
    r.fail("magic header not detected");
  const version = r.bytesN(4);
  if (version[0] !== 1 || version[1] !== 0 || version[2] !== 0 || version[3] !== 0) r.fail("unknown binary version");
  const m: DecodedModule = {
    bytes,
    types: [],
    imports: [],
    funcs: [],
    tables: [],
    memories: [],
    globals: [],
    exports: [],
    start: undefined,
    elems: [],
    dataCount: undefined,
    codes: [],
    datas: [],
  };
  let lastOrder = 0;
  let sawFuncSection = false;
  let sawCode = false;
  while (!r.eof()) {
    const id = r.u8();
    const size = r.u32();
    if (size > r.end - r.pos) r.fail("section size out of bounds (unexpected end)");
    const s = new Reader(bytes, r.pos, r.pos + size);
    r.pos += size;
    if (id === 0) {
      s.name();
      continue;
    }
    const order = SECTION_ORDER[id];
    if (order === undefined) s.fail(`malformed section id ${id}`);
    if (order <= lastOrder) s.fail("unexpected content after last section (section out of order or duplicated)");
    lastOrder = order;
    switch (id) {
      case 1: {
        const n = count(s);
        for (let i = 0; i < n; i++) {
          if (s.u8() !== 0x60) s.fail("malformed function type (integer representation too long)");
          const np = count(s);
          const params: ValType[] = [];
          for (let j = 0; j < np; j++) params.push(valType(s));
          const nr = count(s);
          const results: ValType[] = [];
          for (let j = 0; j < nr; j++) results.push(valType(s));
          m.types.push({ params, results });
        }
        break;
      }
      case 2: {
        const n = count(s);
        for (let i = 0; i < n; i++) {
          const module = s.name();
          const name = s.name();
          const kind = s.u8();
          let desc: ImportDesc;
          if (kind === 0) desc = { kind: "func", type: s.u32() };
          else if (kind === 1) desc = { kind: "table", table: tableType(s) };
          else if (kind === 2) desc = { kind: "memory", limits: limits(s, 65536) };
          else if (kind === 3) desc = { kind: "global", global: globalType(s) };
          else desc = s.fail("malformed import kind");
          m.imports.push({ module, name, desc });
        }
        break;
      }
      case 3: {
        sawFuncSection = true;
        const n = count(s);
        for (let i = 0; i < n; i++) m.funcs.push(s.u32());
        break;
      }
      case 4: {
        const n = count(s);
        for (let i = 0; i < n; i++) m.tables.push(tableType(s));
        break;
      }
      case 5: {
        const n = count(s);
        for (let i = 0; i < n; i++) m.memories.push(limits(s, 65536));
        break;
      }
      case 6: {
        const n = count(s);
        for (let i = 0; i < n; i++) {
          const type = globalType(s);
          m.globals.push({ type, init: constExprOrDefer(s) });
        }
        break;
      }
      case 7: {
        const n = count(s);
        for (let i = 0; i < n; i++) {
          const name = s.name();
          const k = s.u8();
          if (k > 3) s.fail("malformed export kind");
          const kind: ExternKind = (["func", "table", "memory", "global"] as const)[k] as ExternKind;
          m.exports.push({ name, kind, index: s.u32() });
        }
        break;
      }
      case 8:
        m.start = s.u32();
        break;
      case 9: {
        const n = count(s);
        for (let i = 0; i < n; i++) m.elems.push(elemSegment(s));
        break;
      }
      case 12:
        m.dataCount = s.u32();
        break;
      case 10: {
        sawCode = true;
        const n = count(s);
        if (n !== m.funcs.length) s.fail("function and code section have inconsistent lengths");
        for (let i = 0; i < n; i++) {
          const size = s.u32();
          if (size > s.end - s.pos) s.fail("unexpected end (function body size)");
          const b = new Reader(bytes, s.pos, s.pos + size);
          s.pos += size;
          const groups = b.u32();
          const locals: ValType[] = [];
          let total = 0;
          for (let g = 0; g < groups; g++) {
            const c = b.u32();
            total += c;
            if (total > MAX_LOCALS) b.fail("too many locals");
            const t = valType(b);
            for (let j = 0; j < c; j++) locals.push(t);
          }
          if (b.pos >= b.end) b.fail("unexpected end (function body)");
          m.codes.push({ locals, start: b.pos, end: b.end });
        }
        break;
      }
      case 11: {
        const n = count(s);
        if (m.dataCount !== undefined && n !== m.dataCount)
          s.fail("data count and data section have inconsistent lengths");
        for (let i = 0; i < n; i++) {
          const flag = s.u32();
          if (flag === 0) {
            const offset = constExprOrDefer(s);
            m.datas.push({ mode: "active", memory: 0, offset, bytes: s.bytesN(s.u32()) });
          } else if (flag === 1) {
            m.datas.push({ mode: "passive", memory: 0, offset: undefined, bytes: s.bytesN(s.u32()) });
          } else if (flag === 2) {
            const memory = s.u32();
            const offset = constExprOrDefer(s);
            m.datas.push({ mode: "active", memory, offset, bytes: s.bytesN(s.u32()) });
          } else s.fail("malformed data segment flag");
        }
        break;
      }
    }
    if (!s.eof()) s.fail("section size mismatch");
  }
  if (!sawCode && m.funcs.length > 0) r.fail("function and code section have inconsistent lengths");
  void sawFuncSection;
  if (m.dataCount !== undefined && m.datas.length !== m.dataCount)
    r.fail("data count and data section have inconsistent lengths");
  return m;
}

/** Non-constant instructions in a constant position are a validation error, recorded for the validator. */
function constExprOrDefer(r: Reader): ConstExpr {
  const start = r.pos;
  try {
    return constExpr(r);
  } catch (e) {
    if (!(e instanceof ConstExprError)) throw e;
    // Skip to the expression's end so decoding can continue; the validator reports it as invalid.
    r.pos = start;
    skipExpr(r);
    return { op: "invalid", message: e.message };
  }
}

/** Skips one expression up to its matching `end` (syntax only; typing is the validator's job). */
function skipExpr(r: Reader): void {
  let depth = 0;
  for (;;) {
    const op = r.u8();
    if (op === 0x0b) {
      if (depth === 0) return;
      depth--;
      continue;
    }
    if (op === 0x02 || op === 0x03 || op === 0x04) depth++;
    skipImmediates(r, op);
  }
}

/** Reads past the immediates of instruction `op`; fails on opcodes that do not exist. */
export function skipImmediates(r: Reader, op: number): void {
  switch (op) {
    case 0x02:
    case 0x03:
    case 0x04:
      r.sBig(33);
      return;
    case 0x0c:
    case 0x0d:
    case 0x10:
    case 0xd2:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
      r.u32();
      return;
    case 0x0e: {
      const n = r.u32();
      for (let i = 0; i <= n; i++) r.u32();
      return;
    }
    case 0x11:
      r.u32();
      r.u32();
      return;
    case 0x1c: {
      const n = r.u32();
      for (let i = 0; i < n; i++) r.u8();
      return;
    }
    case 0x3f:
    case 0x40:
    case 0xd0:
      r.u8();
      return;
    case 0x41:
      r.s32();
      return;
    case 0x42:
      r.sBig(64);
      return;
    case 0x43:
      r.bytesN(4);
      return;
    case 0x44:
      r.bytesN(8);
      return;
    case 0xfc: {
      const sub = r.u32();
      if (sub <= 7) return;
      if (sub === 8 || sub === 12 || sub === 14) {
        r.u32();
        r.u32();
        return;
      }
      if (sub === 9 || sub === 11 || sub === 13 || sub === 15 || sub === 16 || sub === 17) {
        r.u32();
        return;
      }
      if (sub === 10) {
        r.u8();
        r.u8();
        return;
      }
      r.fail(`illegal opcode 0xfc ${sub}`);
    }
  }
  if (op >= 0x28 && op <= 0x3e) {
    r.u32();
    r.u32();
    return;
  }
  if (
    op <= 0x01 ||
    op === 0x05 ||
    op === 0x0f ||
    op === 0x1a ||
    op === 0x1b ||
    (op >= 0x45 && op <= 0xc4) ||
    op === 0xd1
  ) {
    return;
  }
  if (op === 0xfd) r.fail("SIMD instructions are not supported by this deterministic engine");
  if (op === 0xfe) r.fail("threads (atomic instructions) are not supported by this deterministic engine");
  r.fail(`illegal opcode 0x${op.toString(16)}`);
}

/**
 * Syntax-only pass over every function body. Decoding precedes validation in the spec, so when
 * validation fails this finds a malformation further on that must be reported instead.
 */
export function scanBodies(m: DecodedModule): void {
  for (const body of m.codes) {
    const r = new Reader(m.bytes, body.start, body.end);
    let depth = 0;
    for (;;) {
      if (r.eof()) r.fail("unexpected end of function body");
      const op = r.u8();
      if (op === 0x0b) {
        if (depth === 0) break;
        depth--;
        continue;
      }
      if (op === 0x02 || op === 0x03 || op === 0x04) depth++;
      skipImmediates(r, op);
    }
    if (!r.eof()) r.fail("section size mismatch (code after the function's end)");
  }
}

function elemSegment(r: Reader): ElemSegment {
  const flag = r.u32();
  if (flag > 7) r.fail("malformed elements segment kind");
  const passiveOrDecl = (flag & 1) !== 0;
  const explicitTable = (flag & 2) !== 0;
  const usesExprs = (flag & 4) !== 0;
  let table = 0;
  let offset: ConstExpr | undefined;
  let mode: ElemSegment["mode"] = "active";
  if (!passiveOrDecl) {
    if (explicitTable) table = r.u32();
    offset = constExprOrDefer(r);
  } else {
    mode = explicitTable ? "declarative" : "passive";
  }
  let type: ValType = FUNCREF;
  if (passiveOrDecl || explicitTable) {
    if (usesExprs) type = refType(r);
    else if (r.u8() !== 0x00) r.fail("malformed element kind");
  }
  const n = count(r);
  const init: ConstExpr[] = [];
  for (let i = 0; i < n; i++) {
    if (usesExprs) init.push(constExprOrDefer(r));
    else init.push({ op: "ref.func", index: r.u32() });
  }
  return { mode, table, offset, type, init };
}

export { MalformedError };
