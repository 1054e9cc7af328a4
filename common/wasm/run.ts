/**
 * @module One deterministic job run: compile, link the host ABI and the WASI subset, instantiate,
 * invoke one export, and report results, trap, fuel, usage, output hash and state roots. Pure (the
 * caller supplies bytes); the wall-clock limit is the caller's business (see node-agent/runtime).
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { HOST_ABI_MODULE, hostAbiFunctions, resolveHostAbi } from "./hostAbi.js";
import { DEFAULT_HOST_LIMITS, type HostLimits, HostState } from "./hostState.js";
import { compileModule, instantiate } from "./instantiate.js";
import { Machine, type RunStatus } from "./machine.js";
import { f32In, f64In } from "./numeric.js";
import { DEFAULT_FUEL_COSTS, DEFAULT_LIMITS, type ExecLimits, type FuelCosts } from "./params.js";
import type { FuncInst, Instance } from "./runtime.js";
import { runTraced, type Trace } from "./trace/trace.js";
import { F32, F64, I32, I64, type ValType, type Value, valTypeName } from "./types.js";
import { resolveWasi, WASI_MODULE, wasiFunctions } from "./wasi.js";

/** Largest module accepted (decoding and validation are linear in it). */
export const MAX_MODULE_BYTES = 64 << 20;

export interface TypedValue {
  readonly type: ValType;
  readonly value: Value;
}

export interface RunOptions {
  /** Export to call; `_start` for WASI commands. */
  readonly invoke: string;
  readonly args?: readonly TypedValue[];
  readonly input?: Uint8Array;
  readonly limits?: Partial<ExecLimits>;
  readonly costs?: FuelCosts;
  readonly hostLimits?: HostLimits;
  readonly initialState?: ReadonlyMap<string, Uint8Array>;
  /** What WASI clock_time_get answers (ns). */
  readonly clockNs?: bigint;
  /** Take an execution-trace checkpoint every this many instructions (no trace when absent). */
  readonly traceEvery?: number;
}

/** The roadmap's ResourceUsage (gas meter v2); u64 quantities as decimal strings. */
export interface ResourceUsage {
  readonly compute_cycles: string;
  readonly mem_usage: string;
  readonly fs_ops: string;
  readonly network_out: string;
  readonly gpu_cycles: string;
}

export interface RunReport {
  readonly results: { type: string; value: string }[];
  readonly trap: string | null;
  /** Set when a WASI program called proc_exit. */
  readonly exitCode: number | null;
  readonly fuelUsed: string;
  readonly steps: number;
  readonly usage: ResourceUsage;
  readonly output: Uint8Array;
  readonly outputHash: string;
  readonly logs: readonly string[];
  readonly stateRootBefore: string;
  readonly stateRootAfter: string;
  readonly state: ReadonlyMap<string, Uint8Array>;
  /** Root of the checkpoint Merkle tree (hex), or null without --trace-every. */
  readonly traceRoot: string | null;
  readonly trace: Trace | null;
}

/** Bad module or bad request: reported before anything runs (a usage error, not a trap). */
export interface RunRefusal {
  readonly kind: "malformed" | "invalid" | "unlinkable" | "usage";
  readonly message: string;
}

/** Formats a value for reports: integers as signed decimal, floats as decimal, NaN as its bits in hex. */
export function formatValue(type: ValType, v: Value): { type: string; value: string } {
  const name = valTypeName(type);
  if (type === I32 || type === I64) return { type: name, value: String(v) };
  if (type === F32 || type === F64) {
    const x = type === F32 ? f32In(v as number) : f64In(v as bigint);
    if (Number.isNaN(x)) {
      const bits =
        type === F32
          ? ((v as number) >>> 0).toString(16).padStart(8, "0")
          : BigInt.asUintN(64, v as bigint)
              .toString(16)
              .padStart(16, "0");
      return { type: name, value: `0x${bits}` };
    }
    return { type: name, value: Object.is(x, -0) ? "-0" : String(x) };
  }
  return { type: name, value: v === null ? "null" : "ref" };
}

/** A job linked, instantiated and with its invocation set up (checkpoint 0), ready to run. */
export interface PreparedJob {
  readonly machine: Machine;
  readonly host: HostState;
  /** The main instance; undefined when instantiation trapped (then `started` says how). */
  readonly instance: Instance | undefined;
  /** The status after setting up the invocation: undefined when ready to run. */
  readonly started: RunStatus | undefined;
  readonly resultTypes: readonly ValType[];
}

