/**
 * @module The interpreter: an explicit machine state (value stack, frame stack, pc = function +
 * offset into compact code, fuel) stepped by one loop with one handler per opcode. Wasm calls never
 * recurse in JS; traps are values. `run(stopAtStep)` can pause at any instruction count, which is what
 * execution-trace checkpoints need.
 */

import { bulkPiece, bulkRest } from "./bulkPiece.js";
import type { HostSignal } from "./host.js";
import {
  bigToF32,
  clz64,
  ctz32,
  ctz64,
  f32In,
  f32Max,
  f32Min,
  f32Out,
  f64In,
  f64Out,
  nearest,
  popcnt32,
  popcnt64,
  satToI32,
  satToI64,
  truncToI32,
  truncToI64,
} from "./numeric.js";
import { Op } from "./opcodes.js";
import { costTable, DEFAULT_FUEL_COSTS, DEFAULT_LIMITS, type ExecLimits, type FuelCosts } from "./params.js";
import { type FuncInst, type Instance, Store, type WasmFunc } from "./runtime.js";
import { F32, F64, type FuncRef, I32, I64, type Ref, type ValType, type Value } from "./types.js";

export interface Frame {
  readonly func: WasmFunc;
  /** Offset of the next instruction in func.compiled.code (saved while a callee runs). */
  pc: number;
  /** Stack index of local 0. */
  readonly base: number;
}

export type RunStatus =
  | { readonly status: "done"; readonly results: Value[] }
  | { readonly status: "trap"; readonly trap: string }
  | { readonly status: "exit"; readonly code: number }
  | { readonly status: "paused" };

const MIN64 = -9223372036854775808n;
/** Most fuel the interpreter's hot local holds (the rest waits in a reserve): a small integer for V8. */
const FUEL_WINDOW = 1 << 30;
const MAX64 = 9223372036854775807n;

export function zeroValue(t: ValType): Value {
  if (t === I32 || t === F32) return 0;
  if (t === I64 || t === F64) return 0n;
  return null;
}

export class Machine {
  readonly store = new Store();
  readonly limits: ExecLimits;
  readonly costs: FuelCosts;
  private readonly costTab: Uint32Array;
  /** The value stack: locals and operands of every frame. */
  stack: Value[] = [];
  sp = 0;
  frames: Frame[] = [];
  fuelLeft: number;
  /** Instructions executed (the trace's step counter). */
  steps = 0;
  /** Host-call counters for the usage meter. */
  fsOps = 0;
  /** Largest linear memory seen, in bytes. */
  peakMemory = 0;
  /** Elements in all tables created by this machine (bounded by limits.tableElements). */
  tableElementsTotal = 0;
  /** Results count of the current invocation (saved and restored by snapshot.ts). */
  resultArity = 0;

