/** @module One-step semantics of parametric and variable instructions: drop, select, local.*, global.*, ref.null, ref.is_null, ref.func. */
import { Op } from "../opcodes.js";
import { FuncRef } from "../types.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

/** Returns undefined when done, false when `op` is not in this class. */
export function stepVariable(op: number, r: Regs, ctx: StepCtx): undefined | false {
  switch (op) {
    case Op.DROP:
      r.sp--;
      return undefined;
    case Op.SELECT: {
      const c = ctx.get(--r.sp) as number;
      r.sp--;
      if (c === 0) ctx.set(r.sp - 1, ctx.get(r.sp));
      return undefined;
    }
    case Op.LOCAL_GET:
      ctx.set(r.sp, ctx.get(r.base + ctx.code(r.pc++)));
      r.sp++;
      return undefined;
    case Op.LOCAL_SET: {
      const i = ctx.code(r.pc++);
      ctx.set(r.base + i, ctx.get(--r.sp));
      return undefined;
    }
    case Op.LOCAL_TEE: {
      const i = ctx.code(r.pc++);
      ctx.set(r.base + i, ctx.get(r.sp - 1));
      return undefined;
    }
    case Op.GLOBAL_GET:
    case Op.GLOBAL_SET: {
      if (!ctx.meta.main) throw new UnsupportedStepError("global access from a function of another instance");
      const i = ctx.code(r.pc++);
      if (op === Op.GLOBAL_GET) ctx.set(r.sp++, ctx.global(i));
      else ctx.setGlobal(i, ctx.get(--r.sp));
      return undefined;
    }
    case Op.REF_NULL:
      ctx.set(r.sp++, null);
      return undefined;
    case Op.REF_FUNC:
      ctx.set(r.sp++, new FuncRef(ctx.callee(ctx.code(r.pc++)).addr));
      return undefined;
    case Op.REF_IS_NULL:
      ctx.set(r.sp - 1, ctx.get(r.sp - 1) === null ? 1 : 0);
      return undefined;
  }
  return false;
}
