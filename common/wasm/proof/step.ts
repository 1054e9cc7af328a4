/**
 * @module One instruction of the machine, written once against StepCtx and shared by the prover and
 * verifyStep: fuel check (exhaustion traps without executing), counters, then the handler of the
 * instruction's class. Classes not covered throw UnsupportedStepError, so no proof is ever wrong.
 */

import type { ExecLimits, FuelCosts } from "../params.js";
import { STATUS } from "../trace/stateHash.js";
import { UnsupportedStepError } from "./sparseTree.js";
import { stepBulk } from "./stepBulk.js";
import { stepCall } from "./stepCall.js";
import { stepControl } from "./stepControl.js";
import type { StepCtx } from "./stepCtx.js";
import { stepMemory } from "./stepMemory.js";
import { stepNumeric } from "./stepNumeric.js";
import { stepTable } from "./stepTable.js";
import type { Regs } from "./stepTypes.js";
import { stepVariable } from "./stepVariable.js";

/** Executes one step on `r` (changed in place) through `ctx`. Returns the trap message, if any. */
export function step(
  r: Regs,
  ctx: StepCtx,
  costTab: Uint32Array,
  costs: FuelCosts,
  limits: ExecLimits,
): string | undefined {
  const sp0 = r.sp;
  const op = ctx.code(r.pc);
  const cost = costTab[op] as number;
  if (cost > r.fuelLeft) {
    r.status = STATUS.trap;
    return "out of fuel";
  }
  r.fuelLeft -= cost;
  r.steps++;
  r.pc++;
  let res = stepControl(op, r, ctx);
  if (res === false) res = stepVariable(op, r, ctx);
  if (res === false) res = stepNumeric(op, r, ctx);
  if (res === false) res = stepMemory(op, r, ctx, costs);
  if (res === false) res = stepCall(op, r, ctx, costs, limits);
  if (res === false) res = stepTable(op, r, ctx, costs, limits);
  if (res === false) res = stepBulk(op, r, ctx, costs, limits);
  if (res === false) throw new UnsupportedStepError(`one-step proofs do not cover opcode 0x${op.toString(16)} yet`);
  if (res !== undefined) r.status = STATUS.trap;
  // Slots at or above sp are empty in the commitment.
  for (let p = r.sp; p < sp0; p++) ctx.clear(p);
  return res;
}
