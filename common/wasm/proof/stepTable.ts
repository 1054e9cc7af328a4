/** @module One-step semantics of table.get, table.set and table.size on the main instance's tables (proven elements). */
import { Op } from "../opcodes.js";
import type { Ref } from "../types.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

/** Returns a trap message, undefined when done, or false when `op` is not in this class. */
export function stepTable(op: number, r: Regs, ctx: StepCtx): string | undefined | false {
  if (op !== Op.TABLE_GET && op !== Op.TABLE_SET && op !== Op.TABLE_SIZE) return false;
  if (!ctx.meta.main) throw new UnsupportedStepError("table access from a function of another instance");
  const t = ctx.code(r.pc++);
  if (op === Op.TABLE_SIZE) {
    ctx.set(r.sp++, ctx.tableSize(t));
    return undefined;
  }
  if (op === Op.TABLE_GET) {
    const i = (ctx.get(r.sp - 1) as number) >>> 0;
    if (i >= ctx.tableSize(t)) return "out of bounds table access";
    ctx.set(r.sp - 1, ctx.tableGet(t, i));
    return undefined;
  }
  const v = ctx.get(--r.sp) as Ref;
  const i = (ctx.get(--r.sp) as number) >>> 0;
  if (i >= ctx.tableSize(t)) return "out of bounds table access";
  ctx.tableSet(t, i, v);
  return undefined;
}