  constructor(limits: Partial<ExecLimits> = {}, costs: FuelCosts = DEFAULT_FUEL_COSTS) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.costs = costs;
    this.costTab = costTable(costs);
    this.fuelLeft = this.limits.fuel;
  }

  get fuelUsed(): number {
    return this.limits.fuel - this.fuelLeft;
  }

  /** Charges fuel outside the loop (host calls, instantiation); false when exhausted. */
  charge(units: number): boolean {
    if (units > this.fuelLeft) return false;
    this.fuelLeft -= units;
    return true;
  }

  notePeak(bytes: number): void {
    if (bytes > this.peakMemory) this.peakMemory = bytes;
  }

  /** Sets up a call of `func` with `args` (already type-checked by the caller); then `run()`. */
  start(func: FuncInst, args: Value[]): RunStatus | undefined {
    this.stack = [];
    this.sp = 0;
    this.frames = [];
    this.resultArity = func.type.results.length;
    for (const a of args) this.stack[this.sp++] = a;
    if (func.kind === "host") {
      const r = this.callHost(func, undefined);
      if (r !== undefined) return r;
      return { status: "done", results: this.stack.slice(0, this.sp) };
    }
    return this.enter(func);
  }

  /** Pushes a frame for `func` whose arguments are on top of the stack. */
  private enter(func: WasmFunc): RunStatus | undefined {
    if (this.frames.length >= this.limits.callDepth) return { status: "trap", trap: "call stack exhausted" };
    const c = func.compiled;
    const base = this.sp - func.type.params.length;
    if (base + c.maxHeight > this.limits.valueStack)
      return { status: "trap", trap: "call stack exhausted (value stack)" };
    const lt = c.localTypes;
    if (lt.length > 0) {
      const extra = lt.length * this.costs.perLocal;
      if (!this.charge(extra)) return { status: "trap", trap: "out of fuel" };
      for (let i = 0; i < lt.length; i++) this.stack[this.sp++] = zeroValue(lt[i] as ValType);
    }
    this.frames.push({ func, pc: 0, base });
    return undefined;
  }

  private callHost(func: Extract<FuncInst, { kind: "host" }>, caller: Instance | undefined): RunStatus | undefined {
    const n = func.type.params.length;
    const args = this.stack.slice(this.sp - n, this.sp);
    this.sp -= n;
    if (!this.charge(this.costs.hostCall)) return { status: "trap", trap: "out of fuel" };
    const out = func.fn(this, caller, args);
    if (!Array.isArray(out)) {
      const s = out as HostSignal;
      return "trap" in s ? { status: "trap", trap: s.trap } : { status: "exit", code: s.exit };
    }
    for (const v of out) this.stack[this.sp++] = v;
    return undefined;
  }

  /**
   * Runs until the invocation finishes, traps, exits, or `steps` reaches `stopAtStep` (then it
   * returns "paused" with the whole state saved, ready to resume or to be hashed).
   */
  run(stopAtStep = Number.POSITIVE_INFINITY): RunStatus {
    const stack = this.stack;
    const costTab = this.costTab;
    const frames = this.frames;
    let frame = frames[frames.length - 1] as Frame;
    let func = frame.func;
    let code = func.compiled.code;
    let consts = func.compiled.consts;
    let inst = func.instance;
    let mem = inst.memories[0];
    let pc = frame.pc;
    let base = frame.base;
    let sp = this.sp;
    // Fuel in two parts so the hot local stays a small integer: a limit above 2^31 (the default is 10^10)
    // made it a double that V8 boxed on every instruction (a 16-byte allocation per step, measured as ~90
    // scavenges in a 12 M-step run). fuel + reserve is the fuel left; `this.fuelLeft` is synced at calls.
    let fuel = this.fuelLeft;
    let reserve = 0;
    if (fuel > FUEL_WINDOW) {
      reserve = fuel - FUEL_WINDOW;
      fuel = FUEL_WINDOW;
    }
    let steps = this.steps;
    let trap = "";
    let result: RunStatus | undefined;

    main: for (;;) {
      if (steps >= stopAtStep) {
        result = { status: "paused" };
        break;
      }
      const op = code[pc] as number;
      const cost = costTab[op] as number;
      if (cost > fuel) {
        // Refill the window from the reserve; out of fuel only when both together cannot pay.
        const total = fuel + reserve;
        if (cost > total) {
          trap = "out of fuel";
          break;
        }
        fuel = total > FUEL_WINDOW ? FUEL_WINDOW : total;
        reserve = total - fuel;
        if (cost > fuel) {
          // Only with a cost above the window (a cost table with huge entries).
          reserve -= cost - fuel;
          fuel = cost;
        }
      }
      fuel -= cost;
      steps++;
      pc++;
      switch (op) {
        case 0x00: // UNREACHABLE
          trap = "unreachable";
          break main;
        case 0x04: // BR_UNLESS
          if ((stack[--sp] as number) === 0) pc = code[pc] as number;
          else pc++;
          continue;
        case 0x05: // JUMP
          pc = code[pc] as number;
          continue;
        case 0x0d: // BR_IF
        case 0x0c: {
          // BR
          if (op === 0x0d && (stack[--sp] as number) === 0) {
            pc += 3;
            continue;
          }
          const keep = code[pc + 1] as number;
          const to = base + (code[pc + 2] as number);
          if (to !== sp - keep) {
            for (let i = 0; i < keep; i++) stack[to + i] = stack[sp - keep + i];
            sp = to + keep;
          }
          pc = code[pc] as number;
          continue;
        }
        case 0x0e: {
          // BR_TABLE
          const n = code[pc] as number;
          let i = (stack[--sp] as number) >>> 0;
          if (i > n) i = n;
          const at = pc + 1 + 3 * i;
          const keep = code[at + 1] as number;
          const to = base + (code[at + 2] as number);
          if (to !== sp - keep) {
            for (let k = 0; k < keep; k++) stack[to + k] = stack[sp - keep + k];
            sp = to + keep;
          }
          pc = code[at] as number;
          continue;
        }
        case 0x0f: {
          // RETURN
          const n = func.type.results.length;
          if (base !== sp - n) {
            for (let i = 0; i < n; i++) stack[base + i] = stack[sp - n + i];
            sp = base + n;
          }
          frames.pop();
          if (frames.length === 0) {
            this.sp = sp;
            result = { status: "done", results: stack.slice(0, this.resultArity) };
            break main;
          }
          frame = frames[frames.length - 1] as Frame;
          func = frame.func;
          code = func.compiled.code;
          consts = func.compiled.consts;
          inst = func.instance;
          mem = inst.memories[0];
          pc = frame.pc;
          base = frame.base;
          continue;
        }
        case 0x10: // CALL
        case 0x11: {
          // CALL_INDIRECT
          let callee: FuncInst;
          if (op === Op.CALL) {
            callee = inst.funcs[code[pc] as number] as FuncInst;
            pc += 1;
          } else {
            const table = inst.tables[code[pc + 1] as number];
            const expected = inst.module.types[code[pc] as number];
            pc += 2;
            const i = (stack[--sp] as number) >>> 0;
            if (!table || i >= table.elems.length) {
              trap = `undefined element ${i}`;
              break main;
            }
            const ref = table.elems[i] as FuncRef | null;
            if (ref === null) {
              trap = `uninitialized element ${i}`;
              break main;
            }
            callee = this.store.funcs[ref.addr] as FuncInst;
            const t = callee.type;
            if (
              !expected ||
              t.params.length !== expected.params.length ||
              t.results.length !== expected.results.length ||
              t.params.some((p, k) => p !== expected.params[k]) ||
              t.results.some((p, k) => p !== expected.results[k])
            ) {
              trap = "indirect call type mismatch";
              break main;
            }
          }
          frame.pc = pc;
          this.sp = sp;
          this.fuelLeft = fuel + reserve;
          if (callee.kind === "host") {
            const r = this.callHost(callee, inst);
            reserve = this.fuelLeft > FUEL_WINDOW ? this.fuelLeft - FUEL_WINDOW : 0;
            fuel = this.fuelLeft - reserve;
            sp = this.sp;
            if (r !== undefined) {
              result = r;
              break main;
            }
            continue;
          }
          const r = this.enter(callee);
          reserve = this.fuelLeft > FUEL_WINDOW ? this.fuelLeft - FUEL_WINDOW : 0;
          fuel = this.fuelLeft - reserve;
          sp = this.sp;
          if (r !== undefined) {
            result = r;
            break main;
          }
          frame = frames[frames.length - 1] as Frame;
          func = callee;
          code = func.compiled.code;
          consts = func.compiled.consts;
          inst = func.instance;
          mem = inst.memories[0];
          pc = 0;
          base = frame.base;
          continue;
        }
        case 0x1a: // DROP
          sp--;
          continue;
        case 0x1b: {
          // SELECT
          const c = stack[--sp] as number;
          sp--;
          if (c === 0) stack[sp - 1] = stack[sp];
          continue;
        }
        case 0x20: // LOCAL_GET
          stack[sp++] = stack[base + (code[pc++] as number)];
          continue;
        case 0x21: // LOCAL_SET
          stack[base + (code[pc++] as number)] = stack[--sp];
          continue;
        case 0x22: // LOCAL_TEE
          stack[base + (code[pc++] as number)] = stack[sp - 1];
          continue;
        case 0x23: // GLOBAL_GET
          stack[sp++] = (inst.globals[code[pc++] as number] as { value: Value }).value;
          continue;
        case 0x24: // GLOBAL_SET
          (inst.globals[code[pc++] as number] as { value: Value }).value = stack[--sp] as Value;
          continue;
        case 0x25: {
          // TABLE_GET
          const t = inst.tables[code[pc++] as number] as { elems: Ref[] };
          const i = (stack[sp - 1] as number) >>> 0;
          if (i >= t.elems.length) {
            trap = "out of bounds table access";
            break main;
          }
          stack[sp - 1] = t.elems[i] as Ref;
          continue;
        }
        case 0x26: {
          // TABLE_SET
          const t = inst.tables[code[pc++] as number] as { elems: Ref[] };
          const v = stack[--sp] as Ref;
          const i = (stack[--sp] as number) >>> 0;
          if (i >= t.elems.length) {
            trap = "out of bounds table access";
            break main;
          }
          t.elems[i] = v;
          continue;
        }
        case 0x3f: // MEMORY_SIZE
          stack[sp++] = mem!.pages;
          continue;
        case 0x40: {
          // MEMORY_GROW
          const delta = (stack[sp - 1] as number) >>> 0;
          const m = mem!;
          const extra = delta * this.costs.growPerPage;
          if (m.pages + delta <= m.max && delta > 0) {
            if (extra > fuel + reserve) {
              trap = "out of fuel";
              break main;
            }
            const left = fuel + reserve - extra;
            reserve = left > FUEL_WINDOW ? left - FUEL_WINDOW : 0;
            fuel = left - reserve;
          }
          stack[sp - 1] = m.grow(delta);
          this.notePeak(m.bytes.length);
          continue;
        }
        case 0x41: // I32_CONST
        case 0x43: // F32_CONST
          stack[sp++] = code[pc++] as number;
          continue;
        case 0x42: // I64_CONST
        case 0x44: // F64_CONST
          stack[sp++] = consts[code[pc++] as number] as bigint;
          continue;
        case 0xd0: // REF_NULL
          stack[sp++] = null;
          continue;
        case 0xd1: // REF_IS_NULL
          stack[sp - 1] = stack[sp - 1] === null ? 1 : 0;
          continue;
        case 0xd2: // REF_FUNC
          stack[sp++] = (inst.funcs[code[pc++] as number] as FuncInst).ref;
          continue;
        // The hottest i32 instructions, inlined: the same semantics as `numeric` (which the step proofs run
        // and which handles the rest), without its call and range tests. The spec, differential and
        // step-proof tests hold the two together.
        case 0x45:
          stack[sp - 1] = (stack[sp - 1] as number) === 0 ? 1 : 0;
          continue;
        case 0x46: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a === b ? 1 : 0;
          continue;
        }
        case 0x47: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a !== b ? 1 : 0;
          continue;
        }
        case 0x48: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a < b ? 1 : 0;
          continue;
        }
        case 0x49: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >>> 0 < b >>> 0 ? 1 : 0;
          continue;
        }
        case 0x4a: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a > b ? 1 : 0;
          continue;
        }
        case 0x4b: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >>> 0 > b >>> 0 ? 1 : 0;
          continue;
        }
        case 0x4c: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a <= b ? 1 : 0;
          continue;
        }
        case 0x4d: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >>> 0 <= b >>> 0 ? 1 : 0;
          continue;
        }
        case 0x4e: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >= b ? 1 : 0;
          continue;
        }
        case 0x4f: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >>> 0 >= b >>> 0 ? 1 : 0;
          continue;
        }
        case 0x6a: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = (a + b) | 0;
          continue;
        }
        case 0x6b: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = (a - b) | 0;
          continue;
        }
        case 0x6c: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = Math.imul(a, b);
          continue;
        }
        case 0x71: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a & b;
          continue;
        }
        case 0x72: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a | b;
          continue;
        }
        case 0x73: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a ^ b;
          continue;
        }
        case 0x74: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a << b;
          continue;
        }
        case 0x75: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = a >> b;
          continue;
        }
        case 0x76: {
          const b = stack[--sp] as number;
          const a = stack[sp - 1] as number;
          stack[sp - 1] = (a >>> b) | 0;
          continue;
        }
        // i64 add/sub and f64 add/sub/mul, inlined for the same reason (values stay bigint bit patterns;
        // f64 results go through f64Out, the one place NaNs are canonicalised).
        case 0x7c: {
          const b = stack[--sp] as bigint;
          stack[sp - 1] = BigInt.asIntN(64, (stack[sp - 1] as bigint) + b);
          continue;
        }
        case 0x7d: {
          const b = stack[--sp] as bigint;
          stack[sp - 1] = BigInt.asIntN(64, (stack[sp - 1] as bigint) - b);
          continue;
        }
        case 0xa0: {
          const b = f64In(stack[--sp] as bigint);
          stack[sp - 1] = f64Out(f64In(stack[sp - 1] as bigint) + b);
          continue;
        }
        case 0xa1: {
          const b = f64In(stack[--sp] as bigint);
          stack[sp - 1] = f64Out(f64In(stack[sp - 1] as bigint) - b);
          continue;
        }
        case 0xa2: {
          const b = f64In(stack[--sp] as bigint);
          stack[sp - 1] = f64Out(f64In(stack[sp - 1] as bigint) * b);
          continue;
        }
        // The commonest loads and stores, each its own case (the rest go through the generic path below).
        case 0x28: {
          const m = mem!;
          const ea = ((stack[sp - 1] as number) >>> 0) + ((code[pc++] as number) >>> 0);
          if (ea + 4 > m.bytes.length) {
            trap = "out of bounds memory access";
            break main;
          }
          stack[sp - 1] = m.view.getInt32(ea, true);
          continue;
        }
        case 0x2d: {
          const m = mem!;
          const ea = ((stack[sp - 1] as number) >>> 0) + ((code[pc++] as number) >>> 0);
          if (ea + 1 > m.bytes.length) {
            trap = "out of bounds memory access";
            break main;
          }
          stack[sp - 1] = m.bytes[ea] as number;
          continue;
        }
        case 0x2b: {
          // f64.load
          const m = mem!;
          const ea = ((stack[sp - 1] as number) >>> 0) + ((code[pc++] as number) >>> 0);
          if (ea + 8 > m.bytes.length) {
            trap = "out of bounds memory access";
            break main;
          }
          stack[sp - 1] = m.view.getBigInt64(ea, true);
          continue;
        }
        case 0x36: {
          const m = mem!;
          const val = stack[--sp] as number;
          const ea = ((stack[--sp] as number) >>> 0) + ((code[pc++] as number) >>> 0);
          if (ea + 4 > m.bytes.length) {
            trap = "out of bounds memory access";
            break main;
          }
          // Dirty-chunk tracking for the trace's memory commitment (an access spans at most 2 chunks).
          m.dirty[ea >>> 10] = 1;
          m.dirty[(ea + 3) >>> 10] = 1;
          m.view.setInt32(ea, val, true);
          continue;
        }
        case 0x3a: {
          const m = mem!;
          const val = stack[--sp] as number;
          const ea = ((stack[--sp] as number) >>> 0) + ((code[pc++] as number) >>> 0);
          if (ea + 1 > m.bytes.length) {
            trap = "out of bounds memory access";
            break main;
          }
          m.dirty[ea >>> 10] = 1;
          m.bytes[ea] = val;
          continue;
        }
        // Every other load and store.
        case 0x29:
        case 0x2a:
        case 0x2c:
        case 0x2e:
        case 0x2f:
        case 0x30:
        case 0x31:
        case 0x32:
        case 0x33:
        case 0x34:
        case 0x35:
        case 0x37:
        case 0x38:
        case 0x39:
        case 0x3b:
        case 0x3c:
        case 0x3d:
        case 0x3e: {
          {
            const offset = (code[pc++] as number) >>> 0;
            const m = mem!;
            const view = m.view;
            const len = m.bytes.length;
            if (op <= 0x35) {
              const ea = ((stack[sp - 1] as number) >>> 0) + offset;
              const size = LOAD_SIZE[op - 0x28] as number;
              if (ea + size > len) {
                trap = "out of bounds memory access";
                break main;
              }
              let v: Value;
              switch (op) {
                case 0x2a:
                  v = view.getInt32(ea, true);
                  break;
                case 0x29:
                  v = view.getBigInt64(ea, true);
                  break;
                case 0x2c:
                  v = view.getInt8(ea);
                  break;
                case 0x2e:
                  v = view.getInt16(ea, true);
                  break;
                case 0x2f:
                  v = view.getUint16(ea, true);
                  break;
                case 0x30:
                  v = BigInt(view.getInt8(ea));
                  break;
                case 0x31:
                  v = BigInt(view.getUint8(ea));
                  break;
                case 0x32:
                  v = BigInt(view.getInt16(ea, true));
                  break;
                case 0x33:
                  v = BigInt(view.getUint16(ea, true));
                  break;
                case 0x34:
                  v = BigInt(view.getInt32(ea, true));
                  break;
                default:
                  v = BigInt(view.getUint32(ea, true));
                  break;
              }
              stack[sp - 1] = v;
              continue;
            }
            const val = stack[--sp] as number | bigint;
            const ea = ((stack[--sp] as number) >>> 0) + offset;
            const size = LOAD_SIZE[op - 0x28] as number;
            if (ea + size > len) {
              trap = "out of bounds memory access";
              break main;
            }
            // Dirty-chunk tracking for the trace's memory commitment (an access spans at most 2 chunks).
            m.dirty[ea >>> 10] = 1;
            m.dirty[(ea + size - 1) >>> 10] = 1;
            switch (op) {
              case 0x38:
                view.setInt32(ea, val as number, true);
                break;
              case 0x37:
              case 0x39:
                view.setBigInt64(ea, val as bigint, true);
                break;
              case 0x3b:
                view.setInt16(ea, val as number, true);
                break;
              case 0x3c:
                view.setInt8(ea, Number(BigInt.asIntN(8, val as bigint)));
                break;
              case 0x3d:
                view.setInt16(ea, Number(BigInt.asIntN(16, val as bigint)), true);
                break;
              default:
                view.setInt32(ea, Number(BigInt.asIntN(32, val as bigint)), true);
                break;
            }
            continue;
          }
        }
        // 0xFC instructions (saturating truncation, bulk memory, tables).
        case 0xe0:
        case 0xe1:
        case 0xe2:
        case 0xe3:
        case 0xe4:
        case 0xe5:
        case 0xe6:
        case 0xe7:
        case 0xe8:
        case 0xe9:
        case 0xea:
        case 0xeb:
        case 0xec:
        case 0xed:
        case 0xee:
        case 0xef:
        case 0xf0:
        case 0xf1: {
          {
            this.sp = sp;
            this.fuelLeft = fuel + reserve;
            frame.pc = pc;
            const t = this.bulk(op, inst, code, pc);
            sp = this.sp;
            reserve = this.fuelLeft > FUEL_WINDOW ? this.fuelLeft - FUEL_WINDOW : 0;
            fuel = this.fuelLeft - reserve;
            pc = frame.pc;
            mem = inst.memories[0];
            if (t !== undefined) {
              trap = t;
              break main;
            }
            continue;
          }
        }
        default: {
          const r = numeric(op, stack, sp);
          if (typeof r === "string") {
            trap = r;
            break main;
          }
          sp = r;
        }
      }
    }
    if (frames.length > 0) {
      frame = frames[frames.length - 1] as Frame;
      frame.pc = pc;
    }
    this.sp = sp;
    this.fuelLeft = fuel + reserve;
    this.steps = steps;
    if (result) return result;
    return { status: "trap", trap };
  }

  /** 0xFC instructions (saturating truncation, bulk memory, tables). Returns a trap message or undefined. */
  private bulk(op: number, inst: Instance, code: Int32Array, pc: number): string | undefined {
    const stack = this.stack;
    let sp = this.sp;
    const frame = this.frames[this.frames.length - 1] as Frame;
    const perFuel = this.costs.bytesPerFuel;
    const chargeBytes = (n: number): boolean => this.charge(Math.floor(n / perFuel));
    const sub = op - Op.PREFIX_FC;
    if (sub <= 7) {
      const v = stack[sp - 1] as number | bigint;
      switch (sub) {
        case 0:
          stack[sp - 1] = satToI32(f32In(v as number), true);
          break;
        case 1:
          stack[sp - 1] = satToI32(f32In(v as number), false);
          break;
        case 2:
          stack[sp - 1] = satToI32(f64In(v as bigint), true);
          break;
        case 3:
          stack[sp - 1] = satToI32(f64In(v as bigint), false);
          break;
        case 4:
          stack[sp - 1] = satToI64(f32In(v as number), true);
          break;
        case 5:
          stack[sp - 1] = satToI64(f32In(v as number), false);
          break;
        case 6:
          stack[sp - 1] = satToI64(f64In(v as bigint), true);
          break;
        default:
          stack[sp - 1] = satToI64(f64In(v as bigint), false);
          break;
      }
      return undefined;
    }
    const u = (i: number) => (stack[i] as number) >>> 0;
    // A bulk instruction larger than one piece (bulkPiece.ts) leaves the pc on itself with the rest of
    // its range as operands; the next step does the next piece.
    const more = (rest: readonly [number, Value, number]): void => {
      stack[sp] = rest[0];
      stack[sp + 1] = rest[1];
      stack[sp + 2] = rest[2];
      sp += 3;
      frame.pc = pc - 1;
    };
    let result: string | undefined;
    switch (op) {
      case Op.MEMORY_INIT: {
        const seg = inst.datas[code[pc] as number] ?? EMPTY;
        frame.pc = pc + 1;
        const n = u(sp - 1);
        const s = u(sp - 2);
        const d = u(sp - 3);
        sp -= 3;
        const m = inst.memories[0]!;
        const p = bulkPiece(n, this.limits.bulkBytes, false);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (s + n > seg.length || d + n > m.bytes.length) result = "out of bounds memory access";
        else {
          if (p.size > 0) m.write(seg.subarray(s + p.at, s + p.at + p.size), d + p.at);
          if (!p.last) more(bulkRest(d, s, n, p, false, true));
        }
        break;
      }
      case Op.DATA_DROP:
        inst.datas[code[pc] as number] = null;
        frame.pc = pc + 1;
        break;
      case Op.MEMORY_COPY: {
        const n = u(sp - 1);
        const s = u(sp - 2);
        const d = u(sp - 3);
        sp -= 3;
        const m = inst.memories[0]!;
        const back = d > s;
        const p = bulkPiece(n, this.limits.bulkBytes, back);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (s + n > m.bytes.length || d + n > m.bytes.length) result = "out of bounds memory access";
        else {
          if (p.size > 0) {
            m.bytes.copyWithin(d + p.at, s + p.at, s + p.at + p.size);
            m.markDirty(d + p.at, p.size);
          }
          if (!p.last) more(bulkRest(d, s, n, p, back, true));
        }
        break;
      }
      case Op.MEMORY_FILL: {
        const n = u(sp - 1);
        const raw = stack[sp - 2] as number;
        const d = u(sp - 3);
        sp -= 3;
        const m = inst.memories[0]!;
        const p = bulkPiece(n, this.limits.bulkBytes, false);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (d + n > m.bytes.length) result = "out of bounds memory access";
        else {
          if (p.size > 0) {
            m.bytes.fill(raw & 0xff, d + p.at, d + p.at + p.size);
            m.markDirty(d + p.at, p.size);
          }
          if (!p.last) more(bulkRest(d, raw, n, p, false, false));
        }
        break;
      }
      case Op.TABLE_INIT: {
        const seg = inst.elems[code[pc] as number] ?? [];
        const t = inst.tables[code[pc + 1] as number]!;
        frame.pc = pc + 2;
        const n = u(sp - 1);
        const s = u(sp - 2);
        const d = u(sp - 3);
        sp -= 3;
        const p = bulkPiece(n, this.limits.bulkElems, false);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (s + n > seg.length || d + n > t.elems.length) result = "out of bounds table access";
        else {
          for (let i = p.at; i < p.at + p.size; i++) t.elems[d + i] = seg[s + i] as Ref;
          if (!p.last) more(bulkRest(d, s, n, p, false, true));
        }
        break;
      }
      case Op.ELEM_DROP:
        inst.elems[code[pc] as number] = null;
        frame.pc = pc + 1;
        break;
      case Op.TABLE_COPY: {
        const dt = inst.tables[code[pc] as number]!;
        const st = inst.tables[code[pc + 1] as number]!;
        frame.pc = pc + 2;
        const n = u(sp - 1);
        const s = u(sp - 2);
        const d = u(sp - 3);
        sp -= 3;
        const back = d > s;
        const p = bulkPiece(n, this.limits.bulkElems, back);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (s + n > st.elems.length || d + n > dt.elems.length) result = "out of bounds table access";
        else {
          const end = p.at + p.size;
          if (!back) for (let i = p.at; i < end; i++) dt.elems[d + i] = st.elems[s + i] as Ref;
          else for (let i = end - 1; i >= p.at; i--) dt.elems[d + i] = st.elems[s + i] as Ref;
          if (!p.last) more(bulkRest(d, s, n, p, back, true));
        }
        break;
      }
      case Op.TABLE_GROW: {
        const t = inst.tables[code[pc] as number]!;
        frame.pc = pc + 1;
        const n = u(sp - 1);
        const init = stack[sp - 2] as Ref;
        sp -= 1;
        if (
          t.elems.length + n > t.max ||
          this.tableElementsTotal + n > this.limits.tableElements ||
          n > this.limits.bulkElems
        )
          stack[sp - 1] = -1;
        else if (!chargeBytes(n)) result = "out of fuel";
        else {
          stack[sp - 1] = t.grow(n, init);
          this.tableElementsTotal += n;
        }
        break;
      }
      case Op.TABLE_SIZE:
        stack[sp++] = inst.tables[code[pc] as number]!.elems.length;
        frame.pc = pc + 1;
        break;
      case Op.TABLE_FILL: {
        const t = inst.tables[code[pc] as number]!;
        frame.pc = pc + 1;
        const n = u(sp - 1);
        const v = stack[sp - 2] as Ref;
        const d = u(sp - 3);
        sp -= 3;
        const p = bulkPiece(n, this.limits.bulkElems, false);
        if (!chargeBytes(p.size)) result = "out of fuel";
        else if (d + n > t.elems.length) result = "out of bounds table access";
        else {
          for (let i = p.at; i < p.at + p.size; i++) t.elems[d + i] = v;
          if (!p.last) more([(d + p.size) | 0, v, (n - p.size) | 0]);
        }
        break;
      }
      default:
        result = `internal error: unknown opcode ${op}`;
    }
    this.sp = sp;
    return result;
  }
}

