/**
 * @module The V8 fast path: one job run on V8's WebAssembly with fuel injected by binaryen
 * (instrument.ts), the same host ABI and WASI functions as the interpreter, and the same report. Any
 * case where V8 cannot give the interpreter's exact answer (a trap, fuel exhaustion, a NaN crossing
 * the boundary, a construct the instrumenter does not handle) is re-run on the interpreter.
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { HostCaller, HostMeter, HostSignal } from "../../../common/wasm/host.js";
import { HOST_ABI_MODULE, hostAbiFunctions, resolveHostAbi } from "../../../common/wasm/hostAbi.js";
import { DEFAULT_HOST_LIMITS, HostState } from "../../../common/wasm/hostState.js";
import { compileModule } from "../../../common/wasm/instantiate.js";
import { Machine } from "../../../common/wasm/machine.js";
import { f32In, f64In } from "../../../common/wasm/numeric.js";
import { immediateCount, Op } from "../../../common/wasm/opcodes.js";
import { DEFAULT_FUEL_COSTS, DEFAULT_LIMITS } from "../../../common/wasm/params.js";
import {
  formatValue,
  MAX_MODULE_BYTES,
  type RunOptions,
  type RunRefusal,
  type RunReport,
  runModule,
} from "../../../common/wasm/run.js";
import { type HostFunc, Memory, PAGE_SIZE } from "../../../common/wasm/runtime.js";
import { F32, F64, I64, type ValType, type Value } from "../../../common/wasm/types.js";
import type { CompiledFunc } from "../../../common/wasm/validate.js";
import { resolveWasi, WASI_MODULE, wasiFunctions } from "../../../common/wasm/wasi.js";
import { type Instrumented, instrument, Unsupported } from "./instrument.js";

export type V8Result =
  | { ok: true; report: RunReport; engine: "v8" | "interp"; fallback: string | null }
  | { ok: false; refusal: RunRefusal };

/** Node's WebAssembly (the TS lib config here has no DOM typings for it). */
interface WAGlobal {
  value: unknown;
}
interface WAMemory {
  readonly buffer: ArrayBuffer;
}
type WAExports = Record<string, unknown>;
const WA = (
  globalThis as unknown as {
    WebAssembly: {
      Module: new (b: Uint8Array) => object;
      Instance: new (m: object, imports: object) => { exports: WAExports };
    };
  }
).WebAssembly;

/** Thrown by a host function to stop the V8 run (the host returned a HostSignal). */
class Stop extends Error {
  constructor(readonly signal: HostSignal) {
    super("stop");
  }
}

function interp(bytes: Uint8Array, opts: RunOptions, reason: string): V8Result {
  const r = runModule(bytes, opts);
  return r.ok ? { ok: true, report: r.report, engine: "interp", fallback: reason } : r;
}

