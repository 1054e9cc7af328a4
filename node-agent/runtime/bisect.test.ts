/**
 * @module Checkpoints are step commitments: the trace's checkpoint i is the step commitment after i·K
 * steps, verifyStep links every step across checkpoint boundaries, and a bisection between an honest
 * run and one with a single flipped step (checkpoint level, then inside a K-range) ends on that step,
 * which verifyStep settles.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { initialStepCommitment } from "../../common/wasm/proof/ends.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { type RunOptions, runModule } from "../../common/wasm/run.js";
import { equal, type Hash, useSha256 } from "../../common/wasm/trace/hashing.js";
import { getCheckpoint, type Trace, verifyCheckpoint } from "../../common/wasm/trace/trace.js";
import { I32 } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { proveStepAt, StepSession, stepCommitmentAt } from "./stepAt.js";
import { fixture } from "./testing.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const k = fixture("kernels.wasm");
const i32 = (n: number) => ({ type: I32, value: n });

function traced(opts: RunOptions): { trace: Trace; steps: number; trap: string | null } {
  const r = runModule(k, opts);
  if (!r.ok || !r.report.trace) throw new Error("no trace");
  return { trace: r.report.trace, steps: r.report.steps, trap: r.report.trap };
}

/** Commitments of a run whose state is corrupted right after step `flip` (the stack top xor 1). */
function dishonest(opts: RunOptions, flip: number): (n: number) => Hash {
  return (n) => {
    const s = new StepSession({ bytes: k, opts });
    if (n <= flip) return s.advance(n).commitment();
    s.advance(flip + 1);
    const m = s.machine;
    m.stack[m.sp - 1] = ((m.stack[m.sp - 1] as number) ^ 1) | 0;
    return s.advance(n).commitment();
  };
}

/** Largest n in [lo, hi) with a(n) = b(n) and a(n+1) ≠ b(n+1), given a(lo) = b(lo) and a(hi) ≠ b(hi). */
function bisect(lo: number, hi: number, agree: (n: number) => boolean): number {
  let l = lo;
  let h = hi;
  while (h - l > 1) {
    const mid = l + Math.floor((h - l) / 2);
    if (agree(mid)) l = mid;
    else h = mid;
  }
  return l;
}

describe("checkpoints are step commitments", () => {
  it.each([
    ["mix", { invoke: "mix", args: [i32(120)] }, 97],
    ["out of fuel on a checkpoint boundary", { invoke: "spin", limits: { fuel: 3000 } }, 500],
    ["out of fuel inside a range", { invoke: "spin", limits: { fuel: 3001 } }, 700],
  ] as [string, RunOptions, number][])(
    "%s: checkpoint i = commitment after i·K steps, linked by verifyStep",
    (_n, opts, K) => {
      const { trace, steps } = traced({ ...opts, traceEvery: K });
      const job = { bytes: k, opts };
      const s = new StepSession(job);
      for (const c of trace.checkpoints) {
        s.advance(c.index * K);
        expect(equal(s.commitment(), c.hash), `checkpoint ${c.index}`).toBe(true);
        expect(verifyCheckpoint(trace.root, getCheckpoint(trace, c.index))).toBe(true);
      }
      expect(s.finished).toBe(true);
      expect(trace.checkpoints.length).toBeGreaterThan(2);
      // Every step into a checkpoint (n = i·K − 1 → checkpoint i) verifies to that checkpoint's hash.
      const t = new StepSession(job);
      for (const c of trace.checkpoints.slice(1)) {
        const n = Math.min(c.index * K, steps + 1) - 1;
        t.advance(n);
        if (t.finished) break;
        const pre = t.commitment();
        const proof = t.prove();
        expect(equal(verifyStep(pre, proof), c.hash), `step ${n} → checkpoint ${c.index}`).toBe(true);
      }
    },
  );

  it("checkpoint 0 is what the chain computes from the job (initialStepCommitment)", () => {
    const opts = { invoke: "mix", args: [i32(50)] };
    const { trace } = traced({ ...opts, traceEvery: 100 });
    const c0 = trace.checkpoints[0]?.hash as Hash;
    expect(equal(initialStepCommitment(k, new Uint8Array(0), opts), c0)).toBe(true);
    expect(equal(initialStepCommitment(k, new Uint8Array(0), { ...opts, args: [i32(51)] }), c0)).toBe(false);
  });

  it("the final state is a fixed point past the end; the root binds K", () => {
    const opts = { invoke: "mix", args: [i32(20)] };
    const { trace, steps } = traced({ ...opts, traceEvery: 100 });
    const last = trace.checkpoints.at(-1)?.hash as Hash;
    expect(equal(stepCommitmentAt({ bytes: k, opts }, steps), last)).toBe(true);
    expect(equal(stepCommitmentAt({ bytes: k, opts }, steps + 12345), last)).toBe(true);
    expect(equal(stepCommitmentAt({ bytes: k, opts }, steps - 1), last)).toBe(false);
    const p = getCheckpoint(trace, 1);
    expect(verifyCheckpoint(trace.root, p)).toBe(true);
    expect(verifyCheckpoint(trace.root, { ...p, every: 101 })).toBe(false);
    expect(() => new StepSession({ bytes: k, opts }).advance(steps + 5).prove()).toThrow(/finished/);
  });
});

describe("bisection between an honest and a corrupted run", () => {
  const opts: RunOptions = { invoke: "mix", args: [i32(300)] };
  const K = 1000;
  it.each([4321, 2999, 3000, 0])("ends on the flipped step %i, and verifyStep settles it", (flip) => {
    const job = { bytes: k, opts };
    const honest = traced({ ...opts, traceEvery: K });
    const bad = dishonest(opts, flip);
    const badHashes = honest.trace.checkpoints.map((c) => bad(c.index * K));
    expect(equal(honest.trace.checkpoints[0]?.hash as Hash, badHashes[0] as Hash)).toBe(true);
    const lastIdx = honest.trace.checkpoints.length - 1;
    expect(equal(honest.trace.checkpoints[lastIdx]?.hash as Hash, badHashes[lastIdx] as Hash)).toBe(false);
    // Checkpoint level.
    const i = bisect(0, lastIdx, (x) => equal(honest.trace.checkpoints[x]?.hash as Hash, badHashes[x] as Hash));
    expect(i).toBe(Math.floor((flip + 1 - 1) / K));
    // Inside the K-range, with the same commitments.
    const hi = Math.min((i + 1) * K, honest.steps);
    const n = bisect(i * K, hi, (x) => equal(stepCommitmentAt(job, x), bad(x)));
    expect(n).toBe(flip);
    const { pre, proof, post } = proveStepAt(job, n);
    expect(equal(pre, bad(n))).toBe(true);
    const settled = verifyStep(pre, proof);
    expect(equal(settled, post)).toBe(true);
    expect(equal(settled, bad(n + 1))).toBe(false);
  });
});
