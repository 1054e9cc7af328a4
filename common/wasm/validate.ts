/**
 * @module Validation of a decoded module and translation of each function body into compact internal
 * code (one pass per body, in the manner of wasmi's translator). Refuses SIMD, threads and other
 * non-deterministic or unsupported proposals with a clear message.
 */
import type { ConstExpr, DecodedModule, GlobalType, TableType } from "./module.js";
import { Op } from "./opcodes.js";
import { MalformedError, Reader } from "./reader.js";
import {
  F32,
  F64,
  FUNCREF,
  type FuncType,
  I32,
  I64,
  isNumType,
  isRefType,
  type Limits,
  type ValType,
  valTypeName,
} from "./types.js";

/** A module that decodes but breaks a typing or structural rule. */
export class ValidationError extends Error {}

export interface CompiledFunc {
  readonly typeIndex: number;
  readonly type: FuncType;
  /** Types of the declared locals after the parameters (their zero values are pushed on entry). */
  readonly localTypes: readonly ValType[];
  readonly code: Int32Array;
  /** 64-bit constants (i64.const, f64.const) referenced by index from the code. */
  readonly consts: readonly bigint[];
  /** Peak operand + locals height, checked against the value-stack limit on entry. */
  readonly maxHeight: number;
}

export interface ValidatedModule {
  readonly decoded: DecodedModule;
  readonly types: readonly FuncType[];
  /** Type index of every function, imports first. */
  readonly funcTypes: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly Limits[];
  readonly globals: readonly GlobalType[];
  readonly importedFuncs: number;
  readonly importedGlobals: number;
  readonly compiled: readonly CompiledFunc[];
}

const UNKNOWN = 0;
const MAX_PAGES = 65536;

interface Ctrl {
  readonly opcode: number; // 0x02 block, 0x03 loop, 0x04 if, 0x05 else, 0 function
  readonly start: readonly ValType[];
  readonly end: readonly ValType[];
  readonly height: number;
  unreachable: boolean;
  /** For loops: the pc of the loop start. */
  readonly loopPc: number;
  /** Code positions waiting for this block's end pc. */
  readonly patches: number[];
  /** For if: the position of BR_UNLESS's target, patched at else or end. */
  elsePatch: number;
}

function fail(msg: string): never {
  throw new ValidationError(msg);
}

/** Loads/stores: opcode → [natural alignment log2, value type, isStore]. */
function memOp(op: number): [number, ValType, boolean] | undefined {
  switch (op) {
    case 0x28:
      return [2, I32, false];
    case 0x29:
      return [3, I64, false];
    case 0x2a:
      return [2, F32, false];
    case 0x2b:
      return [3, F64, false];
    case 0x2c:
    case 0x2d:
      return [0, I32, false];
    case 0x2e:
    case 0x2f:
      return [1, I32, false];
    case 0x30:
    case 0x31:
      return [0, I64, false];
    case 0x32:
    case 0x33:
      return [1, I64, false];
    case 0x34:
    case 0x35:
      return [2, I64, false];
    case 0x36:
      return [2, I32, true];
    case 0x37:
      return [3, I64, true];
    case 0x38:
      return [2, F32, true];
    case 0x39:
      return [3, F64, true];
    case 0x3a:
      return [0, I32, true];
    case 0x3b:
      return [1, I32, true];
    case 0x3c:
      return [0, I64, true];
    case 0x3d:
      return [1, I64, true];
    case 0x3e:
      return [2, I64, true];
    default:
      return undefined;
  }
}

