/** @module Execution-trace commitments: incremental memory Merkle root vs full recomputation, checkpoint roots and proofs. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModule, instantiate } from "../../common/wasm/instantiate.js";
import { Machine } from "../../common/wasm/machine.js";
import { type RunOptions, type RunReport, runModule } from "../../common/wasm/run.js";
import { type FuncInst, Memory } from "../../common/wasm/runtime.js";
import { useSha256 } from "../../common/wasm/trace/hashing.js";
import { MemoryMerkle, memoryRootFull } from "../../common/wasm/trace/memoryMerkle.js";
import { getCheckpoint, verifyCheckpoint } from "../../common/wasm/trace/trace.js";
import { I32 } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { fixture } from "./testing.js";
import { bytesToHexForTest, equal } from "./traceTestUtil.js";

function run(bytes: Uint8Array, opts: RunOptions): RunReport {
  const r = runModule(bytes, opts);
  if (!r.ok) throw new Error(`refused: ${r.refusal.message}`);
  return r.report;
}
const i32 = (n: number) => ({ type: I32, value: n });

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

describe("memory Merkle tree", () => {
  it("incremental updates of dirty pages equal a full recomputation", () => {
    const mem = new Memory(3, 10, 10);
    const mm = new MemoryMerkle();
    expect(equal(mm.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
    let seed = 7;
    for (let round = 0; round < 6; round++) {
      for (let k = 0; k < 5; k++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const addr = seed % (mem.bytes.length - 8);
        mem.setU64(addr, BigInt(seed) * 0x9e3779b97f4a7c15n, true);
      }
      if (round === 3) mem.grow(2);
      const inc = mm.update(mem);
      expect(equal(inc, memoryRootFull(mem.bytes, mem.pages)), `round ${round}`).toBe(true);
      expect([...mem.dirty].every((d) => d === 0)).toBe(true);
    }
  });
  it("chunks written back to zero, neighbours and far-apart chunks in one update equal a full recomputation", () => {
    const mem = new Memory(4, 4, 4);
    const mm = new MemoryMerkle();
    mm.update(mem);
    // Sibling chunks (shared parent), a chunk far away (paths join near the root), a page's last chunk.
    for (const a of [0, 1024, 5 * 1024 + 3, 3 * 65536 + 1023, 4 * 65536 - 8]) mem.setU64(a, 0x0102030405060708n, true);
    expect(equal(mm.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
    // Back to zero: the tracker must not keep the old leaf.
    mem.setU64(1024, 0n, true);
    mem.write(new Uint8Array(8), 4 * 65536 - 8);
    expect(equal(mm.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
    mem.write(new Uint8Array(65536), 0);
    expect(equal(mm.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
  });
  it("a write the tracker was not told about is caught by the comparison (the test can fail)", () => {
    const mem = new Memory(2, 2, 2);
    const mm = new MemoryMerkle();
    mm.update(mem);
    mem.bytes[70_000] = 1; // bypasses dirty tracking on purpose
    expect(equal(mm.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(false);
  });
  it("a fresh memory's first update takes its marks; a tracker joining later scans (marks consumed or never kept)", () => {
    const mem = new Memory(3, 3, 3);
    for (const a of [8, 2048, 65536 + 100, 3 * 65536 - 8]) mem.setU64(a, 0x1122334455667788n, true);
    expect(mem.marksSinceZero).toBe(true);
    const first = new MemoryMerkle();
    expect(equal(first.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
    expect(mem.marksSinceZero).toBe(false);
    // A second tracker finds no marks for the chunks written above: only a scan sees them.
    const second = new MemoryMerkle();
    expect(equal(second.update(mem), memoryRootFull(mem.bytes, mem.pages))).toBe(true);
    // Bytes replaced without marks (as the V8 path's shim does): the owner clears the flag, a tracker scans.
    const shim = new Memory(2, 2, 2);
    shim.bytes.set(new Uint8Array(3000).fill(9), 60_000);
    shim.marksSinceZero = false;
    expect(equal(new MemoryMerkle().update(shim), memoryRootFull(shim.bytes, shim.pages))).toBe(true);
  });
  it.each([
    ["kernels.wasm", "sieve", [i32(100_000)]],
    ["kernels.wasm", "matmul", [i32(20)]],
    ["wc.wasm", "_start", []],
  ] as const)("stays exact while %s %s runs (stores, bulk ops, host writes)", (file, fn, args) => {
    const cm = compileModule(fixture(file));
    if (!cm.ok) throw new Error(cm.message);
    const machine = new Machine();
    const noop = machine.store.addHost(
      { params: [I32, I32, I32, I32], results: [I32] },
      (_m, caller, a) => {
        // fd_read-like: writes 100 bytes at the iovec's buffer, then the count
        const m = caller?.memories[0] as Memory;
        const buf = m.view.getUint32(a[1] as number, true);
        m.write(new Uint8Array(100).fill(0x61), buf);
        m.setU32(a[3] as number, (a[0] as number) === 0 && m.view.getUint32(200, true) === 0 ? 100 : 0, true);
        m.setU32(200, 1, true);
        return [0];
      },
      "io",
    );
    const exit = machine.store.addHost({ params: [I32], results: [] }, () => ({ exit: 0 }), "exit");
    const inst = instantiate(machine, cm.module, (_m, name) =>
      name === "proc_exit" ? { kind: "func", value: exit } : { kind: "func", value: noop },
    );
    if (!inst.ok) throw new Error(inst.message);
    const exp = inst.instance.exports.get(fn);
    const mm = new MemoryMerkle();
    const mem = inst.instance.memories[0] as Memory;
    let s = machine.start(
      exp?.value as FuncInst,
      args.map((a) => a.value),
    );
    let checks = 0;
    while (s === undefined || s.status === "paused") {
      s = machine.run(machine.steps + 50_000);
      expect(bytesToHexForTest(mm.update(mem))).toBe(bytesToHexForTest(memoryRootFull(mem.bytes, mem.pages)));
      checks++;
    }
    expect(checks).toBeGreaterThan(0);
  });
});

describe("execution trace", () => {
  const k = fixture("kernels.wasm");
  it("does not change results, fuel or steps; the root is deterministic", () => {
    const plain = run(k, { invoke: "sieve", args: [i32(50_000)] });
    const a = run(k, { invoke: "sieve", args: [i32(50_000)], traceEvery: 10_000 });
    const b = run(k, { invoke: "sieve", args: [i32(50_000)], traceEvery: 10_000 });
    expect([a.results, a.fuelUsed, a.steps]).toEqual([plain.results, plain.fuelUsed, plain.steps]);
    expect(plain.traceRoot).toBeNull();
    expect(a.traceRoot).toMatch(/^[0-9a-f]{64}$/);
    expect(a.traceRoot).toBe(b.traceRoot);
    expect(a.trace?.checkpoints.length).toBe(Math.ceil(a.steps / 10_000) + 1);
  });
  it("the root changes with the interval, the input and the arguments", () => {
    const base = run(k, { invoke: "sieve", args: [i32(20_000)], traceEvery: 5000 }).traceRoot;
    expect(run(k, { invoke: "sieve", args: [i32(20_000)], traceEvery: 4000 }).traceRoot).not.toBe(base);
    expect(run(k, { invoke: "sieve", args: [i32(20_001)], traceEvery: 5000 }).traceRoot).not.toBe(base);
    const wc = fixture("wc.wasm");
    const x = run(wc, { invoke: "_start", input: new TextEncoder().encode("a b"), traceEvery: 50 }).traceRoot;
    const y = run(wc, { invoke: "_start", input: new TextEncoder().encode("a c"), traceEvery: 50 }).traceRoot;
    expect(x).not.toBe(y);
  });
  it("a trap ends the trace with a final checkpoint", () => {
    const r = run(k, { invoke: "spin", limits: { fuel: 25_000 }, traceEvery: 10_000 });
    expect(r.trap).toBe("out of fuel");
    const cps = r.trace?.checkpoints ?? [];
    expect(cps.at(-1)?.steps).toBe(r.steps);
  });
  it("the pure (noble) and native SHA-256 backends give the same trace root", () => {
    const native = run(k, { invoke: "mix", args: [i32(3000)], traceEvery: 7000 }).traceRoot;
    useSha256(undefined);
    try {
      expect(run(k, { invoke: "mix", args: [i32(3000)], traceEvery: 7000 }).traceRoot).toBe(native);
    } finally {
      useNativeTraceHash();
    }
  });
  it("every checkpoint proves against the root; tampering fails", () => {
    const r = run(k, { invoke: "matmul", args: [i32(10)], traceEvery: 1000 });
    const trace = r.trace;
    if (!trace) throw new Error("no trace");
    for (let i = 0; i < trace.checkpoints.length; i++) {
      const p = getCheckpoint(trace, i);
      expect(verifyCheckpoint(trace.root, p), `checkpoint ${i}`).toBe(true);
    }
    const p = getCheckpoint(trace, 3);
    const forged = { ...p, checkpoint: { ...p.checkpoint, hash: new Uint8Array(32).fill(7) } };
    expect(verifyCheckpoint(trace.root, forged)).toBe(false);
    expect(verifyCheckpoint(trace.root, { ...p, checkpoint: { ...p.checkpoint, index: 4 } })).toBe(false);
    expect(verifyCheckpoint(trace.root, { ...p, count: p.count + 1 })).toBe(false);
    expect(() => getCheckpoint(trace, trace.checkpoints.length)).toThrow(/no checkpoint/);
  });
});
