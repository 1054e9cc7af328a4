/**
 * @module One-step semantics of a direct call into a wasm function: the caller frame (with its pc
 * after the call) joins the frame chain, the callee's declared locals are pushed as zeros (charged
 * per local), and the call-depth and value-stack limits trap as in the interpreter's `enter`.
 * call_indirect checks bounds, null and the signature (hash of the type) first. A host function runs
 * through ctx.hostCall, with the same argument, fuel and signal handling as the interpreter's callHost.
 */
import type { HostMeter, HostSignal } from "../host.js";
import { zeroValue } from "../machine.js";
import { Op } from "../opcodes.js";
import type { ExecLimits, FuelCosts } from "../params.js";
import { equal } from "../trace/hashing.js";
import { STATUS } from "../trace/stateHash.js";
import type { FuncRef, Value } from "../types.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { FuncMeta } from "./stepState.js";
import type { Regs } from "./stepTypes.js";

/** As the interpreter's callHost: pop the arguments, charge hostCall, run the host, push results or stop. */
function hostCall(addr: number, m: FuncMeta, r: Regs, ctx: StepCtx, costs: FuelCosts): string | undefined {
  if (!ctx.meta.main) throw new UnsupportedStepError("host call from a function of another instance");
  const args: Value[] = [];
  for (let i = r.sp - m.params; i < r.sp; i++) args.push(ctx.get(i));
  r.sp -= m.params;
  if (costs.hostCall > r.fuelLeft) return "out of fuel";
  r.fuelLeft -= costs.hostCall;
  const meter: HostMeter = {
    costs,
    charge(units: number): boolean {
      if (units > r.fuelLeft) return false;
      r.fuelLeft -= units;
      return true;
    },
  };
  const out = ctx.hostCall(addr, m, meter, args);
  if (!Array.isArray(out)) {
    const sig = out as HostSignal;
    if ("trap" in sig) return sig.trap;
    r.status = STATUS.exit;
    return undefined;
  }
  if (out.length !== m.results) throw new Error("host function returned the wrong number of results");
  for (const v of out) ctx.set(r.sp++, v);
  return undefined;
}

export function stepCall(
  op: number,
  r: Regs,
  ctx: StepCtx,
  costs: FuelCosts,
  limits: ExecLimits,
): string | undefined | false {
  let addr: number;
  let m: FuncMeta;
  if (op === Op.CALL) {
    const callee = ctx.callee(ctx.code(r.pc++));
    addr = callee.addr;
    m = callee.meta;
  } else if (op === Op.CALL_INDIRECT) {
    if (!ctx.meta.main) throw new UnsupportedStepError("call_indirect from a function of another instance");
    const typeIdx = ctx.code(r.pc);
    const t = ctx.code(r.pc + 1);
    r.pc += 2;
    const i = (ctx.get(--r.sp) as number) >>> 0;
    if (i >= ctx.tableSize(t)) return `undefined element ${i}`;
    const ref = ctx.tableGet(t, i) as FuncRef | null;
    if (ref === null) return `uninitialized element ${i}`;
    addr = ref.addr;
    m = ctx.funcAt(addr);
    if (!equal(m.sig, ctx.typeSig(typeIdx))) return "indirect call type mismatch";
  } else return false;
  if (m.kind !== "wasm") return hostCall(addr, m, r, ctx, costs);
  if (r.depth >= limits.callDepth) return "call stack exhausted";
  const base = r.sp - m.params;
  if (base + m.maxHeight > limits.valueStack) return "call stack exhausted (value stack)";
  if (m.localTypes.length > 0) {
    const extra = m.localTypes.length * costs.perLocal;
    if (extra > r.fuelLeft) return "out of fuel";
    r.fuelLeft -= extra;
    for (const t of m.localTypes) ctx.set(r.sp++, zeroValue(t));
  }
  ctx.pushCaller({ func: r.func, pc: r.pc, base: r.base });
  r.depth++;
  r.func = addr;
  r.pc = 0;
  r.base = base;
  return undefined;
}