/** Numeric opcodes 0x45..0xC4 → [param types, result type]. */
function numericSig(op: number): [ValType[], ValType] | undefined {
  const un = (t: ValType, r: ValType): [ValType[], ValType] => [[t], r];
  const bin = (t: ValType, r: ValType): [ValType[], ValType] => [[t, t], r];
  if (op === 0x45) return un(I32, I32);
  if (op >= 0x46 && op <= 0x4f) return bin(I32, I32);
  if (op === 0x50) return un(I64, I32);
  if (op >= 0x51 && op <= 0x5a) return bin(I64, I32);
  if (op >= 0x5b && op <= 0x60) return bin(F32, I32);
  if (op >= 0x61 && op <= 0x66) return bin(F64, I32);
  if (op >= 0x67 && op <= 0x69) return un(I32, I32);
  if (op >= 0x6a && op <= 0x78) return bin(I32, I32);
  if (op >= 0x79 && op <= 0x7b) return un(I64, I64);
  if (op >= 0x7c && op <= 0x8a) return bin(I64, I64);
  if (op >= 0x8b && op <= 0x91) return un(F32, F32);
  if (op >= 0x92 && op <= 0x98) return bin(F32, F32);
  if (op >= 0x99 && op <= 0x9f) return un(F64, F64);
  if (op >= 0xa0 && op <= 0xa6) return bin(F64, F64);
  const conv: Record<number, [ValType, ValType]> = {
    167: [I64, I32],
    168: [F32, I32],
    169: [F32, I32],
    170: [F64, I32],
    171: [F64, I32],
    172: [I32, I64],
    173: [I32, I64],
    174: [F32, I64],
    175: [F32, I64],
    176: [F64, I64],
    177: [F64, I64],
    178: [I32, F32],
    179: [I32, F32],
    180: [I64, F32],
    181: [I64, F32],
    182: [F64, F32],
    183: [I32, F64],
    184: [I32, F64],
    185: [I64, F64],
    186: [I64, F64],
    187: [F32, F64],
    188: [F32, I32],
    189: [F64, I64],
    190: [I32, F32],
    191: [I64, F64],
    192: [I32, I32],
    193: [I32, I32],
    194: [I64, I64],
    195: [I64, I64],
    196: [I64, I64],
  };
  const c = conv[op];
  return c ? un(c[0], c[1]) : undefined;
}
const SAT_SIG: [ValType, ValType][] = [
  [F32, I32],
  [F32, I32],
  [F64, I32],
  [F64, I32],
  [F32, I64],
  [F32, I64],
  [F64, I64],
  [F64, I64],
];

function checkLimits(l: Limits, bound: number, what: string): void {
  if (l.min > bound) fail(`${what} size must be at most ${bound}`);
  if (l.max !== undefined) {
    if (l.max > bound) fail(`${what} size must be at most ${bound}`);
    if (l.min > l.max) fail("size minimum must not be greater than maximum");
  }
}

