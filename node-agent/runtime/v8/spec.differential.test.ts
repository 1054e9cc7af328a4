/**
 * @module Differential test on the official spec-test modules: every exported function the scripts invoke
 * (with the scripts' own arguments, each on a fresh instance) gives the same report on the V8 fast path
 * as on the interpreter — results, traps (by re-run), fuel and steps.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { type RunReport, runModule, type TypedValue } from "../../../common/wasm/run.js";
import { F32, F64, I32, I64 } from "../../../common/wasm/types.js";
import { convertWast } from "../conformance/wastRunner.js";
import { runModuleV8 } from "./runV8.js";

const SPEC_DIR = resolve(import.meta.dirname, "../../../../shared/reference/wasm-spec");
const FILES = [
  "i32",
  "i64",
  "f32",
  "f64",
  "conversions",
  "int_exprs",
  "float_exprs",
  "float_misc",
  "block",
  "br",
  "br_if",
  "br_table",
  "loop",
  "if",
  "call",
  "call_indirect",
  "return",
  "select",
  "local_tee",
  "labels",
  "left-to-right",
  "fac",
  "memory_grow",
  "memory_fill",
  "memory_copy",
  "address",
  "stack",
  "switch",
  "unwind",
  "traps",
];
/** Per file, at most this many invocations (spread over the script). */
const PER_FILE = 120;

interface Cmd {
  type: string;
  filename?: string;
  action?: { type: string; module?: string; field: string; args?: { type: string; value?: string }[] };
}

const TYPES: Record<string, number> = { i32: I32, i64: I64, f32: F32, f64: F64 };
function arg(v: { type: string; value?: string }): TypedValue | undefined {
  const t = TYPES[v.type];
  if (t === undefined || v.value === undefined || v.value.startsWith("nan")) return undefined;
  const n = BigInt(v.value);
  return t === I32 || t === F32
    ? { type: t, value: Number(BigInt.asIntN(32, n)) }
    : { type: t, value: BigInt.asIntN(64, n) };
}
const facts = (r: RunReport) => ({
  results: r.results,
  trap: r.trap,
  fuelUsed: r.fuelUsed,
  steps: r.steps,
  usage: r.usage,
});

describe("V8 fast path = interpreter on the spec-test modules", () => {
  const tally = { v8: 0, interp: 0 };
  for (const f of FILES) {
    it(`${f}.wast: every invoked export, same report on both engines`, () => {
      const { dir, json } = convertWast(join(SPEC_DIR, `${f}.wast`));
      const cmds = (JSON.parse(readFileSync(json, "utf8")) as { commands: Cmd[] }).commands;
      const calls: { file: string; invoke: string; args: TypedValue[] }[] = [];
      let current: string | undefined;
      for (const c of cmds) {
        if (c.type === "module") current = c.filename;
        const a = c.action;
        if (
          !current ||
          a?.type !== "invoke" ||
          a.module ||
          !["assert_return", "assert_trap", "action", "assert_exhaustion"].includes(c.type)
        )
          continue;
        const args = (a.args ?? []).map(arg);
        if (args.some((x) => x === undefined)) continue;
        calls.push({ file: current, invoke: a.field, args: args as TypedValue[] });
      }
      const step = Math.max(1, Math.ceil(calls.length / PER_FILE));
      let compared = 0;
      for (let i = 0; i < calls.length; i += step) {
        const c = calls[i] as (typeof calls)[number];
        const bytes = new Uint8Array(readFileSync(join(dir, c.file)));
        const opts = { invoke: c.invoke, args: c.args, limits: { fuel: 5_000_000 } };
        const a = runModule(bytes, opts);
        const b = runModuleV8(bytes, opts);
        expect(b.ok, `${c.file} ${c.invoke}`).toBe(a.ok);
        if (!a.ok || !b.ok) continue;
        expect(facts(b.report), `${c.file} ${c.invoke}(${c.args.map((x) => String(x.value)).join(", ")})`).toEqual(
          facts(a.report),
        );
        tally[b.engine]++;
        compared++;
      }
      expect(compared).toBeGreaterThan(0);
    });
  }
  it("a large share of the spec invocations really ran on V8", () => {
    console.log("spec invocations by engine:", tally);
    expect(tally.v8).toBeGreaterThan(500);
  });
});
