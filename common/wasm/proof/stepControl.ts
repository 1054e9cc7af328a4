/**
 * @module One-step semantics of control flow within and out of a function: unreachable, if/else
 * (BR_UNLESS/JUMP), br, br_if, br_table (resolved targets), return (pops the caller frame or ends
 * the invocation).
 */
import { Op } from "../opcodes.js";
import { STATUS } from "../trace/stateHash.js";
import type { StepCtx } from "./stepCtx.js";
import { NO_FUNC } from "./stepState.js";
import type { Regs } from "./stepTypes.js";

/** Moves the top `keep` values down to `to` (what br and return do). */
function keepTop(r: Regs, ctx: StepCtx, to: number, keep: number): void {
  if (to === r.sp - keep) return;
  for (let i = 0; i < keep; i++) ctx.set(to + i, ctx.get(r.sp - keep + i));
  r.sp = to + keep;
}

/** Returns a trap message, undefined when done, or false when `op` is not in this class. */
export function stepControl(op: number, r: Regs, ctx: StepCtx): string | undefined | false {
  switch (op) {
    case Op.UNREACHABLE:
      return "unreachable";
    case Op.BR_UNLESS:
      if ((ctx.get(--r.sp) as number) === 0) r.pc = ctx.code(r.pc);
      else r.pc++;
      return undefined;
    case Op.JUMP:
      r.pc = ctx.code(r.pc);
      return undefined;
    case Op.BR:
    case Op.BR_IF: {
      if (op === Op.BR_IF && (ctx.get(--r.sp) as number) === 0) {
        r.pc += 3;
        return undefined;
      }
      keepTop(r, ctx, r.base + ctx.code(r.pc + 2), ctx.code(r.pc + 1));
      r.pc = ctx.code(r.pc);
      return undefined;
    }
    case Op.BR_TABLE: {
      const n = ctx.code(r.pc);
      let i = (ctx.get(--r.sp) as number) >>> 0;
      if (i > n) i = n;
      const at = r.pc + 1 + 3 * i;
      keepTop(r, ctx, r.base + ctx.code(at + 2), ctx.code(at + 1));
      r.pc = ctx.code(at);
      return undefined;
    }
    case Op.RETURN: {
      keepTop(r, ctx, r.base, ctx.meta.results);
      const caller = ctx.popCaller();
      r.depth--;
      if (!caller) {
        r.status = STATUS.done;
        r.func = NO_FUNC;
        r.pc = 0;
        r.base = 0;
      } else {
        r.func = caller.func;
        r.pc = caller.pc;
        r.base = caller.base;
      }
      return undefined;
    }
  }
  return false;
}
