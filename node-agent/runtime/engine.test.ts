/** @module The deterministic engine end to end: WASI and host-ABI fixtures, limits and metering, refusals, hostile input. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_HOST_LIMITS } from "../../common/wasm/hostState.js";
import { compileModule } from "../../common/wasm/instantiate.js";
import {
  MAX_MODULE_BYTES,
  parseTypedValue,
  type RunOptions,
  type RunReport,
  runModule,
} from "../../common/wasm/run.js";
import { F64, I32 } from "../../common/wasm/types.js";
import { FIXTURES, fixture, wat } from "./testing.js";

/** Node's WebAssembly (the TS lib config here has no DOM typings for it). */
const V8 = (
  globalThis as unknown as {
    WebAssembly: { instantiate(b: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }> };
  }
).WebAssembly;
const enc = new TextEncoder();
const dec = new TextDecoder();

function run(bytes: Uint8Array, opts: RunOptions): RunReport {
  const r = runModule(bytes, opts);
  if (!r.ok) throw new Error(`refused: ${r.refusal.kind} ${r.refusal.message}`);
  return r.report;
}
const i32 = (n: number) => ({ type: I32, value: n | 0 });

describe("fixtures", () => {
  it("the committed .wasm files are exactly what wat2wasm builds from the .wat sources", () => {
    for (const f of readdirSync(FIXTURES).filter((f) => f.endsWith(".wat"))) {
      const built = wat(readFileSync(join(FIXTURES, f), "utf8"));
      expect(Buffer.from(built).equals(Buffer.from(fixture(f.replace(/\.wat$/, ".wasm")))), f).toBe(true);
    }
  });
});

describe("WASI command (wc over stdin)", () => {
  const input = enc.encode("hello world\nfoo bar  baz\n\tlast");
  it("reads stdin, writes stdout, logs stderr, exits 0", () => {
    const r = run(fixture("wc.wasm"), { invoke: "_start", input });
    expect(dec.decode(r.output)).toBe("2 6 30\n");
    expect(r.logs).toEqual(["wc done"]);
    expect(r.exitCode).toBe(0);
    expect(r.trap).toBeNull();
    expect(Number(r.usage.fs_ops)).toBeGreaterThan(0);
    expect(r.usage.mem_usage).toBe("65536");
    expect(r.usage.network_out).toBe("0");
    expect(r.usage.gpu_cycles).toBe("0");
  });
  it("is deterministic: same input, same fuel, steps and output hash", () => {
    const a = run(fixture("wc.wasm"), { invoke: "_start", input });
    const b = run(fixture("wc.wasm"), { invoke: "_start", input });
    expect([a.fuelUsed, a.steps, a.outputHash]).toEqual([b.fuelUsed, b.steps, b.outputHash]);
    const c = run(fixture("wc.wasm"), { invoke: "_start", input: enc.encode("x") });
    expect(c.outputHash).not.toBe(a.outputHash);
  });
  it("reads input larger than its buffer (many fd_read calls)", () => {
    const big = enc.encode("ab cd\n".repeat(5000));
    const r = run(fixture("wc.wasm"), { invoke: "_start", input: big });
    expect(dec.decode(r.output)).toBe(`5000 10000 ${big.length}\n`);
  });
});

describe("host ABI v1 (dsdn_v1)", () => {
  it("reads and writes the key-value state; roots before/after differ; output and log", () => {
    const before = new Map([[Buffer.from("count").toString("hex"), new Uint8Array([41, 0, 0, 0])]]);
    const r = run(fixture("kv.wasm"), { invoke: "run", input: enc.encode("ab"), initialState: before });
    expect(r.results).toEqual([{ type: "i32", value: "44" }]);
    expect([...r.output]).toEqual([44, 0, 0, 0]);
    expect(r.logs).toEqual(["incremented"]);
    expect(r.stateRootAfter).not.toBe(r.stateRootBefore);
    // The root depends only on the contents: replaying from the after-state is consistent.
    const again = run(fixture("kv.wasm"), { invoke: "run", input: enc.encode("ab"), initialState: r.state });
    expect(again.stateRootBefore).toBe(r.stateRootAfter);
    expect(again.results).toEqual([{ type: "i32", value: "47" }]);
  });
  it("starts from an empty state when none is given", () => {
    const r = run(fixture("kv.wasm"), { invoke: "run" });
    expect(r.results).toEqual([{ type: "i32", value: "1" }]);
  });
});

