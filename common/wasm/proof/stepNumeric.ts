/**
 * @module One-step semantics of numeric instructions (const, unop, binop, compare, convert, the
 * saturating truncations): the interpreter's own `numeric` handler and numeric.ts helpers, run on the
 * proven top-of-stack slots.
 */
import { numeric } from "../machine.js";
import { f32In, f64In, satToI32, satToI64 } from "../numeric.js";
import { Op } from "../opcodes.js";
import type { Value } from "../types.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

/** Returns a trap message, undefined when done, or false when `op` is not numeric. */
export function stepNumeric(op: number, r: Regs, ctx: StepCtx): string | undefined | false {
  switch (op) {
    case Op.I32_CONST:
    case Op.F32_CONST:
      ctx.set(r.sp++, ctx.code(r.pc++));
      return undefined;
    case Op.I64_CONST:
    case Op.F64_CONST:
      ctx.set(r.sp++, ctx.const64(ctx.code(r.pc++)));
      return undefined;
  }
  if (op >= 0x45 && op <= 0xc4) {
    // numeric() reads s[sp-1] (and s[sp-2] for binary ops) and writes at most s[sp-2]; map its two
    // slots onto the proven stack lazily so only what it touches must be in the proof.
    const off = r.sp - 2;
    const slots = new Proxy([] as Value[], {
      get: (_t, k) => ctx.get(off + Number(k)),
      set: (_t, k, v) => {
        ctx.set(off + Number(k), v as Value);
        return true;
      },
    });
    const res = numeric(op, slots, 2);
    if (typeof res === "string") return res;
    r.sp = off + res;
    return undefined;
  }
  if (op >= Op.PREFIX_FC && op <= Op.PREFIX_FC + 7) {
    const top = r.sp - 1;
    const v = ctx.get(top) as number | bigint;
    const sub = op - Op.PREFIX_FC;
    const x = sub === 0 || sub === 1 || sub === 4 || sub === 5 ? f32In(v as number) : f64In(v as bigint);
    const signed = sub % 2 === 0;
    ctx.set(top, sub <= 3 ? satToI32(x, signed) : satToI64(x, signed));
    return undefined;
  }
  return false;
}
