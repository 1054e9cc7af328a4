/**
 * @module One-step semantics of table instructions on the main instance's tables (proven elements):
 * table.get/set/size, and table.grow/fill/copy/init as the interpreter's `bulk` — operands popped
 * first, then the fuel of this step's piece, the bounds of the whole remaining range, and one piece of at
 * most ExecLimits.bulkElems elements (bulkPiece.ts); table.grow beyond bulkElems returns -1.
 */

import { bulkPiece, bulkRest } from "../bulkPiece.js";
import { Op } from "../opcodes.js";
import type { ExecLimits, FuelCosts } from "../params.js";
import type { Ref, Value } from "../types.js";
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
  const opPc = r.pc - 1;
  const t = ctx.code(r.pc++);
  const u = (pos: number) => (ctx.get(pos) as number) >>> 0;
  /** Not the last piece: the pc stays on the instruction, the rest of the range becomes its operands. */
  const more = (rest: readonly [number, Value, number]): undefined => {
    for (let i = 0; i < 3; i++) ctx.set(r.sp + i, rest[i] as Value);
    r.sp += 3;
    r.pc = opPc;
    return undefined;
  };
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
      const p = bulkPiece(n, limits.bulkElems, false);
      if (!charge(p.size)) return "out of fuel";
      if (d + n > ctx.tableSize(t)) return OOB;
      for (let i = p.at; i < p.at + p.size; i++) ctx.tableSet(t, d + i, v);
      return p.last ? undefined : more([(d + p.size) | 0, v, (n - p.size) | 0]);
    }
    default: {
      // table.copy dst src / table.init seg table: the second immediate
      const second = ctx.code(r.pc++);
      const n = u(r.sp - 1);
      const s = u(r.sp - 2);
      const d = u(r.sp - 3);
      r.sp -= 3;
      const back = op === Op.TABLE_COPY && d > s;
      const p = bulkPiece(n, limits.bulkElems, back);
      if (!charge(p.size)) return "out of fuel";
      if (op === Op.TABLE_COPY) {
        if (s + n > ctx.tableSize(second) || d + n > ctx.tableSize(t)) return OOB;
        const vals = Array.from({ length: p.size }, (_, i) => ctx.tableGet(second, s + p.at + i));
        for (let i = 0; i < p.size; i++) ctx.tableSet(t, d + p.at + i, vals[i] as Ref);
      } else {
        // table.init: t is the segment, second the table
        if (s + n > ctx.elemSegLen(t) || d + n > ctx.tableSize(second)) return OOB;
        for (let i = p.at; i < p.at + p.size; i++) ctx.tableSet(second, d + i, ctx.elemSegGet(t, s + i));
      }
      return p.last ? undefined : more(bulkRest(d, s, n, p, back, true));
    }
  }
}