export function validateModule(m: DecodedModule): ValidatedModule {
  const types = m.types;
  const funcTypes: number[] = [];
  const tables: TableType[] = [];
  const memories: Limits[] = [];
  const globals: GlobalType[] = [];
  for (const imp of m.imports) {
    const d = imp.desc;
    if (d.kind === "func") {
      if (d.type >= types.length) fail(`unknown type ${d.type}`);
      funcTypes.push(d.type);
    } else if (d.kind === "table") tables.push(d.table);
    else if (d.kind === "memory") memories.push(d.limits);
    else globals.push(d.global);
  }
  const importedFuncs = funcTypes.length;
  const importedGlobals = globals.length;
  for (const t of m.funcs) {
    if (t >= types.length) fail(`unknown type ${t}`);
    funcTypes.push(t);
  }
  tables.push(...m.tables);
  memories.push(...m.memories);
  for (const t of tables) checkLimits(t.limits, 0xffffffff, "table");
  for (const l of memories) checkLimits(l, MAX_PAGES, "memory");
  if (memories.length > 1) fail("multiple memories are not supported");

  // Functions that may be referenced with ref.func inside bodies ("declared" references).
  const refs = new Set<number>();
  const noteRefs = (e: ConstExpr | undefined) => {
    if (e?.op === "ref.func") refs.add(e.index);
  };
  for (const g of m.globals) noteRefs(g.init);
  for (const e of m.elems) for (const x of e.init) noteRefs(x);
  for (const ex of m.exports) if (ex.kind === "func") refs.add(ex.index);

  const constType = (e: ConstExpr, nGlobals: number): ValType => {
    switch (e.op) {
      case "i32.const":
        return I32;
      case "i64.const":
        return I64;
      case "f32.const":
        return F32;
      case "f64.const":
        return F64;
      case "ref.null":
        return e.type;
      case "ref.func":
        if (e.index >= funcTypes.length) fail(`unknown function ${e.index}`);
        return FUNCREF;
      case "global.get": {
        if (e.index >= nGlobals) fail(`unknown global ${e.index}`);
        const g = globals[e.index] as GlobalType;
        if (g.mutable) fail("constant expression required (mutable global)");
        return g.type;
      }
      case "invalid":
        return fail(e.message);
    }
  };
  for (const g of m.globals) {
    const t = constType(g.init, importedGlobals);
    if (t !== g.type.type)
      fail(`type mismatch in global initializer: ${valTypeName(t)} vs ${valTypeName(g.type.type)}`);
    globals.push(g.type);
  }
  const names = new Set<string>();
  for (const ex of m.exports) {
    if (names.has(ex.name)) fail("duplicate export name");
    names.add(ex.name);
    const n =
      ex.kind === "func"
        ? funcTypes.length
        : ex.kind === "table"
          ? tables.length
          : ex.kind === "memory"
            ? memories.length
            : globals.length;
    if (ex.index >= n) fail(`unknown ${ex.kind} ${ex.index}`);
  }
  if (m.start !== undefined) {
    if (m.start >= funcTypes.length) fail(`unknown function ${m.start}`);
    const t = types[funcTypes[m.start] as number] as FuncType;
    if (t.params.length !== 0 || t.results.length !== 0) fail("start function must have type [] -> []");
  }
  for (const e of m.elems) {
    for (const x of e.init) {
      const t = constType(x, importedGlobals);
      if (t !== e.type) fail("type mismatch in element segment");
    }
    if (e.mode === "active") {
      if (e.table >= tables.length) fail(`unknown table ${e.table}`);
      if (constType(e.offset as ConstExpr, importedGlobals) !== I32) fail("type mismatch in element offset");
      if ((tables[e.table] as TableType).elem !== e.type) fail("type mismatch: element segment type vs table type");
    }
  }
  for (const d of m.datas) {
    if (d.mode === "active") {
      if (d.memory >= memories.length) fail(`unknown memory ${d.memory}`);
      if (constType(d.offset as ConstExpr, importedGlobals) !== I32) fail("type mismatch in data offset");
    }
  }
  const env: Env = { m, types, funcTypes, tables, memories, globals, refs };
  const compiled: CompiledFunc[] = [];
  for (let i = 0; i < m.codes.length; i++) {
    compiled.push(compileFunction(env, m.funcs[i] as number, i));
  }
  return { decoded: m, types, funcTypes, tables, memories, globals, importedFuncs, importedGlobals, compiled };
}

interface Env {
  readonly m: DecodedModule;
  readonly types: readonly FuncType[];
  readonly funcTypes: readonly number[];
  readonly tables: readonly TableType[];
  readonly memories: readonly Limits[];
  readonly globals: readonly GlobalType[];
  readonly refs: ReadonlySet<number>;
}

