/** @module Conformance: every official core spec-test script, run against the interpreter; skips are counted and printed by reason. */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runWast, type WastReport } from "./wastRunner.js";

const SPEC_DIR = resolve(import.meta.dirname, "../../../../shared/reference/wasm-spec");

/** Whole scripts out of scope, with the reason (each of their commands is counted as skipped). */
const OUT_OF_SCOPE: Record<string, string> = {};

const files = readdirSync(SPEC_DIR)
  .filter((f) => f.endsWith(".wast"))
  .filter((f) => !process.env.WAST_ONLY || f.startsWith(process.env.WAST_ONLY))
  .sort();
const reports: WastReport[] = [];

describe("WebAssembly core spec tests", () => {
  it("has wast2json (Debian wabt) available", () => {
    expect(() => execFileSync("wast2json", ["--version"], { stdio: "pipe" })).not.toThrow();
  });
  for (const f of files) {
    it.skipIf(f in OUT_OF_SCOPE)(f, () => {
      const r = runWast(join(SPEC_DIR, f));
      reports.push(r);
      if (r.failures.length > 0)
        console.log(`${f}: ${r.failures.length} failures\n  ${r.failures.slice(0, 40).join("\n  ")}`);
      expect(r.failures.slice(0, 20)).toEqual([]);
      // A script is either run or entirely counted as skipped.
      expect(r.passed > 0 || r.skipped.size > 0).toBe(true);
    });
  }
  afterAll(() => {
    const skipped = new Map<string, number>();
    let passed = 0;
    let failed = 0;
    for (const r of reports) {
      passed += r.passed;
      failed += r.failures.length;
      for (const [k, n] of r.skipped) skipped.set(k, (skipped.get(k) ?? 0) + n);
    }
    const lines = [`spec tests: ${reports.length} scripts, ${passed} commands passed, ${failed} failed`];
    for (const [k, n] of [...skipped].sort()) lines.push(`  skipped ${n}: ${k}`);
    console.log(lines.join("\n"));
  });
});