/** Everything of a job before its first instruction: checks, compile, link, instantiate, start. */
export function prepareJob(
  bytes: Uint8Array,
  opts: RunOptions,
): { ok: true; job: PreparedJob } | { ok: false; refusal: RunRefusal } {
  if (bytes.length > MAX_MODULE_BYTES) {
    return {
      ok: false,
      refusal: {
        kind: "malformed",
        message: `module of ${bytes.length} bytes exceeds the ${MAX_MODULE_BYTES}-byte limit`,
      },
    };
  }
  const compiled = compileModule(bytes);
  if (!compiled.ok) return { ok: false, refusal: { kind: compiled.kind, message: compiled.message } };
  const badKey = [...(opts.initialState?.keys() ?? [])].find((k) => !/^(?:[0-9a-f]{2})*$/.test(k));
  if (badKey !== undefined)
    return {
      ok: false,
      refusal: { kind: "usage", message: `initial state key "${badKey.slice(0, 80)}" is not lowercase hex` },
    };
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const machine = new Machine(limits, opts.costs ?? DEFAULT_FUEL_COSTS);
  const host = new HostState(
    opts.input ?? new Uint8Array(0),
    opts.hostLimits ?? DEFAULT_HOST_LIMITS,
    opts.initialState,
    opts.clockNs ?? 0n,
  );
  const wasi = wasiFunctions(host);
  const abi = hostAbiFunctions(host);
  const mod = compiled.module;

  const exp = mod.decoded.exports.find((e) => e.name === opts.invoke);
  if (exp?.kind !== "func")
    return { ok: false, refusal: { kind: "usage", message: `the module exports no function named "${opts.invoke}"` } };
  const ftype = mod.types[mod.funcTypes[exp.index] as number];
  const args = opts.args ?? [];
  if (opts.traceEvery !== undefined && (!Number.isSafeInteger(opts.traceEvery) || opts.traceEvery < 1)) {
    return { ok: false, refusal: { kind: "usage", message: "the checkpoint interval must be a positive integer" } };
  }
  if (!ftype || ftype.params.length !== args.length || ftype.params.some((t, i) => t !== args[i]?.type)) {
    const want = ftype ? ftype.params.map(valTypeName).join(", ") : "?";
    return {
      ok: false,
      refusal: {
        kind: "usage",
        message: `"${opts.invoke}" takes (${want}), got (${args.map((a) => valTypeName(a.type)).join(", ")})`,
      },
    };
  }
  const inst = instantiate(machine, mod, (module, name, desc, types) => {
    if (module === WASI_MODULE) return resolveWasi(machine, wasi, name, desc, types);
    if (module === HOST_ABI_MODULE) return resolveHostAbi(machine, abi, name, desc);
    return undefined;
  });
  if (!inst.ok) {
    if (inst.kind === "unlinkable") return { ok: false, refusal: { kind: "unlinkable", message: inst.message } };
    return {
      ok: true,
      job: { machine, host, instance: undefined, started: inst.status, resultTypes: ftype.results },
    };
  }
  const f = inst.instance.funcs[exp.index] as FuncInst;
  const started = machine.start(
    f,
    args.map((a) => a.value),
  );
  return { ok: true, job: { machine, host, instance: inst.instance, started, resultTypes: ftype.results } };
}

export function runModule(
  bytes: Uint8Array,
  opts: RunOptions,
): { ok: true; report: RunReport } | { ok: false; refusal: RunRefusal } {
  const prepared = prepareJob(bytes, opts);
  if (!prepared.ok) return prepared;
  const { machine, host, instance, started, resultTypes } = prepared.job;
  let status: RunStatus;
  let trace: Trace | null = null;
  if (!instance) status = started as RunStatus;
  else if (opts.traceEvery !== undefined) {
    const traced = runTraced(machine, instance, host, opts.traceEvery, started);
    status = traced.status;
    trace = traced.trace;
  } else status = started ?? machine.run();
  host.flushStderr();
  const output = host.output();
  const fuelUsed = machine.fuelUsed;
  const report: RunReport = {
    results: status.status === "done" ? status.results.map((v, i) => formatValue(resultTypes[i] as ValType, v)) : [],
    trap: status.status === "trap" ? status.trap : null,
    exitCode: status.status === "exit" ? status.code : null,
    fuelUsed: String(fuelUsed),
    steps: machine.steps,
    usage: {
      compute_cycles: String(fuelUsed),
      mem_usage: String(machine.peakMemory),
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
    traceRoot: trace ? bytesToHex(trace.root) : null,
    trace,
  };
  return { ok: true, report };
}

/** Parses "i32:5", "i64:-1", "f32:1.5", "f64:0x7ff8000000000001" (hex = raw bits). */
export function parseTypedValue(s: string): TypedValue | string {
  const m = /^(i32|i64|f32|f64):(.+)$/.exec(s);
  if (!m) return `argument "${s}" must look like i32:5, i64:-1, f32:1.5 or f64:2.5`;
  const [, t, v] = m as unknown as [string, string, string];
  try {
    if (t === "i32") {
      const n = BigInt(v);
      if (n < -(2n ** 31n) || n >= 2n ** 32n) return `argument "${s}" is out of range for i32`;
      return { type: I32, value: Number(BigInt.asIntN(32, n)) };
    }
    if (t === "i64") {
      const n = BigInt(v);
      if (n < -(2n ** 63n) || n >= 2n ** 64n) return `argument "${s}" is out of range for i64`;
      return { type: I64, value: BigInt.asIntN(64, n) };
    }
  } catch {
    return `argument "${s}" is not an integer`;
  }
  const isHex = /^0x[0-9a-fA-F]+$/.test(v);
  if (t === "f32") {
    if (isHex) return { type: F32, value: Number(BigInt.asIntN(32, BigInt(v))) };
    const x = Number(v);
    if (Number.isNaN(x) && v !== "nan") return `argument "${s}" is not a number`;
    const buf = new DataView(new ArrayBuffer(4));
    buf.setFloat32(0, x);
    return { type: F32, value: Number.isNaN(x) ? 0x7fc00000 : buf.getInt32(0) };
  }
  if (isHex) return { type: F64, value: BigInt.asIntN(64, BigInt(v)) };
  const x = Number(v);
  if (Number.isNaN(x) && v !== "nan") return `argument "${s}" is not a number`;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, x);
  return { type: F64, value: Number.isNaN(x) ? BigInt.asIntN(64, 0x7ff8000000000000n) : buf.getBigInt64(0) };
}