export function runModuleV8(bytes: Uint8Array, opts: RunOptions): V8Result {
  if (opts.traceEvery !== undefined)
    return { ok: false, refusal: { kind: "usage", message: "--trace-every needs --engine interp" } };
  if (bytes.length > MAX_MODULE_BYTES) return interp(bytes, opts, "module too large");
  // Validation, export and argument checks: exactly the interpreter's (its refusals are the answer).
  const compiled = compileModule(bytes);
  if (!compiled.ok) return interp(bytes, opts, "invalid module");
  const mod = compiled.module;
  const d = mod.decoded;
  const exp = d.exports.find((e) => e.name === opts.invoke);
  const ftype = exp?.kind === "func" ? mod.types[mod.funcTypes[exp.index] as number] : undefined;
  const args = opts.args ?? [];
  if (!ftype || ftype.params.length !== args.length || ftype.params.some((t, i) => t !== args[i]?.type))
    return interp(bytes, opts, "usage");
  if (ftype.results.length > 1) return interp(bytes, opts, "multi-value results");
  if (args.some((a) => (a.type === F32 || a.type === F64) && Number.isNaN(toJs(a.type, a.value) as number)))
    return interp(bytes, opts, "NaN argument (its bits would not survive JS)");

  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const costs = opts.costs ?? DEFAULT_FUEL_COSTS;
  const host = new HostState(
    opts.input ?? new Uint8Array(0),
    opts.hostLimits ?? DEFAULT_HOST_LIMITS,
    opts.initialState,
    opts.clockNs ?? 0n,
  );
  // Linking through the interpreter's own resolvers, so both engines accept and stub the same imports.
  const scratch = new Machine(limits, costs);
  const wasi = wasiFunctions(host, { clockNs: opts.clockNs ?? 0n });
  const abi = hostAbiFunctions(host);
  const hostFuncs: { module: string; name: string; f: HostFunc }[] = [];
  for (const imp of d.imports) {
    const ext =
      imp.module === WASI_MODULE
        ? resolveWasi(scratch, wasi, imp.name, imp.desc, mod.types)
        : imp.module === HOST_ABI_MODULE
          ? resolveHostAbi(scratch, abi, imp.name, imp.desc)
          : undefined;
    if (ext?.kind !== "func" || ext.value.kind !== "host") return interp(bytes, opts, "unlinkable import");
    hostFuncs.push({ module: imp.module, name: imp.name, f: ext.value });
  }
  const memType = d.memories[0];
  if (memType && memType.min > limits.memoryPages) return interp(bytes, opts, "initial memory over the limit");
  const memoryMax = memType ? Math.min(memType.max ?? 65536, limits.memoryPages) : 0;
  let dataFuel = 0;
  for (const ds of d.datas) if (ds.mode === "active") dataFuel += Math.floor(ds.bytes.length / costs.bytesPerFuel);
  if (dataFuel > limits.fuel) return interp(bytes, opts, "out of fuel at instantiation");

  let ins: Instrumented;
  try {
    ins = instrument(bytes, {
      costs,
      callDepth: limits.callDepth,
      memoryMax,
      shape: mod.compiled.map(shapeOf),
      bulkBytes: limits.bulkBytes,
    });
  } catch (e) {
    if (e instanceof Unsupported) return interp(bytes, opts, `not instrumentable: ${e.message}`);
    throw e;
  }

  const { wasm, fuel: FUEL_GLOBAL, steps: STEPS_GLOBAL, memory: MEMORY_EXPORT } = ins;
  // Host calls see the instance's memory through a Memory whose bytes follow V8's buffer.
  let exports: WAExports | undefined;
  const shim = new Memory(0, 0, undefined);
  shim.dirty = new Uint8Array(0);
  shim.marksSinceZero = false; // its bytes are V8's, written unmarked
  const callerMems: Memory[] = [];
  const caller: HostCaller = { memories: callerMems };
  const fuelG = () => exports?.[FUEL_GLOBAL] as WAGlobal;
  const meter: HostMeter = {
    costs,
    charge(units: number): boolean {
      const g = fuelG();
      const left = g.value as bigint;
      if (BigInt(units) > left) return false;
      g.value = left - BigInt(units);
      return true;
    },
  };
  const imports: Record<string, Record<string, (...a: Value[]) => Value | undefined>> = {};
  for (const { module, name, f } of hostFuncs) {
    imports[module] ??= {};
    (imports[module] as Record<string, unknown>)[name] = (...a: Value[]) => {
      const m = exports?.[MEMORY_EXPORT] as WAMemory | undefined;
      if (m) {
        shim.bytes = new Uint8Array(m.buffer);
        shim.view = new DataView(m.buffer);
        shim.pages = m.buffer.byteLength / PAGE_SIZE;
        callerMems[0] = shim;
      }
      if (!meter.charge(costs.hostCall)) throw new Stop({ trap: "out of fuel" });
      const out = f.fn(meter, caller, a);
      if (!Array.isArray(out)) throw new Stop(out as HostSignal);
      return out[0];
    };
  }

  let results: Value[] = [];
  let exitCode: number | null = null;
  try {
    const inst = new WA.Instance(new WA.Module(wasm), imports);
    exports = inst.exports;
    fuelG().value = BigInt(limits.fuel - dataFuel);
    const fn = exports[opts.invoke] as (...a: unknown[]) => unknown;
    const r = fn(...args.map((a) => toJs(a.type, a.value)));
    if (ftype.results.length === 1) {
      const t = ftype.results[0] as ValType;
      if ((t === F32 || t === F64) && Number.isNaN(r)) return interp(bytes, opts, "NaN result (bits lost in JS)");
      results = [fromJs(t, r)];
    }
  } catch (e) {
    if (e instanceof Stop && "exit" in e.signal) exitCode = e.signal.exit;
    else
      return interp(
        bytes,
        opts,
        `trap on V8 (${e instanceof Stop ? (e.signal as { trap: string }).trap : (e as Error).message})`,
      );
  }
  // only reached after instantiation (a host call cannot run before it: modules with a start function fall back)
  const ex = exports as WAExports;
  host.flushStderr();
  const output = host.output();
  const fuelUsed = BigInt(limits.fuel) - ((ex[FUEL_GLOBAL] as WAGlobal).value as bigint);
  const mem = ex[MEMORY_EXPORT] as WAMemory | undefined;
  const report: RunReport = {
    results: results.map((v, i) => formatValue(ftype.results[i] as ValType, v)),
    trap: null,
    exitCode,
    fuelUsed: String(fuelUsed),
    steps: Number((ex[STEPS_GLOBAL] as WAGlobal).value as bigint),
    usage: {
      compute_cycles: String(fuelUsed),
      mem_usage: String(mem ? mem.buffer.byteLength : 0),
      fs_ops: String(host.fsOps),
      network_out: "0",
      gpu_cycles: "0",
    },
    output,
    outputHash: bytesToHex(sha256(output)),
    logs: host.logs,
    stateRootBefore: host.stateRootBefore,
    stateRootAfter: host.stateRoot(),
    state: host.entries(),
    traceRoot: null,
    trace: null,
  };
  return { ok: true, report, engine: "v8", fallback: null };
}

/** Declared locals and static internal-instruction count of a compiled function (see InstrumentOptions.shape). */
export function shapeOf(c: CompiledFunc): { locals: number; instructions: number } {
  let n = 0;
  for (let pc = 0; pc < c.code.length; n++) {
    const op = c.code[pc] as number;
    pc += 1 + (op === Op.BR_TABLE ? 1 + 3 * ((c.code[pc + 1] as number) + 1) : immediateCount(op));
  }
  return { locals: c.localTypes.length, instructions: n };
}

const buf = new DataView(new ArrayBuffer(8));
/** Interpreter value (floats as bits) → what JS passes to wasm. */
function toJs(t: ValType, v: Value): unknown {
  if (t === F32) return f32In(v as number);
  if (t === F64) return f64In(v as bigint);
  return v;
}
/** JS result → interpreter value (floats as bits; NaNs never get here). */
function fromJs(t: ValType, r: unknown): Value {
  if (t === F32) {
    buf.setFloat32(0, r as number);
    return buf.getInt32(0);
  }
  if (t === F64) {
    buf.setFloat64(0, r as number);
    return buf.getBigInt64(0);
  }
  if (t === I64) return BigInt.asIntN(64, r as bigint);
  return r as Value;
}
