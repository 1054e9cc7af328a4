/**
 * @module One-step semantics of bulk memory (memory.fill/copy/init, data.drop) and elem.drop, as the
 * interpreter's `bulk`: operands popped first, then the fuel of this step's piece, the bounds of the whole
 * remaining range, one piece of at most ExecLimits.bulkBytes (bulkPiece.ts: what keeps a proof bounded),
 * and, while work remains, the pc back on the instruction with the rest of the range as operands.
 */

import { bulkPiece, bulkRest } from "../bulkPiece.js";
import { Op } from "../opcodes.js";
import type { ExecLimits, FuelCosts } from "../params.js";
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
  const opPc = r.pc - 1;
  const seg = op === Op.MEMORY_INIT ? ctx.code(r.pc++) : 0;
  const u = (pos: number) => (ctx.get(pos) as number) >>> 0;
  const n = u(r.sp - 1);
  const raw = ctx.get(r.sp - 2) as number;
  const b = op === Op.MEMORY_FILL ? raw & 0xff : raw >>> 0;
  const d = u(r.sp - 3);
  r.sp -= 3;
  const back = op === Op.MEMORY_COPY && d > b;
  const p = bulkPiece(n, limits.bulkBytes, back);
  const extra = Math.floor(p.size / costs.bytesPerFuel);
  if (extra > r.fuelLeft) return "out of fuel";
  r.fuelLeft -= extra;
  const len = r.memPages * PAGE_SIZE;
  if (op === Op.MEMORY_INIT) {
    if (b + n > ctx.dataLen(seg) || d + n > len) return "out of bounds memory access";
    if (p.size > 0) ctx.memWrite(d + p.at, ctx.dataRead(seg, b + p.at, p.size));
  } else if (op === Op.MEMORY_COPY) {
    if (b + n > len || d + n > len) return "out of bounds memory access";
    if (p.size > 0) ctx.memWrite(d + p.at, ctx.memRead(b + p.at, p.size));
  } else {
    if (d + n > len) return "out of bounds memory access";
    if (p.size > 0) ctx.memWrite(d + p.at, new Uint8Array(p.size).fill(b));
  }
  if (!p.last) {
    const rest = bulkRest(d, op === Op.MEMORY_FILL ? raw : b, n, p, back, op !== Op.MEMORY_FILL);
    for (let i = 0; i < 3; i++) ctx.set(r.sp + i, rest[i] as number);
    r.sp += 3;
    r.pc = opPc;
  }
  return undefined;
}