const EMPTY = new Uint8Array(0);
/** Access size in bytes of loads/stores 0x28..0x3e. */
const LOAD_SIZE = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4];

/** Numeric instructions 0x45..0xc4 on the top of the stack. Returns the new sp or a trap message. */
export function numeric(op: number, s: Value[], sp: number): number | string {
  if (op < 0x45 || op > 0xc4) return `internal error: unknown opcode ${op}`;
  // Unary i32
  switch (op) {
    case 0x45:
      s[sp - 1] = (s[sp - 1] as number) === 0 ? 1 : 0;
      return sp;
    case 0x50:
      s[sp - 1] = (s[sp - 1] as bigint) === 0n ? 1 : 0;
      return sp;
    case 0x67:
      s[sp - 1] = Math.clz32(s[sp - 1] as number);
      return sp;
    case 0x68:
      s[sp - 1] = ctz32(s[sp - 1] as number);
      return sp;
    case 0x69:
      s[sp - 1] = popcnt32(s[sp - 1] as number);
      return sp;
    case 0x79:
      s[sp - 1] = clz64(s[sp - 1] as bigint);
      return sp;
    case 0x7a:
      s[sp - 1] = ctz64(s[sp - 1] as bigint);
      return sp;
    case 0x7b:
      s[sp - 1] = popcnt64(s[sp - 1] as bigint);
      return sp;
  }
  if (op >= 0x46 && op <= 0x4f) {
    const b = s[sp - 1] as number;
    const a = s[sp - 2] as number;
    let r: boolean;
    switch (op) {
      case 0x46:
        r = a === b;
        break;
      case 0x47:
        r = a !== b;
        break;
      case 0x48:
        r = a < b;
        break;
      case 0x49:
        r = a >>> 0 < b >>> 0;
        break;
      case 0x4a:
        r = a > b;
        break;
      case 0x4b:
        r = a >>> 0 > b >>> 0;
        break;
      case 0x4c:
        r = a <= b;
        break;
      case 0x4d:
        r = a >>> 0 <= b >>> 0;
        break;
      case 0x4e:
        r = a >= b;
        break;
      default:
        r = a >>> 0 >= b >>> 0;
    }
    s[sp - 2] = r ? 1 : 0;
    return sp - 1;
  }
  if (op >= 0x51 && op <= 0x5a) {
    const b = s[sp - 1] as bigint;
    const a = s[sp - 2] as bigint;
    let r: boolean;
    switch (op) {
      case 0x51:
        r = a === b;
        break;
      case 0x52:
        r = a !== b;
        break;
      case 0x53:
        r = a < b;
        break;
      case 0x54:
        r = BigInt.asUintN(64, a) < BigInt.asUintN(64, b);
        break;
      case 0x55:
        r = a > b;
        break;
      case 0x56:
        r = BigInt.asUintN(64, a) > BigInt.asUintN(64, b);
        break;
      case 0x57:
        r = a <= b;
        break;
      case 0x58:
        r = BigInt.asUintN(64, a) <= BigInt.asUintN(64, b);
        break;
      case 0x59:
        r = a >= b;
        break;
      default:
        r = BigInt.asUintN(64, a) >= BigInt.asUintN(64, b);
    }
    s[sp - 2] = r ? 1 : 0;
    return sp - 1;
  }
  if (op >= 0x5b && op <= 0x66) {
    const is32 = op <= 0x60;
    const b = is32 ? f32In(s[sp - 1] as number) : f64In(s[sp - 1] as bigint);
    const a = is32 ? f32In(s[sp - 2] as number) : f64In(s[sp - 2] as bigint);
    let r: boolean;
    switch (is32 ? op : op - 6) {
      case 0x5b:
        r = a === b;
        break;
      case 0x5c:
        r = a !== b;
        break;
      case 0x5d:
        r = a < b;
        break;
      case 0x5e:
        r = a > b;
        break;
      case 0x5f:
        r = a <= b;
        break;
      default:
        r = a >= b;
    }
    s[sp - 2] = r ? 1 : 0;
    return sp - 1;
  }
  if (op >= 0x6a && op <= 0x78) {
    const b = s[sp - 1] as number;
    const a = s[sp - 2] as number;
    let r: number;
    switch (op) {
      case 0x6a:
        r = (a + b) | 0;
        break;
      case 0x6b:
        r = (a - b) | 0;
        break;
      case 0x6c:
        r = Math.imul(a, b);
        break;
      case 0x6d:
        if (b === 0) return "integer divide by zero";
        if (a === -2147483648 && b === -1) return "integer overflow";
        r = (a / b) | 0;
        break;
      case 0x6e:
        if (b === 0) return "integer divide by zero";
        r = ((a >>> 0) / (b >>> 0)) | 0;
        break;
      case 0x6f:
        if (b === 0) return "integer divide by zero";
        r = (a % b) | 0;
        break;
      case 0x70:
        if (b === 0) return "integer divide by zero";
        r = ((a >>> 0) % (b >>> 0)) | 0;
        break;
      case 0x71:
        r = a & b;
        break;
      case 0x72:
        r = a | b;
        break;
      case 0x73:
        r = a ^ b;
        break;
      case 0x74:
        r = a << b;
        break;
      case 0x75:
        r = a >> b;
        break;
      case 0x76:
        r = (a >>> b) | 0;
        break;
      case 0x77: {
        const k = b & 31;
        r = (a << k) | (a >>> ((32 - k) & 31));
        break;
      }
      default: {
        const k = b & 31;
        r = (a >>> k) | (a << ((32 - k) & 31));
      }
    }
    s[sp - 2] = r;
    return sp - 1;
  }
  if (op >= 0x7c && op <= 0x8a) {
    const b = s[sp - 1] as bigint;
    const a = s[sp - 2] as bigint;
    let r: bigint;
    switch (op) {
      case 0x7c:
        r = BigInt.asIntN(64, a + b);
        break;
      case 0x7d:
        r = BigInt.asIntN(64, a - b);
        break;
      case 0x7e:
        r = BigInt.asIntN(64, a * b);
        break;
      case 0x7f:
        if (b === 0n) return "integer divide by zero";
        if (a === MIN64 && b === -1n) return "integer overflow";
        r = a / b;
        break;
      case 0x80:
        if (b === 0n) return "integer divide by zero";
        r = BigInt.asIntN(64, BigInt.asUintN(64, a) / BigInt.asUintN(64, b));
        break;
      case 0x81:
        if (b === 0n) return "integer divide by zero";
        r = a % b;
        break;
      case 0x82:
        if (b === 0n) return "integer divide by zero";
        r = BigInt.asIntN(64, BigInt.asUintN(64, a) % BigInt.asUintN(64, b));
        break;
      case 0x83:
        r = a & b;
        break;
      case 0x84:
        r = a | b;
        break;
      case 0x85:
        r = a ^ b;
        break;
      case 0x86:
        r = BigInt.asIntN(64, a << (b & 63n));
        break;
      case 0x87:
        r = a >> (b & 63n);
        break;
      case 0x88:
        r = BigInt.asIntN(64, BigInt.asUintN(64, a) >> (b & 63n));
        break;
      case 0x89: {
        const k = b & 63n;
        const x = BigInt.asUintN(64, a);
        r = BigInt.asIntN(64, (x << k) | (x >> ((64n - k) & 63n)));
        break;
      }
      default: {
        const k = b & 63n;
        const x = BigInt.asUintN(64, a);
        r = BigInt.asIntN(64, (x >> k) | (x << ((64n - k) & 63n)));
      }
    }
    s[sp - 2] = r;
    return sp - 1;
  }
  if (op >= 0x8b && op <= 0x91) {
    const bits = s[sp - 1] as number;
    switch (op) {
      case 0x8b:
        s[sp - 1] = bits & 0x7fffffff;
        return sp;
      case 0x8c:
        s[sp - 1] = bits ^ -2147483648;
        return sp;
    }
    const a = f32In(bits);
    let r: number;
    switch (op) {
      case 0x8d:
        r = Math.ceil(a);
        break;
      case 0x8e:
        r = Math.floor(a);
        break;
      case 0x8f:
        r = Math.trunc(a);
        break;
      case 0x90:
        r = nearest(a);
        break;
      default:
        r = Math.fround(Math.sqrt(a));
    }
    s[sp - 1] = f32Out(r);
    return sp;
  }
  if (op >= 0x92 && op <= 0x98) {
    const bb = s[sp - 1] as number;
    const ab = s[sp - 2] as number;
    if (op === 0x98) {
      s[sp - 2] = (ab & 0x7fffffff) | (bb & -2147483648);
      return sp - 1;
    }
    const a = f32In(ab);
    const b = f32In(bb);
    let r: number;
    switch (op) {
      case 0x92:
        r = Math.fround(a + b);
        break;
      case 0x93:
        r = Math.fround(a - b);
        break;
      case 0x94:
        r = Math.fround(a * b);
        break;
      case 0x95:
        r = Math.fround(a / b);
        break;
      case 0x96:
        r = f32Min(a, b);
        break;
      default:
        r = f32Max(a, b);
    }
    s[sp - 2] = f32Out(r);
    return sp - 1;
  }
  if (op >= 0x99 && op <= 0x9f) {
    const bits = s[sp - 1] as bigint;
    switch (op) {
      case 0x99:
        s[sp - 1] = bits & MAX64;
        return sp;
      case 0x9a:
        s[sp - 1] = bits ^ MIN64;
        return sp;
    }
    const a = f64In(bits);
    let r: number;
    switch (op) {
      case 0x9b:
        r = Math.ceil(a);
        break;
      case 0x9c:
        r = Math.floor(a);
        break;
      case 0x9d:
        r = Math.trunc(a);
        break;
      case 0x9e:
        r = nearest(a);
        break;
      default:
        r = Math.sqrt(a);
    }
    s[sp - 1] = f64Out(r);
    return sp;
  }
  if (op >= 0xa0 && op <= 0xa6) {
    const bb = s[sp - 1] as bigint;
    const ab = s[sp - 2] as bigint;
    if (op === 0xa6) {
      s[sp - 2] = (ab & MAX64) | (bb & MIN64);
      return sp - 1;
    }
    const a = f64In(ab);
    const b = f64In(bb);
    let r: number;
    switch (op) {
      case 0xa0:
        r = a + b;
        break;
      case 0xa1:
        r = a - b;
        break;
      case 0xa2:
        r = a * b;
        break;
      case 0xa3:
        r = a / b;
        break;
      case 0xa4:
        r = f32Min(a, b);
        break;
      default:
        r = f32Max(a, b);
    }
    s[sp - 2] = f64Out(r);
    return sp - 1;
  }
  // Conversions (unary).
  const v = s[sp - 1] as number | bigint;
  let r: Value;
  switch (op) {
    case 0xa7:
      r = Number(BigInt.asIntN(32, v as bigint));
      break;
    case 0xa8:
    case 0xa9:
    case 0xaa:
    case 0xab: {
      const x = op <= 0xa9 ? f32In(v as number) : f64In(v as bigint);
      if (Number.isNaN(x)) return "invalid conversion to integer";
      const t = truncToI32(x, op === 0xa8 || op === 0xaa);
      if (t === undefined) return "integer overflow";
      r = t;
      break;
    }
    case 0xac:
      r = BigInt(v as number);
      break;
    case 0xad:
      r = BigInt((v as number) >>> 0);
      break;
    case 0xae:
    case 0xaf:
    case 0xb0:
    case 0xb1: {
      const x = op <= 0xaf ? f32In(v as number) : f64In(v as bigint);
      if (Number.isNaN(x)) return "invalid conversion to integer";
      const t = truncToI64(x, op === 0xae || op === 0xb0);
      if (t === undefined) return "integer overflow";
      r = t;
      break;
    }
    case 0xb2:
      r = f32Out(Math.fround(v as number));
      break;
    case 0xb3:
      r = f32Out(Math.fround((v as number) >>> 0));
      break;
    case 0xb4:
      r = f32Out(bigToF32(v as bigint));
      break;
    case 0xb5:
      r = f32Out(bigToF32(BigInt.asUintN(64, v as bigint)));
      break;
    case 0xb6:
      r = f32Out(Math.fround(f64In(v as bigint)));
      break;
    case 0xb7:
      r = f64Out(v as number);
      break;
    case 0xb8:
      r = f64Out((v as number) >>> 0);
      break;
    case 0xb9:
      r = f64Out(Number(v as bigint));
      break;
    case 0xba:
      r = f64Out(Number(BigInt.asUintN(64, v as bigint)));
      break;
    case 0xbb:
      r = f64Out(f32In(v as number));
      break;
    case 0xbc:
    case 0xbd:
    case 0xbe:
    case 0xbf:
      r = v;
      break;
    case 0xc0:
      r = ((v as number) << 24) >> 24;
      break;
    case 0xc1:
      r = ((v as number) << 16) >> 16;
      break;
    case 0xc2:
      r = BigInt.asIntN(8, v as bigint);
      break;
    case 0xc3:
      r = BigInt.asIntN(16, v as bigint);
      break;
    case 0xc4:
      r = BigInt.asIntN(32, v as bigint);
      break;
    default:
      return `internal error: unknown opcode ${op}`;
  }
  s[sp - 1] = r;
  return sp;
}
