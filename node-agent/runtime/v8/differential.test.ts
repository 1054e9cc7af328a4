/** @module Differential test: the V8 fast path and the interpreter give identical reports (results, trap, fuel, steps, output, state). */
import { describe, expect, it } from "vitest";
import { type RunOptions, type RunReport, runModule } from "../../../common/wasm/run.js";
import { I32 } from "../../../common/wasm/types.js";
import { fixture } from "../testing.js";
import { runModuleV8 } from "./runV8.js";

const enc = new TextEncoder();
const i32 = (n: number) => ({ type: I32, value: n | 0 });

/** The deterministic part of a report (what both engines must agree on). */
function facts(r: RunReport) {
  return {
    results: r.results,
    trap: r.trap,
    exitCode: r.exitCode,
    fuelUsed: r.fuelUsed,
    steps: r.steps,
    usage: r.usage,
    outputHash: r.outputHash,
    logs: r.logs,
    stateRootBefore: r.stateRootBefore,
    stateRootAfter: r.stateRootAfter,
  };
}

/** Runs on both engines; returns which engine the fast path really used. */
function both(bytes: Uint8Array, opts: RunOptions): { engine: string; fallback: string | null; report: RunReport } {
  const a = runModule(bytes, opts);
  const b = runModuleV8(bytes, opts);
  if (!a.ok || !b.ok) {
    expect(b.ok).toBe(a.ok);
    throw new Error("refused");
  }
  expect(facts(b.report)).toEqual(facts(a.report));
  return { engine: b.engine, fallback: b.fallback, report: b.report };
}

describe("V8 fast path = interpreter on the fixtures", () => {
  const kernels = fixture("kernels.wasm");
  const cases: [string, number][] = [
    ["mix", 1000],
    ["sieve", 5000],
    ["matmul", 12],
    ["fib", 15],
    ["grow", 1],
    ["grow", 0],
    ["grow", 5000],
  ];
  for (const [fn, n] of cases) {
    it(`kernels.${fn}(${n}) runs on V8 with the interpreter's results, fuel and steps`, () => {
      const r = both(kernels, { invoke: fn, args: [i32(n)] });
      expect(r.fallback).toBeNull();
      expect(r.fallback ?? r.engine).toBe("v8");
    });
  }
  it("kv.run (host ABI: input, state, output, logs) runs on V8 identically", () => {
    const r = both(fixture("kv.wasm"), {
      invoke: "run",
      input: enc.encode("key=value"),
      initialState: new Map([["a", enc.encode("1")]]),
    });
    expect(r.fallback ?? r.engine).toBe("v8");
  });
  it("wc._start (WASI fd_read/fd_write/proc_exit) runs on V8 identically", () => {
    const r = both(fixture("wc.wasm"), { invoke: "_start", input: enc.encode("one two\nthree four five\n") });
    expect(r.fallback ?? r.engine).toBe("v8");
  });
  it("NaN results: computed NaNs canonical on both; a payload NaN falls back and still matches", () => {
    both(kernels, { invoke: "nan_div" });
    both(kernels, { invoke: "nan_payload" });
  });
  it("traps and fuel exhaustion give the interpreter's trap and fuel (re-run there)", () => {
    const spin = both(kernels, { invoke: "spin", limits: { fuel: 10_000 } });
    expect(spin.report.trap).toBe("out of fuel");
    const deep = both(kernels, { invoke: "deep", args: [i32(5000)] });
    expect(deep.report.trap).toMatch(/call stack exhausted/);
    for (const fuel of [1, 50, 777, 3000]) both(kernels, { invoke: "sieve", args: [i32(2000)], limits: { fuel } });
  });
});