function compileFunction(env: Env, typeIndex: number, codeIndex: number): CompiledFunc {
  const body = env.m.codes[codeIndex] as DecodedModule["codes"][number];
  const type = env.types[typeIndex] as FuncType;
  const locals: ValType[] = [...type.params, ...body.locals];
  const nLocals = locals.length;
  const r = new Reader(env.m.bytes, body.start, body.end);
  const code: number[] = [];
  const consts: bigint[] = [];
  const vals: ValType[] = [];
  const ctrls: Ctrl[] = [];
  let maxHeight = nLocals;

  const push = (t: ValType) => {
    vals.push(t);
    if (nLocals + vals.length > maxHeight) maxHeight = nLocals + vals.length;
  };
  const pop = (): ValType => {
    const c = ctrls[ctrls.length - 1] as Ctrl;
    if (vals.length === c.height) {
      if (c.unreachable) return UNKNOWN;
      fail("type mismatch: value stack underflow");
    }
    return vals.pop() as ValType;
  };
  const popExpect = (t: ValType): ValType => {
    const a = pop();
    if (a !== t && a !== UNKNOWN && t !== UNKNOWN)
      fail(`type mismatch: expected ${valTypeName(t)}, got ${valTypeName(a)}`);
    return a === UNKNOWN ? t : a;
  };
  const pushAll = (ts: readonly ValType[]) => {
    for (const t of ts) push(t);
  };
  const popAll = (ts: readonly ValType[]) => {
    for (let i = ts.length - 1; i >= 0; i--) popExpect(ts[i] as ValType);
  };
  const pushCtrl = (opcode: number, start: readonly ValType[], end: readonly ValType[]): Ctrl => {
    const c: Ctrl = {
      opcode,
      start,
      end,
      height: vals.length,
      unreachable: false,
      loopPc: code.length,
      patches: [],
      elsePatch: -1,
    };
    ctrls.push(c);
    pushAll(start);
    return c;
  };
  const popCtrl = (): Ctrl => {
    const c = ctrls[ctrls.length - 1];
    if (!c) fail("unexpected end");
    popAll(c.end);
    if (vals.length !== c.height) fail("type mismatch: values remaining on the stack at the end of a block");
    ctrls.pop();
    return c;
  };
  const labelTypes = (c: Ctrl) => (c.opcode === 0x03 ? c.start : c.end);
  const setUnreachable = () => {
    const c = ctrls[ctrls.length - 1] as Ctrl;
    vals.length = c.height;
    c.unreachable = true;
  };
  /** Emits the (target, keep, height) triple of a branch to label depth `d`. */
  const emitTarget = (d: number) => {
    const c = ctrls[ctrls.length - 1 - d] as Ctrl;
    const keep = labelTypes(c).length;
    if (c.opcode === 0x03) code.push(c.loopPc);
    else {
      c.patches.push(code.length);
      code.push(-1);
    }
    code.push(keep, nLocals + c.height);
  };
  const blockType = (): [readonly ValType[], readonly ValType[]] => {
    const bt = r.sBig(33);
    if (bt >= 0n) {
      if (bt >= BigInt(env.types.length)) fail(`unknown type ${bt}`);
      const t = env.types[Number(bt)] as FuncType;
      return [t.params, t.results];
    }
    const b = Number(bt) & 0x7f;
    if (b === 0x40) return [[], []];
    if (b === 0x7b) fail("SIMD (v128) is not supported by this deterministic engine");
    if (!isNumType(b) && !isRefType(b)) throw new MalformedError(`malformed block type 0x${b.toString(16)}`);
    return [[], [b]];
  };
  const local = (): number => {
    const i = r.u32();
    if (i >= nLocals) fail(`unknown local ${i}`);
    return i;
  };
  const needMemory = () => {
    if (env.memories.length === 0) fail("unknown memory 0");
  };
  const table = (i: number): TableType => {
    const t = env.tables[i];
    if (!t) fail(`unknown table ${i}`);
    return t;
  };
  /** memory.init / data.drop need the data count section (so one pass can check the index). */
  const checkData = (i: number): number => {
    if (env.m.dataCount === undefined && env.m.datas.length > 0)
      throw new MalformedError("data count section required");
    if (i >= (env.m.dataCount ?? 0)) fail(`unknown data segment ${i}`);
    return i;
  };
  const elemIndex = (): number => {
    const i = r.u32();
    if (i >= env.m.elems.length) fail(`unknown elem segment ${i}`);
    return i;
  };

  pushCtrl(0, [], type.results);
  for (;;) {
    if (r.pos >= r.end) throw new MalformedError("unexpected end of function body (END opcode expected)");
    const op = r.u8();
    switch (op) {
      case 0x00:
        code.push(Op.UNREACHABLE);
        setUnreachable();
        break;
      case 0x01:
        break;
      case 0x02:
      case 0x03: {
        const [s, e] = blockType();
        popAll(s);
        pushCtrl(op, s, e);
        break;
      }
      case 0x04: {
        const [s, e] = blockType();
        popExpect(I32);
        popAll(s);
        const c = pushCtrl(op, s, e);
        code.push(Op.BR_UNLESS);
        c.elsePatch = code.length;
        code.push(-1);
        break;
      }
      case 0x05: {
        const c = popCtrl();
        if (c.opcode !== 0x04) fail("else without matching if");
        code.push(Op.JUMP);
        const n = pushCtrl(0x05, c.start, c.end);
        n.patches.push(...c.patches, code.length);
        code.push(-1);
        code[c.elsePatch] = code.length;
        break;
      }
      case 0x0b: {
        const c = popCtrl();
        if (c.opcode === 0x04 && (c.start.length !== c.end.length || c.start.some((t, i) => t !== c.end[i]))) {
          fail("type mismatch: if without else must leave its parameters unchanged");
        }
        pushAll(c.end);
        if (c.opcode === 0x04) code[c.elsePatch] = code.length;
        if (ctrls.length === 0) {
          // The function's own end: patch branches to it, then return.
          for (const p of c.patches) code[p] = code.length;
          code.push(Op.RETURN);
          if (r.pos !== r.end) throw new MalformedError("section size mismatch (code after the function's end)");
          return { typeIndex, type, localTypes: body.locals, code: Int32Array.from(code), consts, maxHeight };
        }
        for (const p of c.patches) code[p] = code.length;
        break;
      }
      case 0x0c: {
        const d = r.u32();
        if (d >= ctrls.length) fail(`unknown label ${d}`);
        popAll(labelTypes(ctrls[ctrls.length - 1 - d] as Ctrl));
        code.push(Op.BR);
        emitTarget(d);
        setUnreachable();
        break;
      }
      case 0x0d: {
        const d = r.u32();
        if (d >= ctrls.length) fail(`unknown label ${d}`);
        popExpect(I32);
        const lt = labelTypes(ctrls[ctrls.length - 1 - d] as Ctrl);
        popAll(lt);
        pushAll(lt);
        code.push(Op.BR_IF);
        emitTarget(d);
        break;
      }
      case 0x0e: {
        const n = r.u32();
        if (n > 1_000_000) fail("br_table too large");
        const labels: number[] = [];
        for (let i = 0; i <= n; i++) {
          const d = r.u32();
          if (d >= ctrls.length) fail(`unknown label ${d}`);
          labels.push(d);
        }
        popExpect(I32);
        const def = labelTypes(ctrls[ctrls.length - 1 - (labels[n] as number)] as Ctrl);
        // Each distinct depth once: a hostile table of a million labels costs no more than the nesting.
        for (const d of new Set(labels)) {
          const lt = labelTypes(ctrls[ctrls.length - 1 - d] as Ctrl);
          if (lt.length !== def.length) fail("type mismatch: br_table labels of different arity");
          // Check the label against the stack without consuming it (values may be polymorphic).
          const saved = vals.length;
          const top = vals.slice(Math.max(0, saved - lt.length));
          popAll(lt);
          vals.length = Math.max(0, saved - lt.length);
          vals.push(...top);
        }
        popAll(def);
        code.push(Op.BR_TABLE, n);
        for (const d of labels) emitTarget(d);
        setUnreachable();
        break;
      }
      case 0x0f:
        popAll(type.results);
        code.push(Op.RETURN);
        setUnreachable();
        break;
      case 0x10: {
        const f = r.u32();
        if (f >= env.funcTypes.length) fail(`unknown function ${f}`);
        const t = env.types[env.funcTypes[f] as number] as FuncType;
        popAll(t.params);
        pushAll(t.results);
        code.push(Op.CALL, f);
        break;
      }
      case 0x11: {
        const ti = r.u32();
        const tbl = r.u32();
        const tt = table(tbl);
        if (tt.elem !== FUNCREF) fail("type mismatch: call_indirect on a table that is not funcref");
        if (ti >= env.types.length) fail(`unknown type ${ti}`);
        const t = env.types[ti] as FuncType;
        popExpect(I32);
        popAll(t.params);
        pushAll(t.results);
        code.push(Op.CALL_INDIRECT, ti, tbl);
        break;
      }
      case 0x1a:
        pop();
        code.push(Op.DROP);
        break;
      case 0x1b: {
        popExpect(I32);
        const a = pop();
        const b = pop();
        if (isRefType(a) || isRefType(b)) fail("type mismatch: untyped select needs numeric operands");
        if (a !== b && a !== UNKNOWN && b !== UNKNOWN) fail("type mismatch in select");
        push(a === UNKNOWN ? b : a);
        code.push(Op.SELECT);
        break;
      }
      case 0x1c: {
        const n = r.u32();
        if (n !== 1) fail("invalid result arity for typed select");
        const t = r.u8();
        if (t === 0x7b) fail("SIMD (v128) is not supported by this deterministic engine");
        if (!isNumType(t) && !isRefType(t)) throw new MalformedError("malformed value type");
        popExpect(I32);
        popExpect(t);
        popExpect(t);
        push(t);
        code.push(Op.SELECT);
        break;
      }
      case 0x20: {
        const i = local();
        push(locals[i] as ValType);
        code.push(Op.LOCAL_GET, i);
        break;
      }
      case 0x21: {
        const i = local();
        popExpect(locals[i] as ValType);
        code.push(Op.LOCAL_SET, i);
        break;
      }
      case 0x22: {
        const i = local();
        const t = locals[i] as ValType;
        popExpect(t);
        push(t);
        code.push(Op.LOCAL_TEE, i);
        break;
      }
      case 0x23: {
        const i = r.u32();
        const g = env.globals[i];
        if (!g) fail(`unknown global ${i}`);
        push(g.type);
        code.push(Op.GLOBAL_GET, i);
        break;
      }
      case 0x24: {
        const i = r.u32();
        const g = env.globals[i];
        if (!g) fail(`unknown global ${i}`);
        if (!g.mutable) fail("global is immutable");
        popExpect(g.type);
        code.push(Op.GLOBAL_SET, i);
        break;
      }
      case 0x25: {
        const i = r.u32();
        const t = table(i);
        popExpect(I32);
        push(t.elem);
        code.push(Op.TABLE_GET, i);
        break;
      }
      case 0x26: {
        const i = r.u32();
        const t = table(i);
        popExpect(t.elem);
        popExpect(I32);
        code.push(Op.TABLE_SET, i);
        break;
      }
      case 0x3f:
      case 0x40: {
        if (r.u8() !== 0) throw new MalformedError("zero byte expected (memory index)");
        needMemory();
        if (op === 0x40) popExpect(I32);
        push(I32);
        code.push(op);
        break;
      }
      case 0x41:
        push(I32);
        code.push(Op.I32_CONST, r.s32());
        break;
      case 0x42:
        push(I64);
        code.push(Op.I64_CONST, consts.push(r.sBig(64)) - 1);
        break;
      case 0x43:
        push(F32);
        code.push(Op.F32_CONST, r.f32bits());
        break;
      case 0x44:
        push(F64);
        code.push(Op.F64_CONST, consts.push(r.f64bits()) - 1);
        break;
      case 0xd0: {
        const t = r.u8();
        if (!isRefType(t)) throw new MalformedError("malformed reference type");
        push(t);
        code.push(Op.REF_NULL);
        break;
      }
      case 0xd1: {
        const t = pop();
        if (t !== UNKNOWN && !isRefType(t)) fail("type mismatch: ref.is_null needs a reference");
        push(I32);
        code.push(Op.REF_IS_NULL);
        break;
      }
      case 0xd2: {
        const f = r.u32();
        if (f >= env.funcTypes.length) fail(`unknown function ${f}`);
        if (!env.refs.has(f)) fail("undeclared function reference");
        push(FUNCREF);
        code.push(Op.REF_FUNC, f);
        break;
      }
      case 0xfc: {
        const sub = r.u32();
        if (sub <= 7) {
          const [from, to] = SAT_SIG[sub] as [ValType, ValType];
          popExpect(from);
          push(to);
          code.push(Op.PREFIX_FC + sub);
          break;
        }
        switch (sub) {
          case 8: {
            const d = r.u32();
            if (r.u8() !== 0) throw new MalformedError("zero byte expected");
            needMemory();
            checkData(d);
            popAll([I32, I32, I32]);
            code.push(Op.MEMORY_INIT, d);
            break;
          }
          case 9:
            code.push(Op.DATA_DROP, checkData(r.u32()));
            break;
          case 10:
            if (r.u8() !== 0 || r.u8() !== 0) throw new MalformedError("zero byte expected");
            needMemory();
            popAll([I32, I32, I32]);
            code.push(Op.MEMORY_COPY);
            break;
          case 11:
            if (r.u8() !== 0) throw new MalformedError("zero byte expected");
            needMemory();
            popAll([I32, I32, I32]);
            code.push(Op.MEMORY_FILL);
            break;
          case 12: {
            const e = elemIndex();
            const t = r.u32();
            if (table(t).elem !== (env.m.elems[e] as { type: ValType }).type) fail("type mismatch in table.init");
            popAll([I32, I32, I32]);
            code.push(Op.TABLE_INIT, e, t);
            break;
          }
          case 13:
            code.push(Op.ELEM_DROP, elemIndex());
            break;
          case 14: {
            const dst = r.u32();
            const src = r.u32();
            if (table(dst).elem !== table(src).elem) fail("type mismatch in table.copy");
            popAll([I32, I32, I32]);
            code.push(Op.TABLE_COPY, dst, src);
            break;
          }
          case 15: {
            const t = r.u32();
            const tt = table(t);
            popAll([tt.elem, I32]);
            push(I32);
            code.push(Op.TABLE_GROW, t);
            break;
          }
          case 16: {
            const t = r.u32();
            table(t);
            push(I32);
            code.push(Op.TABLE_SIZE, t);
            break;
          }
          case 17: {
            const t = r.u32();
            const tt = table(t);
            popAll([I32, tt.elem, I32]);
            code.push(Op.TABLE_FILL, t);
            break;
          }
          default:
            throw new MalformedError(`illegal opcode 0xfc ${sub}`);
        }
        break;
      }
      case 0xfd:
        fail("SIMD instructions are not supported by this deterministic engine");
        break;
      case 0xfe:
        fail("threads (atomic instructions) are not supported by this deterministic engine");
        break;
      default: {
        const mo = memOp(op);
        if (mo) {
          const align = r.u32();
          const offset = r.u32();
          needMemory();
          if (align >= 32 || 2 ** align > 2 ** mo[0]) fail("alignment must not be larger than natural");
          if (mo[2]) {
            popExpect(mo[1]);
            popExpect(I32);
          } else {
            popExpect(I32);
            push(mo[1]);
          }
          code.push(op, offset | 0);
          break;
        }
        const sig = numericSig(op);
        if (!sig) throw new MalformedError(`illegal opcode 0x${op.toString(16)}`);
        popAll(sig[0]);
        push(sig[1]);
        code.push(op);
      }
    }
  }
}
