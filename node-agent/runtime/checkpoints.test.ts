/**
 * @module Machine restore from a kept checkpoint: a session restored from a snapshot and run forward gives
 * the same step commitments and verifying proofs as a run from the start (memory, frames, globals, tables,
 * segment drops, host input/output/logs/key-value state, a bulk instruction paused between pieces), in any
 * query order; the kept snapshots stay bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { type RunOptions, runModule } from "../../common/wasm/run.js";
import { equal, useSha256 } from "../../common/wasm/trace/hashing.js";
import { I32 } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { JobCheckpoints, proveStepAt, type StepJob, StepSession, stepCommitmentAt } from "./stepAt.js";
import { fixture } from "./testing.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const i32 = (n: number) => ({ type: I32, value: n | 0 });
const enc = new TextEncoder();

function totalSteps(job: StepJob): number {
  const r = runModule(job.bytes, job.opts);
  if (!r.ok) throw new Error(r.refusal.message);
  return r.report.steps;
}

const jobs: [string, string, RunOptions][] = [
  ["sieve (memory)", "kernels.wasm", { invoke: "sieve", args: [i32(3000)] }],
  ["fib (frames, calls)", "kernels.wasm", { invoke: "fib", args: [i32(11)] }],
  ["matmul (floats)", "kernels.wasm", { invoke: "matmul", args: [i32(5)] }],
  [
    "wc (WASI input, output)",
    "wc.wasm",
    { invoke: "_start", input: enc.encode("one two\nthree four five\n".repeat(20)) },
  ],
  [
    "kv (key-value state, logs)",
    "kv.wasm",
    { invoke: "run", input: enc.encode("ab"), initialState: new Map([["636f756e74", new Uint8Array([41, 0, 0, 0])]]) },
  ],
  ["bulk (segments, drops, table ops)", "bulk.wasm", { invoke: "bulk", args: [i32(3000)] }],
  ["tables", "bulk.wasm", { invoke: "tables", args: [i32(3)] }],
  ["copy paused between pieces", "bulk.wasm", { invoke: "copy", args: [i32(1), i32(0), i32(100_000)] }],
];

describe("restore from a kept checkpoint = run from the start", () => {
  for (const [label, file, opts] of jobs) {
    it(label, () => {
      const job: StepJob = { bytes: fixture(file), opts };
      const total = totalSteps(job);
      const every = Math.max(1, Math.floor(total / 7));
      const cps = new JobCheckpoints(job, { every, keep: 4, maxBytes: 64 * 1024 * 1024 });
      // the whole run first (snapshots taken on the way), then queries in a scrambled order
      cps.sessionAt(total);
      expect(cps.kept.length).toBeGreaterThan(0);
      expect(cps.kept.length).toBeLessThanOrEqual(4);
      const probes = new Set<number>([0, 1, total - 1, total, total + 3]);
      for (const k of cps.kept) for (const d of [-1, 0, 1]) probes.add(k + d);
      for (let i = 1; i < 12; i++) probes.add(Math.floor((total * ((i * 7) % 12)) / 12));
      const order = [...probes]
        .filter((n) => n >= 0)
        .sort((a, b) => ((a * 2654435761) >>> 0) - ((b * 2654435761) >>> 0));
      for (const n of order) {
        const restored = cps.sessionAt(n);
        const fresh = new StepSession(job).advance(n);
        expect(restored.step).toBe(n);
        expect(equal(restored.commitment(), fresh.commitment()), `${label}: step ${n}`).toBe(true);
        if (n < total) {
          const proof = restored.prove();
          const pre = restored.commitment();
          const post = restored.advance(n + 1).commitment();
          expect(equal(verifyStep(pre, proof, opts.costs), post), `${label}: proof of step ${n}`).toBe(true);
          expect(equal(post, fresh.advance(n + 1).commitment()), `${label}: step ${n + 1}`).toBe(true);
        }
      }
    });
  }

  it("the kept snapshots stay bounded: the interval doubles and the off-interval ones go", () => {
    const job: StepJob = { bytes: fixture("kernels.wasm"), opts: { invoke: "mix", args: [i32(3000)] } };
    const total = totalSteps(job);
    const cps = new JobCheckpoints(job, { every: 100, keep: 5, maxBytes: 64 * 1024 * 1024 });
    cps.sessionAt(total);
    expect(cps.kept.length).toBeLessThanOrEqual(5);
    expect(cps.kept.length).toBeGreaterThanOrEqual(2);
    expect(cps.interval).toBeGreaterThan(100);
    for (const k of cps.kept) expect(k % cps.interval).toBe(0);
    // a byte budget smaller than one snapshot keeps none, and answers stay right
    const none = new JobCheckpoints(job, { every: 100, keep: 5, maxBytes: 1000 });
    expect(equal(none.sessionAt(total - 5).commitment(), new StepSession(job).advance(total - 5).commitment())).toBe(
      true,
    );
    expect(none.kept).toEqual([]);
  });

  it("stepCommitmentAt / proveStepAt reuse the checkpoints of the same job object", () => {
    const job: StepJob = { bytes: fixture("kernels.wasm"), opts: { invoke: "sieve", args: [i32(2000)] } };
    const total = totalSteps(job);
    for (const n of [total - 2, 17, Math.floor(total / 2), total - 1]) {
      const { pre, proof, post } = proveStepAt(job, n);
      expect(equal(verifyStep(pre, proof), post)).toBe(true);
      expect(equal(pre, new StepSession(job).advance(n).commitment())).toBe(true);
      expect(equal(stepCommitmentAt(job, n + 1), post)).toBe(true);
    }
  });
});
