/**
 * @module One-step semantics of table instructions on the main instance's tables (proven elements):
 * table.get/set/size, and table.grow/fill/copy/init as the interpreter's `bulk` — operands popped
 * first, then fuel per element, bounds, and the per-instruction cap ExecLimits.bulkElems.
 */
import { Op } from "../opcodes.js";
import { BULK_TOO_LARGE, type ExecLimits, type FuelCosts } from "../params.js";
import type { Ref } from "../types.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

const OOB = "out of bounds table access";
const OPS: readonly number[] = [
  Op.TABLE_GET,
  Op.TABLE_SET,
  Op.TABLE_SIZE,
  Op.TABLE_GROW,
  Op.TABLE_FILL,
  Op.TABLE_COPY,
  Op.TABLE_INIT,
];

/** Returns a trap message, undefined when done, or false when `op` is not in this class. */
export function stepTable(
  op: number,
  r: Regs,
  ctx: StepCtx,
  costs: FuelCosts,
  limits: ExecLimits,
): string | undefined | false {
  if (!OPS.includes(op)) return false;
  if (!ctx.meta.main) throw new UnsupportedStepError("table access from a function of another instance");
  const t = ctx.code(r.pc++);
  const u = (pos: number) => (ctx.get(pos) as number) >>> 0;
  const charge = (n: number): boolean => {
    const extra = Math.floor(n / costs.bytesPerFuel);
    if (extra > r.fuelLeft) return false;
    r.fuelLeft -= extra;
    return true;
  };
  switch (op) {
    case Op.TABLE_SIZE:
      ctx.set(r.sp++, ctx.tableSize(t));
      return undefined;
    case Op.TABLE_GET: {
      const i = u(r.sp - 1);
      if (i >= ctx.tableSize(t)) return OOB;
      ctx.set(r.sp - 1, ctx.tableGet(t, i));
      return undefined;
    }
    case Op.TABLE_SET: {
      const v = ctx.get(--r.sp) as Ref;
      const i = u(--r.sp);
      if (i >= ctx.tableSize(t)) return OOB;
      ctx.tableSet(t, i, v);
      return undefined;
    }
    case Op.TABLE_GROW: {
      const n = u(r.sp - 1);
      const init = ctx.get(r.sp - 2) as Ref;
      r.sp -= 1;
      const size = ctx.tableSize(t);
      if (size + n > ctx.tableMax(t) || ctx.tableTotal() + n > limits.tableElements || n > limits.bulkElems) {
        ctx.set(r.sp - 1, -1);
        return undefined;
      }
      if (!charge(n)) return "out of fuel";
      ctx.tableResize(t, size + n);
      for (let i = 0; i < n; i++) ctx.tableSet(t, size + i, init);
      ctx.set(r.sp - 1, size);
      return undefined;
    }
    case Op.TABLE_FILL: {
      const n = u(r.sp - 1);
      const v = ctx.get(r.sp - 2) as Ref;
      const d = u(r.sp - 3);
      r.sp -= 3;
      if (!charge(n)) return "out of fuel";
      if (d + n > ctx.tableSize(t)) return OOB;
      if (n > limits.bulkElems) return BULK_TOO_LARGE;
      for (let i = 0; i < n; i++) ctx.tableSet(t, d + i, v);
      return undefined;
    }
    default: {
      // table.copy dst src / table.init seg table: the second immediate
      const second = ctx.code(r.pc++);
      const n = u(r.sp - 1);
      const s = u(r.sp - 2);
      const d = u(r.sp - 3);
      r.sp -= 3;
      if (!charge(n)) return "out of fuel";
      if (op === Op.TABLE_COPY) {
        if (s + n > ctx.tableSize(second) || d + n > ctx.tableSize(t)) return OOB;
        if (n > limits.bulkElems) return BULK_TOO_LARGE;
        const vals = Array.from({ length: n }, (_, i) => ctx.tableGet(second, s + i));
        for (let i = 0; i < n; i++) ctx.tableSet(t, d + i, vals[i] as Ref);
        return undefined;
      }
      // table.init: t is the segment, second the table
      if (s + n > ctx.elemSegLen(t) || d + n > ctx.tableSize(second)) return OOB;
      if (n > limits.bulkElems) return BULK_TOO_LARGE;
      for (let i = 0; i < n; i++) ctx.tableSet(second, d + i, ctx.elemSegGet(t, s + i));
      return undefined;
    }
  }
}