describe("limits and metering", () => {
  const k = fixture("kernels.wasm");
  it("fuel exhaustion is a deterministic trap with the fuel used", () => {
    const a = run(k, { invoke: "spin", limits: { fuel: 12_345 } });
    const b = run(k, { invoke: "spin", limits: { fuel: 12_345 } });
    expect(a.trap).toBe("out of fuel");
    expect(a.fuelUsed).toBe("12345");
    expect([a.steps, a.fuelUsed]).toEqual([b.steps, b.fuelUsed]);
  });
  it("fuel grows with the work and is identical across runs", () => {
    const f = (n: number) => Number(run(k, { invoke: "mix", args: [i32(n)] }).fuelUsed);
    const [a, b, c] = [f(10), f(20), f(20)];
    expect(b).toBeGreaterThan(a);
    expect(b).toBe(c);
    expect(b - a).toBe(f(30) - b); // linear in n: a constant cost per round
  });
  it("a fuel limit just below the need traps; at the need it completes", () => {
    const need = Number(run(k, { invoke: "mix", args: [i32(50)] }).fuelUsed);
    expect(run(k, { invoke: "mix", args: [i32(50)], limits: { fuel: need } }).trap).toBeNull();
    expect(run(k, { invoke: "mix", args: [i32(50)], limits: { fuel: need - 1 } }).trap).toBe("out of fuel");
  });
  it("memory.grow beyond the page limit fails with -1; within it succeeds", () => {
    expect(run(k, { invoke: "grow", args: [i32(10)], limits: { memoryPages: 20 } }).results).toEqual([
      { type: "i32", value: "-1" },
    ]);
    const ok = run(k, { invoke: "grow", args: [i32(3)], limits: { memoryPages: 20 } });
    expect(ok.results).toEqual([{ type: "i32", value: "17" }]);
    expect(ok.usage.mem_usage).toBe(String(20 * 65536));
  });
  it("a module whose initial memory exceeds the limit traps at instantiation", () => {
    const r = run(k, { invoke: "mix", args: [i32(1)], limits: { memoryPages: 16 } });
    expect(r.trap).toMatch(/exceeds the limit of 16 pages/);
  });
  it("call depth and value stack limits trap deterministically", () => {
    const a = run(k, { invoke: "deep", args: [i32(0)], limits: { callDepth: 100 } });
    expect(a.trap).toBe("call stack exhausted");
    const b = run(k, { invoke: "deep", args: [i32(0)], limits: { callDepth: 100_000, valueStack: 500 } });
    expect(b.trap).toMatch(/call stack exhausted \(value stack\)/);
    expect(run(k, { invoke: "deep", args: [i32(0)], limits: { callDepth: 100 } }).fuelUsed).toBe(a.fuelUsed);
  });
});

describe("floats are bit-identical", () => {
  const k = fixture("kernels.wasm");
  it("arithmetic NaN is canonical; sign operations keep the payload", () => {
    expect(run(k, { invoke: "nan_div" }).results).toEqual([{ type: "f32", value: "0x7fc00000" }]);
    expect(run(k, { invoke: "nan_payload" }).results).toEqual([{ type: "f64", value: "0xfff4000000000001" }]);
  });
  it("the interpreter agrees with V8's WebAssembly on the kernels", async () => {
    const { instance } = await V8.instantiate(k);
    const ex = instance.exports as Record<string, (n: number) => number | bigint>;
    for (const [name, n] of [
      ["mix", 1000],
      ["sieve", 10_000],
      ["matmul", 12],
      ["fib", 15],
    ] as const) {
      const want = ex[name]!(n);
      const got = run(k, { invoke: name, args: [i32(n)] }).results[0]!.value;
      expect(got, name).toBe(String(want));
    }
  });
});

