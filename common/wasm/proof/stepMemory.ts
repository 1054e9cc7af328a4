/**
 * @module One-step semantics of memory instructions: loads and stores of every width (bounds checked
 * against the page count in the clear; the bytes come from proven 1 KiB chunks), memory.size and
 * memory.grow (new pages are zero, so the memory root does not change; only the page count does).
 */
import { Op } from "../opcodes.js";
import type { FuelCosts } from "../params.js";
import { PAGE_SIZE } from "../runtime.js";
import type { Value } from "../types.js";
import type { StepCtx } from "./stepCtx.js";
import type { Regs } from "./stepTypes.js";

/** Access size in bytes of loads/stores 0x28..0x3e (as in the interpreter). */
const SIZE = [4, 8, 4, 8, 1, 1, 2, 2, 1, 1, 2, 2, 4, 4, 4, 8, 4, 8, 1, 2, 1, 2, 4];

function load(op: number, v: DataView): Value {
  switch (op) {
    case 0x28:
    case 0x2a:
      return v.getInt32(0, true);
    case 0x29:
    case 0x2b:
      return v.getBigInt64(0, true);
    case 0x2c:
      return v.getInt8(0);
    case 0x2d:
      return v.getUint8(0);
    case 0x2e:
      return v.getInt16(0, true);
    case 0x2f:
      return v.getUint16(0, true);
    case 0x30:
      return BigInt(v.getInt8(0));
    case 0x31:
      return BigInt(v.getUint8(0));
    case 0x32:
      return BigInt(v.getInt16(0, true));
    case 0x33:
      return BigInt(v.getUint16(0, true));
    case 0x34:
      return BigInt(v.getInt32(0, true));
    default:
      return BigInt(v.getUint32(0, true));
  }
}

function store(op: number, v: DataView, val: Value): void {
  switch (op) {
    case 0x36:
    case 0x38:
      v.setInt32(0, val as number, true);
      return;
    case 0x37:
    case 0x39:
      v.setBigInt64(0, val as bigint, true);
      return;
    case 0x3a:
      v.setInt8(0, val as number);
      return;
    case 0x3b:
      v.setInt16(0, val as number, true);
      return;
    case 0x3c:
      v.setInt8(0, Number(BigInt.asIntN(8, val as bigint)));
      return;
    case 0x3d:
      v.setInt16(0, Number(BigInt.asIntN(16, val as bigint)), true);
      return;
    default:
      v.setInt32(0, Number(BigInt.asIntN(32, val as bigint)), true);
  }
}

/** Returns a trap message, undefined when done, or false when `op` is not in this class. */
export function stepMemory(op: number, r: Regs, ctx: StepCtx, costs: FuelCosts): string | undefined | false {
  if (op >= 0x28 && op <= 0x3e) {
    const offset = ctx.code(r.pc++) >>> 0;
    const size = SIZE[op - 0x28] as number;
    const len = r.memPages * PAGE_SIZE;
    if (op <= 0x35) {
      const ea = ((ctx.get(r.sp - 1) as number) >>> 0) + offset;
      if (ea + size > len) return "out of bounds memory access";
      const bytes = ctx.memRead(ea, size);
      ctx.set(r.sp - 1, load(op, new DataView(bytes.buffer, bytes.byteOffset, size)));
      return undefined;
    }
    const val = ctx.get(--r.sp);
    const ea = ((ctx.get(--r.sp) as number) >>> 0) + offset;
    if (ea + size > len) return "out of bounds memory access";
    const bytes = new Uint8Array(size);
    store(op, new DataView(bytes.buffer), val);
    ctx.memWrite(ea, bytes);
    return undefined;
  }
  if (op === Op.MEMORY_SIZE) {
    ctx.set(r.sp++, r.memPages);
    return undefined;
  }
  if (op === Op.MEMORY_GROW) {
    const delta = (ctx.get(r.sp - 1) as number) >>> 0;
    let result = r.memPages;
    if (delta > 0) {
      if (r.memPages + delta > r.memMax) result = -1;
      else {
        const extra = delta * costs.growPerPage;
        if (extra > r.fuelLeft) return "out of fuel";
        r.fuelLeft -= extra;
        r.memPages += delta;
      }
    }
    ctx.set(r.sp - 1, result);
    return undefined;
  }
  return false;
}
