/**
 * @module `dsdn-node wasm run` contract: one JSON object, exit 0 also on a trap, non-zero with a
 * message naming the problem for bad usage or an invalid module. Needs `npm run build` (bin/ runs dist/).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");
const fixtures = join(repo, "node-agent/runtime/fixtures");
const tmp = mkdtempSync(join(tmpdir(), "dsdn-wasm-cli-"));

function cli(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [join(repo, "bin/dsdn-node.js"), "wasm", "run", ...args], {
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe("dsdn-node wasm run", () => {
  it("prints exactly one JSON object with the contract's fields", () => {
    const r = cli(join(fixtures, "kernels.wasm"), "--invoke", "fib", "--arg", "i32:10", "--json");
    expect(r.code).toBe(0);
    const lines = r.out.trim().split("\n");
    expect(lines).toHaveLength(1);
    const j = JSON.parse(lines[0] as string);
    expect(j.results).toEqual([{ type: "i64", value: "55" }]);
    expect(j.trap).toBeNull();
    expect(j.fuelUsed).toMatch(/^\d+$/);
    expect(j.usage.compute_cycles).toBe(j.fuelUsed);
    expect(Object.keys(j.usage).sort()).toEqual(["compute_cycles", "fs_ops", "gpu_cycles", "mem_usage", "network_out"]);
    expect(j.traceRoot).toBeNull();
    expect(j.outputHash).toMatch(/^[0-9a-f]{64}$/);
  });
  it("runs a WASI command with --input and reports its output hash", () => {
    const input = join(tmp, "in.txt");
    writeFileSync(input, "one two\nthree\n");
    const r = cli(join(fixtures, "wc.wasm"), "--invoke", "_start", "--input", input, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.exitCode).toBe(0);
    expect(j.outputHash).toBe(createHash("sha256").update("2 3 14\n").digest("hex"));
    expect(r.err).toContain("[wasm] wc done");
  });
  it("--trace-every K reports the checkpoint Merkle root, identical across runs", () => {
    const args = [
      join(fixtures, "kernels.wasm"),
      "--invoke",
      "sieve",
      "--arg",
      "i32:5000",
      "--trace-every",
      "10000",
      "--json",
    ];
    const a = JSON.parse(cli(...args).out);
    const b = JSON.parse(cli(...args).out);
    expect(a.traceRoot).toMatch(/^[0-9a-f]{64}$/);
    expect(a.traceRoot).toBe(b.traceRoot);
    expect(a.results).toEqual([{ type: "i32", value: "669" }]);
  });
  it("a trap is a result: exit 0 with the reason and the fuel used", () => {
    const r = cli(join(fixtures, "kernels.wasm"), "--invoke", "spin", "--fuel", "5000", "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.trap).toBe("out of fuel");
    expect(j.fuelUsed).toBe("5000");
  });
  it("--memory-pages caps memory.grow", () => {
    const r = cli(
      join(fixtures, "kernels.wasm"),
      "--invoke",
      "grow",
      "--arg",
      "i32:100",
      "--memory-pages",
      "20",
      "--json",
    );
    expect(JSON.parse(r.out).results).toEqual([{ type: "i32", value: "-1" }]);
  });
  it("the wall-clock limit terminates the worker (exit 124, not a deterministic result)", () => {
    const r = cli(join(fixtures, "kernels.wasm"), "--invoke", "spin", "--timeout-ms", "300", "--json");
    expect(r.code).toBe(124);
    expect(JSON.parse(r.out).trap).toMatch(/wall-clock limit/);
  });
  it("an invalid module exits non-zero naming the problem", () => {
    const bad = join(tmp, "bad.wasm");
    writeFileSync(bad, Buffer.from("not wasm at all"));
    const r = cli(bad, "--invoke", "f", "--json");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/malformed module: magic header not detected/);
    expect(r.out).toBe("");
  });
  it.each([
    [["--invoke", "fib"], /missing <module.wasm>/],
    [["KERNELS", "--json"], /--invoke <export> is required/],
    [["KERNELS", "--invoke", "nope"], /exports no function named "nope"/],
    [["KERNELS", "--invoke", "fib", "--arg", "i64:1"], /takes \(i32\), got \(i64\)/],
    [["KERNELS", "--invoke", "fib", "--arg", "i32:x"], /not an integer/],
    [["KERNELS", "--invoke", "fib", "--fuel", "0"], /--fuel must be an integer/],
    [["KERNELS", "--invoke", "fib", "--engine", "v8"], /--engine v8 is not built yet/],
    [["KERNELS", "--invoke", "fib", "--engine", "jit"], /--engine must be interp or v8/],
  ])("bad usage %j exits 2 with a message", (args, msg) => {
    const r = cli(...args.map((a) => (a === "KERNELS" ? join(fixtures, "kernels.wasm") : a)));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(msg);
  });
});