describe("refusals and hostile modules", () => {
  it("refuses SIMD and threads at validation with a clear message", () => {
    const simd = compileModule(wat("(module (func (result v128) (v128.const i32x4 0 0 0 0)))"));
    expect(simd.ok).toBe(false);
    expect(!simd.ok && simd.message).toMatch(/SIMD/);
    const threads = compileModule(wat("(module (memory 1 1 shared))", ["--enable-threads"]));
    expect(!threads.ok && threads.message).toMatch(/threads/);
    const atomics = compileModule(
      wat("(module (memory 1) (func (result i32) (i32.atomic.load (i32.const 0))))", ["--enable-threads"]),
    );
    expect(!atomics.ok && atomics.message).toMatch(/threads/);
  });
  it("many tables cannot add up past the element limit (instantiation or table.grow)", () => {
    const tables = Array.from({ length: 8 }, () => "(table 1000 funcref)").join(" ");
    const r = run(wat(`(module ${tables} (func (export "f")))`), { invoke: "f", limits: { tableElements: 5000 } });
    expect(r.trap).toBe("tables exceed the limit of 5000 elements");
    const g = wat(`(module (table $a 10 funcref) (table $b 10 funcref)
      (func (export "f") (result i32 i32)
        (table.grow $a (ref.null func) (i32.const 60)) (table.grow $b (ref.null func) (i32.const 60))))`);
    expect(run(g, { invoke: "f", limits: { tableElements: 100 } }).results).toEqual([
      { type: "i32", value: "10" },
      { type: "i32", value: "-1" },
    ]);
  });
  it("an oversized module is refused before decoding", () => {
    const r = runModule(new Uint8Array(MAX_MODULE_BYTES + 1), { invoke: "f" });
    expect(!r.ok && r.refusal.message).toMatch(/exceeds the .*-byte limit/);
  });
  it("huge declared counts are refused without allocating", () => {
    // type section claiming 2^32-1 entries in a 6-byte section
    const bytes = new Uint8Array([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 5, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    const r = compileModule(bytes);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.kind).toBe("malformed");
  });
  it("a br_table with a huge label list over a deep stack validates in time linear in its size", () => {
    // Re-checking the whole operand stack per label would be 600k x 10k copies; distinct depths are checked once.
    const pushes = "(i32.const 1)".repeat(10_000);
    const labels = " 0".repeat(600_000);
    const m = wat(
      `(module (func (export "f") (result i32) ${pushes} (block (br_table${labels} (i32.const 0))) (i32.const 7) (return)))`,
    );
    const r = compileModule(m);
    expect(r.ok).toBe(true);
  });
  it("truncated and garbage binaries are malformed, never a crash", () => {
    const good = fixture("kernels.wasm");
    for (let cut = 0; cut < good.length; cut += 7) {
      const r = compileModule(good.subarray(0, cut));
      if (cut < good.length) expect(r.ok, `cut at ${cut}`).toBe(false);
    }
    let seed = 1;
    for (let i = 0; i < 300; i++) {
      const b = good.slice();
      for (let j = 0; j < 4; j++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        b[8 + (seed % (b.length - 8))] = seed >>> 24;
      }
      expect(() => compileModule(b)).not.toThrow();
    }
  });
  it("a WASI call with an iovec outside memory traps; it does not throw or read host memory", () => {
    const m = wat(`(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 65530))
        (i32.store (i32.const 4) (i32.const 100))
        (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`);
    const r = run(m, { invoke: "_start" });
    expect(r.trap).toMatch(/out of bounds memory access/);
    expect(r.output.length).toBe(0);
  });
  it("output beyond the limit traps", () => {
    const m = wat(`(module
      (import "dsdn_v1" "output_write" (func $o (param i32 i32)))
      (memory (export "memory") 1)
      (func (export "run") (loop $l (call $o (i32.const 0) (i32.const 1000)) (br $l))))`);
    const r = run(m, {
      invoke: "run",
      hostLimits: { ...DEFAULT_HOST_LIMITS, maxOutput: 10_000 },
    });
    expect(r.trap).toBe("output limit exceeded");
    expect(r.output.length).toBe(10_000);
  });
  it("the key-value state is bounded in total bytes, not only per entry", () => {
    // Writes 60-byte values under ever new 4-byte keys until a limit stops it.
    const m = wat(`(module
      (import "dsdn_v1" "state_set" (func $set (param i32 i32 i32 i32)))
      (memory (export "memory") 1)
      (func (export "run") (local $i i32)
        (loop $l
          (i32.store (i32.const 0) (local.get $i))
          (call $set (i32.const 0) (i32.const 4) (i32.const 64) (i32.const 60))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $l))))`);
    const r = run(m, { invoke: "run", hostLimits: { ...DEFAULT_HOST_LIMITS, maxStateBytes: 6400 } });
    expect(r.trap).toBe("state size limit exceeded");
    expect(r.state.size).toBe(100);
  });
  it("imports outside the host ABI and WASI are unlinkable with the name in the message", () => {
    const m = wat(`(module (import "env" "now" (func (result i64))) (func (export "f")))`);
    const r = runModule(m, { invoke: "f" });
    expect(!r.ok && r.refusal).toEqual({ kind: "unlinkable", message: "unknown import env.now" });
  });
  it("an unknown WASI function links and answers ENOSYS", () => {
    const m = wat(`(module
      (import "wasi_snapshot_preview1" "path_open" (func $p (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (func (export "f") (result i32) (call $p (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))))`);
    expect(run(m, { invoke: "f" }).results).toEqual([{ type: "i32", value: "52" }]);
  });
  it("clock and random answer deterministic values", () => {
    const m = wat(`(module
      (import "wasi_snapshot_preview1" "clock_time_get" (func $c (param i32 i64 i32) (result i32)))
      (import "wasi_snapshot_preview1" "random_get" (func $r (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "f") (result i64 i64)
        (drop (call $c (i32.const 0) (i64.const 1) (i32.const 0)))
        (drop (call $r (i32.const 8) (i32.const 8)))
        (i64.load (i32.const 0)) (i64.load (i32.const 8))))`);
    const a = run(m, { invoke: "f", clockNs: 1_700_000_000_000_000_000n, input: enc.encode("in") });
    const b = run(m, { invoke: "f", clockNs: 1_700_000_000_000_000_000n, input: enc.encode("in") });
    expect(a.results[0]).toEqual({ type: "i64", value: "1700000000000000000" });
    expect(a.results).toEqual(b.results);
  });
});

describe("typed arguments", () => {
  it("parses the CLI forms and refuses bad ones", () => {
    expect(parseTypedValue("i32:5")).toEqual({ type: I32, value: 5 });
    expect(parseTypedValue("i32:4294967295")).toEqual({ type: I32, value: -1 });
    expect(parseTypedValue("f64:1.5")).toEqual({ type: F64, value: 0x3ff8000000000000n });
    expect(parseTypedValue("f64:0x7ff8000000000001")).toEqual({ type: F64, value: 0x7ff8000000000001n });
    expect(typeof parseTypedValue("i32:4294967296")).toBe("string");
    expect(typeof parseTypedValue("i8:1")).toBe("string");
    expect(typeof parseTypedValue("f32:abc")).toBe("string");
  });
});

it("wat2wasm is installed (fixtures and inline modules need it)", () => {
  expect(() => execFileSync("wat2wasm", ["--version"], { stdio: "pipe" })).not.toThrow();
});
