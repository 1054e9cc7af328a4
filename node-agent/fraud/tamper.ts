/**
 * @module Test-only corruption of a running machine: flips the lowest bit of the topmost number on its value
 * stack, so one step's result is wrong and the run goes on from it (what a node that executed one step wrongly
 * commits to). Used by the `--fault wrong-step@N` mode and by the in-process fraud tests.
 */

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
