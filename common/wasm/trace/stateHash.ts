/**
 * @module The run statuses of the step commitment and the byte encoding of a value, shared by the
 * step commitment (`proof/stepState.ts`, the one machine-state commitment) and its hashing.
 */
import { ExternRef, FuncRef, type Value } from "../types.js";
import type { Writer } from "./hashing.js";

export function writeValue(w: Writer, v: Value): void {
  if (typeof v === "number") w.u8(1).u32(v);
  else if (typeof v === "bigint") w.u8(2).u64(v);
  else if (v === null) w.u8(3);
  else if (v instanceof FuncRef) w.u8(4).u32(v.addr);
  else if (v instanceof ExternRef) w.u8(5).u32(v.id);
}

/** Status codes in the commitment. */
export const STATUS = { running: 0, done: 1, trap: 2, exit: 3 } as const;
