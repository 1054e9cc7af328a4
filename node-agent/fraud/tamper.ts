/**
 * @module Test-only corruption of a run: flips the lowest bit of the topmost number on a machine's value stack, so
 * one step's result is wrong and the run goes on from it (what a node that executed one step wrongly commits to:
 * `--fault wrong-step@N`), or makes up a checkpoint's commitment while the run stays honest (`--fault wrong-trace@N`).
 * Used by those fault modes and by the in-process fraud tests.
 */
import { type Hash, sha256Of } from "../../common/wasm/trace/hashing.js";

export function flipTop(m: { stack: unknown[]; sp: number }): void {
  for (let i = m.sp - 1; i >= 0; i--) {
    const v = m.stack[i];
    if (typeof v === "number") m.stack[i] = (v ^ 1) | 0;
    else if (typeof v === "bigint") m.stack[i] = BigInt.asIntN(64, v ^ 1n);
    else continue;
    return;
  }
  throw new Error("no number on the stack to flip");
}

/** A made-up commitment in place of checkpoint `i`'s true one `h` (distinct per checkpoint and per run). */
export const madeUpCheckpoint = (h: Hash, i: number): Hash =>
  sha256Of(new TextEncoder().encode(`dsdn test fault: made-up checkpoint ${i}`), h);
