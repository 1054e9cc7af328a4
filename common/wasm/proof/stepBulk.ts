/**
 * @module One-step semantics of bulk memory (memory.fill/copy/init, data.drop) and elem.drop, as the
 * interpreter's `bulk`: operands popped first, then the per-byte fuel, bounds, and the per-instruction
 * cap (ExecLimits.bulkBytes), which is what keeps the proof of a maximal operation bounded.
 */
import { Op } from "../opcodes.js";
import { BULK_TOO_LARGE, type ExecLimits, type FuelCosts } from "../params.js";
import { PAGE_SIZE } from "../runtime.js";
import { UnsupportedStepError } from "./sparseTree.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

/** Returns a trap message, undefined when done, or false when `op` is not in this class. */
export function stepBulk(
  op: number,
  r: Regs,
  ctx: StepCtx,
  costs: FuelCosts,
  limits: ExecLimits,
): string | undefined | false {
  if (
    op !== Op.MEMORY_INIT &&
    op !== Op.DATA_DROP &&
    op !== Op.MEMORY_COPY &&
    op !== Op.MEMORY_FILL &&
    op !== Op.ELEM_DROP
  )
    return false;
  if (!ctx.meta.main) throw new UnsupportedStepError("bulk memory in a function of another instance");
  if (op === Op.DATA_DROP) {
    ctx.dataDrop(ctx.code(r.pc++));
    return undefined;
  }
  if (op === Op.ELEM_DROP) {
    ctx.elemDrop(ctx.code(r.pc++));
    return undefined;
  }
  const seg = op === Op.MEMORY_INIT ? ctx.code(r.pc++) : 0;
  const u = (pos: number) => (ctx.get(pos) as number) >>> 0;
  const n = u(r.sp - 1);
  const b = op === Op.MEMORY_FILL ? (ctx.get(r.sp - 2) as number) & 0xff : u(r.sp - 2);
  const d = u(r.sp - 3);
  r.sp -= 3;
  const extra = Math.floor(n / costs.bytesPerFuel);
  if (extra > r.fuelLeft) return "out of fuel";
  r.fuelLeft -= extra;
  const len = r.memPages * PAGE_SIZE;
  if (op === Op.MEMORY_INIT) {
    if (b + n > ctx.dataLen(seg) || d + n > len) return "out of bounds memory access";
    if (n > limits.bulkBytes) return BULK_TOO_LARGE;
    if (n > 0) ctx.memWrite(d, ctx.dataRead(seg, b, n));
    return undefined;
  }
  if (op === Op.MEMORY_COPY) {
    if (b + n > len || d + n > len) return "out of bounds memory access";
    if (n > limits.bulkBytes) return BULK_TOO_LARGE;
    if (n > 0) ctx.memWrite(d, ctx.memRead(b, n));
    return undefined;
  }
  if (d + n > len) return "out of bounds memory access";
  if (n > limits.bulkBytes) return BULK_TOO_LARGE;
  if (n > 0) ctx.memWrite(d, new Uint8Array(n).fill(b));
  return undefined;
}
