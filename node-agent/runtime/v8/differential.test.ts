/** @module Differential test: the V8 fast path and the interpreter give identical reports (results, trap, fuel, steps, output, state). */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type RunOptions, type RunReport, runModule } from "../../../common/wasm/run.js";
import { I32 } from "../../../common/wasm/types.js";
import { fixture, wat } from "../testing.js";
import { genProgram } from "./genProgram.js";
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
      initialState: new Map([["61", enc.encode("1")]]),
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

describe("V8 fast path = interpreter on generated programs", () => {
  it("random arithmetic/control-flow/memory/host-output programs give identical reports", () => {
    const engines = { v8: 0, interp: 0 };
    const reasons = new Map<string, number>();
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer(),
        fc.integer(),
        fc.constantFrom(undefined, 200, 5_000, 1_000_000),
        (seed, a, b, fuel) => {
          const bytes = wat(genProgram(seed));
          const r = both(bytes, {
            invoke: "main",
            args: [i32(a), i32(b)],
            ...(fuel === undefined ? {} : { limits: { fuel } }),
          });
          engines[r.engine as "v8" | "interp"]++;
          const why = r.fallback?.replace(/ \(.*$/, "");
          if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        },
      ),
      { numRuns: 200 },
    );
    console.log("generated programs by engine:", engines, "fallbacks:", Object.fromEntries(reasons));
    // not vacuous: most finished runs must really have run on V8
    expect(engines.v8).toBeGreaterThan(40);
  }, 120_000); // 200 programs, each compiled by wat2wasm and binaryen: ~20 s alone, more on a loaded machine
});

describe("hostile modules on the V8 path", () => {
  it("a module whose own names collide with the instrumentation's globals/exports is not confused", () => {
    const src = `(module
      (global $__dsdn_fuel (mut i64) (i64.const 5))
      (global $__dsdn_depth (mut i32) (i32.const 0))
      (memory (export "__dsdn_memory") 1)
      (global (export "__dsdn_steps") i64 (i64.const 0))
      (func (export "main") (result i64)
        (global.set $__dsdn_fuel (i64.const 1000000000))
        (global.get $__dsdn_fuel)))`;
    for (const flags of [[], ["--debug-names"]]) {
      const r = both(wat(src, flags), { invoke: "main", limits: { fuel: 1000 } });
      expect(r.report.results).toEqual([{ type: "i64", value: "1000000000" }]);
    }
  });
});
