/**
 * @module One-step semantics of a direct call into a wasm function: the caller frame (with its pc
 * after the call) joins the frame chain, the callee's declared locals are pushed as zeros (charged
 * per local), and the call-depth and value-stack limits trap as in the interpreter's `enter`.
 * Host functions and call_indirect are not covered yet (the prover refuses them).
 */
import { zeroValue } from "../machine.js";
import { Op } from "../opcodes.js";
import type { ExecLimits, FuelCosts } from "../params.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

export function stepCall(
  op: number,
  r: Regs,
  ctx: StepCtx,
  costs: FuelCosts,
  limits: ExecLimits,
): string | undefined | false {
  if (op !== Op.CALL) return false;
  const callee = ctx.callee(ctx.code(r.pc++));
  const m = callee.meta;
  if (m.kind !== "wasm") throw new UnsupportedStepError("one-step proofs do not cover host calls yet");
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
  r.func = callee.addr;
  r.pc = 0;
  r.base = base;
  return undefined;
}
