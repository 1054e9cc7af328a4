/**
 * @module The ends of a fraud game: initialStepCommitment is the commitment a step-0 proof verifies
 * from (and binds every part of the job), and the opening of an honest final commitment states the
 * run report's output hash, state root and exit code; forged openings are refused.
 */
import { describe, expect, it } from "vitest";
import type { RunStatus } from "../../common/wasm/machine.js";
import { type FinalOpening, initialStepCommitment, openFinalCommitment } from "../../common/wasm/proof/ends.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { StepProofError } from "../../common/wasm/proof/sparseTree.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { prepareJob, type RunOptions, runModule } from "../../common/wasm/run.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import { I32 } from "../../common/wasm/types.js";
import { fixture } from "./testing.js";
import { equal } from "./traceTestUtil.js";

const enc = new TextEncoder();
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function statusCode(s: RunStatus | undefined): number {
  if (!s || s.status === "paused") return STATUS.running;
  return STATUS[s.status];
}

/** Runs the job to its end on a prepared machine and opens its final state. */
function finalOpening(file: string, opts: RunOptions): { final: Uint8Array; opening: FinalOpening } {
  const p = prepareJob(fixture(file), opts);
  if (!p.ok) throw new Error(p.refusal.message);
  const { machine, host, instance, started } = p.job;
  if (!instance) throw new Error("instantiation trapped");
  const status = started ?? machine.run();
  const opening = new StepProver(machine, instance, host).opening(statusCode(status));
  return { final: hashStepState(opening.state), opening };
}

const jobs: [string, RunOptions][] = [
  ["wc.wasm", { invoke: "_start", input: enc.encode("one two\nthree\n") }],
  ["hostcalls.wasm", { invoke: "_start", input: enc.encode("x".repeat(3000)), clockNs: 5n }],
  [
    "kv.wasm",
    {
      invoke: "run",
      input: enc.encode("ab"),
      initialState: new Map([[Buffer.from("count").toString("hex"), new Uint8Array([41, 0, 0, 0])]]),
    },
  ],
  ["hostcalls.wasm", { invoke: "oob" }],
  ["kernels.wasm", { invoke: "sieve", args: [{ type: I32, value: 500 }] }],
];

describe("opening a final commitment", () => {
  for (const [file, opts] of jobs) {
    it(`${file} ${opts.invoke}: the opening states the run report's output hash, state root and exit code`, () => {
      const r = runModule(fixture(file), opts);
      if (!r.ok) throw new Error(r.refusal.message);
      const { final, opening } = finalOpening(file, opts);
      const c = openFinalCommitment(final, opening);
      expect(c.outputHash).toBe(r.report.outputHash);
      expect(c.outputLength).toBe(r.report.output.length);
      expect(c.kvRoot).toBe(r.report.stateRootAfter);
      expect(c.exitCode).toBe(r.report.exitCode);
      expect(c.status).toBe(r.report.exitCode !== null ? "exit" : r.report.trap !== null ? "trap" : "done");
      expect(c.steps).toBe(r.report.steps);
    });
  }
  it("forged openings are refused", () => {
    const { final, opening } = finalOpening("kv.wasm", { invoke: "run", input: enc.encode("ab") });
    const h = opening.host;
    const forged: FinalOpening[] = [
      { ...opening, host: { ...h, output: { ...h.output, h: h.output.h.map((x, i) => (i === 0 ? x ^ 1 : x)) } } },
      { ...opening, host: { ...h, kvRoot: new Uint8Array(32).fill(7) } },
      { ...opening, host: { ...h, exitCode: 0 } },
      { ...opening, segments: new Uint8Array(32) },
      { ...opening, state: { ...opening.state, status: STATUS.trap } },
    ];
    for (const f of forged) expect(() => openFinalCommitment(final, f)).toThrow(StepProofError);
    expect(openFinalCommitment(final, opening).status).toBe("done");
  });
  it("a state that has not finished cannot be opened as final", () => {
    const p = prepareJob(fixture("wc.wasm"), { invoke: "_start", input: enc.encode("a b") });
    if (!p.ok || !p.job.instance) throw new Error("setup");
    p.job.machine.run(10);
    const opening = new StepProver(p.job.machine, p.job.instance, p.job.host).opening(STATUS.running);
    expect(() => openFinalCommitment(hashStepState(opening.state), opening)).toThrow(/not finished/);
  });
});

describe("the commitment of checkpoint 0", () => {
  const job = (input: string, clockNs = 0n) => ({
    bytes: fixture("hostcalls.wasm"),
    input: enc.encode(input),
    opts: { invoke: "_start", clockNs },
  });
  it("is the pre-state a proof of step 0 verifies from, and step 0's post-state follows", () => {
    for (const [file, opts] of jobs) {
      const p = prepareJob(fixture(file), opts);
      if (!p.ok || !p.job.instance) throw new Error("setup");
      const prover = new StepProver(p.job.machine, p.job.instance, p.job.host);
      const proof = prover.prove();
      const status = p.job.machine.run(1);
      const post = hashStepState(prover.commitment(statusCode(status)));
      const { input, ...rest } = opts;
      const c0 = initialStepCommitment(fixture(file), input ?? new Uint8Array(0), rest);
      expect(equal(verifyStep(c0, proof), post), `${file} ${opts.invoke}`).toBe(true);
    }
  });
  it("binds the input, the clock, the initial state and the invocation", () => {
    const a = job("in");
    const base = hex(initialStepCommitment(a.bytes, a.input, a.opts));
    expect(hex(initialStepCommitment(a.bytes, enc.encode("in!"), a.opts))).not.toBe(base);
    expect(hex(initialStepCommitment(a.bytes, a.input, { ...a.opts, clockNs: 1n }))).not.toBe(base);
    expect(
      hex(initialStepCommitment(a.bytes, a.input, { ...a.opts, initialState: new Map([["00", new Uint8Array(1)]]) })),
    ).not.toBe(base);
    expect(hex(initialStepCommitment(a.bytes, a.input, { ...a.opts, invoke: "oob" }))).not.toBe(base);
    expect(hex(initialStepCommitment(a.bytes, a.input, a.opts))).toBe(base);
  });
  it("refuses jobs over the size caps and refused jobs", () => {
    const a = job("x".repeat(100));
    expect(() =>
      initialStepCommitment(a.bytes, a.input, a.opts, { maxModuleBytes: 1 << 20, maxInputBytes: 99 }),
    ).toThrow(/over the 99-byte cap/);
    expect(() => initialStepCommitment(a.bytes, a.input, a.opts, { maxModuleBytes: 100, maxInputBytes: 1000 })).toThrow(
      /cap/,
    );
    expect(() => initialStepCommitment(a.bytes, a.input, { invoke: "nope" })).toThrow(/usage/);
  });
});
