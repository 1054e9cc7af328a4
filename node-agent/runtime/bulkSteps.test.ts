/**
 * @module Bulk instructions of any size run as several steps (one piece of at most ExecLimits.bulkBytes
 * bytes / bulkElems elements each): results equal WebAssembly's (memmove for overlapping copies), V8 and
 * the interpreter charge the same fuel and steps, and every piece step has a one-step proof.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModule, instantiate } from "../../common/wasm/instantiate.js";
import { Machine, type RunStatus } from "../../common/wasm/machine.js";
import { DEFAULT_LIMITS, type ExecLimits } from "../../common/wasm/params.js";
import { MAX_STEP_PROOF_BYTES } from "../../common/wasm/proof/codec.js";
import { proofSize } from "../../common/wasm/proof/proof.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { StepProofError } from "../../common/wasm/proof/sparseTree.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { type RunOptions, type RunReport, runModule } from "../../common/wasm/run.js";
import type { FuncInst, Instance } from "../../common/wasm/runtime.js";
import { useSha256 } from "../../common/wasm/trace/hashing.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import { type FuncRef, I32, type Value } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { wat } from "./testing.js";
import { equal } from "./traceTestUtil.js";
import { runModuleV8 } from "./v8/runV8.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const KiB = 1024;
const MiB = 1024 * KiB;
const PAGES = 24; // 1.5 MiB
const SEG_LEN = 150_000;
const TABLE = 6000;
/** A passive data segment larger than two pieces, of printable bytes (no quote or backslash). */
const SEG = Array.from({ length: SEG_LEN }, (_, i) => String.fromCharCode(0x61 + ((i * 7 + (i >> 9)) % 26))).join("");

const BIG = PAGES * 64 * KiB;
/** Deterministic non-uniform bytes (what copies move around). */
function patternBytes(len: number): Uint8Array {
  const b = new Uint8Array(len);
  let x = 0x12345;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    b[i] = x >>> 23;
  }
  return b;
}

/** Memory functions (the V8 fast path instruments them) and, with `tables`, table functions (it does not). */
function moduleText(tables: boolean): string {
  return `(module
  (memory (export "memory") ${PAGES})
  (data $seg "${SEG}")
  ;; deterministic non-uniform bytes over [0, n) (n a multiple of 8)
  (func $pattern (param $n i32) (local $i i32)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (local.get $n)))
      (i64.store (local.get $i)
        (i64.mul (i64.extend_i32_u (i32.add (local.get $i) (i32.const 12345))) (i64.const 0x9e3779b97f4a7c15)))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $l))))
  ;; order-sensitive checksum of words sampled every 1000 bytes over the whole memory
  (func $sum (result i64) (local $i i32) (local $s i64)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (i32.const ${BIG - 8})))
      (local.set $s (i64.add (i64.mul (local.get $s) (i64.const 1000003)) (i64.load (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1000)))
      (br $l)))
    (local.get $s))
  (func (export "fill") (param $d i32) (param $v i32) (param $n i32)
    (memory.fill (local.get $d) (local.get $v) (local.get $n)))
  (func (export "copy") (param $d i32) (param $s i32) (param $n i32)
    (memory.copy (local.get $d) (local.get $s) (local.get $n)))
  (func (export "init") (param $d i32) (param $s i32) (param $n i32)
    (memory.init $seg (local.get $d) (local.get $s) (local.get $n)))
  (func (export "fill_case") (param $d i32) (param $v i32) (param $n i32) (result i64)
    (call $pattern (i32.const ${300 * KiB}))
    (memory.fill (local.get $d) (local.get $v) (local.get $n))
    (call $sum))
  (func (export "copy_case") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (call $pattern (i32.const ${300 * KiB}))
    (memory.copy (local.get $d) (local.get $s) (local.get $n))
    (call $sum))
  (func (export "init_case") (param $d i32) (param $s i32) (param $n i32) (result i64)
    (memory.init $seg (local.get $d) (local.get $s) (local.get $n))
    (call $sum))
  ${
    tables
      ? `(table $t ${TABLE} funcref)
  (func $f (export "f")) (func $g)
  (elem declare func $f $g)
  ;; $t[i] = $f for even i, $g for odd i (table.set is one element a step)
  (func (export "tpattern") (local $i i32)
    (block $out (loop $l
      (br_if $out (i32.ge_u (local.get $i) (i32.const ${TABLE})))
      (table.set $t (local.get $i)
        (select (result funcref) (ref.func $g) (ref.func $f) (i32.and (local.get $i) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
  (func (export "tfill") (param $d i32) (param $n i32)
    (table.fill $t (local.get $d) (ref.func $g) (local.get $n)))
  (func (export "tcopy") (param $d i32) (param $s i32) (param $n i32)
    (table.copy $t $t (local.get $d) (local.get $s) (local.get $n)))`
      : ""
  }
)`;
}
const MODULE = wat(moduleText(true));
const MEM_MODULE = wat(moduleText(false));

interface Session {
  machine: Machine;
  inst: Instance;
  call(name: string, args: number[]): RunStatus;
  /** Fills the whole memory with patternBytes (a host-side write: dirty tracking included). */
  pattern(): void;
}
function session(limits: Partial<ExecLimits> = {}): Session {
  const c = compileModule(MODULE);
  if (!c.ok) throw new Error(c.message);
  const machine = new Machine(limits);
  const r = instantiate(machine, c.module, () => undefined);
  if (!r.ok) throw new Error(r.message);
  const inst = r.instance;
  const fn = (name: string) =>
    inst.funcs[c.module.decoded.exports.find((e) => e.name === name)?.index ?? -1] as FuncInst;
  return {
    machine,
    inst,
    call(name, args) {
      const st = machine.start(
        fn(name),
        args.map((a) => a | 0),
      );
      return st ?? machine.run();
    },
    pattern() {
      inst.memories[0]!.write(patternBytes(BIG), 0);
    },
  };
}
const mem = (s: Session) => s.inst.memories[0]!.bytes;
const trapOf = (st: RunStatus) => (st.status === "trap" ? st.trap : null);
/** Table $t as 0 (null), 1 ($f), 2 ($g) per element. */
function tableCodes(s: Session): number[] {
  const c = compileModule(MODULE);
  if (!c.ok) throw new Error(c.message);
  const fAddr = (s.inst.funcs[c.module.decoded.exports.find((e) => e.name === "f")?.index ?? -1] as FuncInst).ref.addr;
  return s.inst.tables[0]!.elems.map((e) => (e === null ? 0 : (e as FuncRef).addr === fAddr ? 1 : 2));
}

describe("bulk instructions larger than one piece (interpreter)", () => {
  it("a 1 MiB memory.fill writes exactly its range, in ceil(n / bulkBytes) steps", () => {
    const s = session();
    s.pattern();
    const before = mem(s).slice();
    const stepsBefore = s.machine.steps;
    const d = 4096 + 3;
    expect(trapOf(s.call("fill", [d, 0x1ab, MiB]))).toBeNull();
    const want = before.slice();
    want.fill(0xab, d, d + MiB);
    expect(equal(mem(s), want)).toBe(true);
    // 3 local.get + the pieces + the implicit return
    expect(s.machine.steps - stepsBefore).toBe(3 + Math.ceil(MiB / DEFAULT_LIMITS.bulkBytes) + 1);
  });

  for (const [label, d, sAddr] of [
    ["forward (d < s)", 1000, 1000 + 70_001],
    ["backward (d > s)", 1000 + 70_001, 1000],
    ["backward, d = s + 1", 5001, 5000],
    ["forward, s = d + 1", 5000, 5001],
    ["d = s", 9000, 9000],
  ] as [string, number, number][]) {
    it(`a 200 KiB overlapping memory.copy ${label} equals memmove`, () => {
      const s = session();
      s.pattern();
      const want = mem(s).slice();
      want.copyWithin(d, sAddr, sAddr + 200 * KiB);
      expect(trapOf(s.call("copy", [d, sAddr, 200 * KiB]))).toBeNull();
      expect(equal(mem(s), want)).toBe(true);
    });
  }

  it("memory.init of a large passive segment (offset advances with each piece)", () => {
    const s = session();
    const d = 123_457;
    expect(trapOf(s.call("init", [d, 17, SEG_LEN - 17]))).toBeNull();
    const want = new Uint8Array(PAGES * 64 * KiB);
    want.set(new TextEncoder().encode(SEG.slice(17)), d);
    expect(equal(mem(s), want)).toBe(true);
    // the segment bounds still hold over the whole range
    expect(trapOf(s.call("init", [0, 1, SEG_LEN]))).toBe("out of bounds memory access");
  });

  it("table.fill and overlapping table.copy of 5,000 elements", () => {
    const s = session();
    expect(trapOf(s.call("tpattern", []))).toBeNull();
    const t0 = tableCodes(s);
    expect(trapOf(s.call("tfill", [500, 5000]))).toBeNull();
    const t1 = t0.slice().fill(2, 500, 5500);
    expect(tableCodes(s)).toEqual(t1);

    for (const [d, src] of [
      [1, 0],
      [0, 1],
      [990, 3],
      [3, 990],
    ]) {
      const t = session();
      expect(trapOf(t.call("tpattern", []))).toBeNull();
      const want = tableCodes(t);
      want.copyWithin(d, src, src + 5000);
      expect(trapOf(t.call("tcopy", [d, src, 5000]))).toBeNull();
      expect(tableCodes(t), `copy ${d} ${src}`).toEqual(want);
    }
  });

  it("an out-of-bounds large copy, fill, init or table op traps before writing anything", () => {
    const len = PAGES * 64 * KiB;
    for (const [name, args] of [
      ["copy", [len - 100_000, 0, 200_000]],
      ["copy", [0, len - 100_000, 200_000]],
      ["copy", [10, 0, len]],
      ["fill", [len - 100_000, 7, 100_001]],
      ["init", [len - 100_000, 0, 100_001]],
      ["tfill", [TABLE - 4000, 4001]],
      ["tcopy", [TABLE - 4000, 0, 4001]],
      ["tcopy", [0, 10, TABLE - 9]],
    ] as [string, number[]][]) {
      const s = session();
      s.pattern();
      expect(trapOf(s.call("tpattern", []))).toBeNull();
      const m = mem(s).slice();
      const t = tableCodes(s);
      const trap = trapOf(s.call(name, args));
      expect(trap, `${name}(${args})`).toMatch(/^out of bounds (memory|table) access$/);
      expect(equal(mem(s), m), `${name}(${args})`).toBe(true);
      expect(tableCodes(s), `${name}(${args})`).toEqual(t);
    }
  });
});

/** The deterministic part of a report (what both engines must agree on). */
const facts = (r: RunReport) => ({
  results: r.results,
  trap: r.trap,
  fuelUsed: r.fuelUsed,
  steps: r.steps,
  usage: r.usage,
});
const i32 = (n: number) => ({ type: I32, value: n | 0 });

describe("V8 fast path = interpreter on large bulk memory operations", () => {
  for (const [name, args] of [
    ["fill_case", [4099, 0x5a, MiB]],
    ["fill_case", [0, 1, 3 * 64 * KiB]],
    ["fill_case", [0, 1, 3 * 64 * KiB + 1]],
    ["fill_case", [7, 1, 0]],
    ["copy_case", [1000, 1000 + 70_001, 200 * KiB]],
    ["copy_case", [1000 + 70_001, 1000, 200 * KiB]],
    ["init_case", [333, 5, SEG_LEN - 5]],
  ] as [string, number[]][]) {
    it(`${name}(${args}) runs on V8 with the interpreter's result, fuel and steps`, () => {
      const opts: RunOptions = { invoke: name, args: args.map(i32) };
      const a = runModule(MEM_MODULE, opts);
      const b = runModuleV8(MEM_MODULE, opts);
      if (!a.ok || !b.ok) throw new Error("refused");
      expect(a.report.trap).toBeNull();
      expect(b.fallback).toBeNull();
      expect(b.engine).toBe("v8");
      expect(facts(b.report)).toEqual(facts(a.report));
    });
  }
});

describe("one-step proofs of piece steps", () => {
  /**
   * Runs `setup` calls, then proves and verifies every step of `name(args)`: verifyStep(pre, proof) must
   * equal the commitment of the state after the step (the next step's pre-state).
   */
  function proveAll(setup: [string, number[]][], name: string, args: number[], limits: Partial<ExecLimits> = {}) {
    const s = session(limits);
    for (const [f, a] of setup) {
      if (f === "pattern") s.pattern();
      else expect(trapOf(s.call(f, a))).toBeNull();
    }
    const c = compileModule(MODULE);
    if (!c.ok) throw new Error(c.message);
    const f = s.inst.funcs[c.module.decoded.exports.find((e) => e.name === name)?.index ?? -1] as FuncInst;
    const steps0 = s.machine.steps;
    expect(
      s.machine.start(
        f,
        args.map((a) => a | 0),
      ),
    ).toBeUndefined();
    const prover = new StepProver(s.machine, s.inst);
    let verified = 0;
    let maxSize = 0;
    let pieces = 0;
    let st: RunStatus = { status: "paused" };
    for (let n = steps0; st.status === "paused"; n++) {
      st = s.machine.run(n);
      if (st.status !== "paused") break;
      const proof = prover.prove();
      const pre = hashStepState(prover.commitment(STATUS.running));
      const pcBefore = proof.state.pc;
      st = s.machine.run(n + 1);
      const post = hashStepState(prover.commitment(st.status === "paused" ? STATUS.running : STATUS[st.status]));
      expect(equal(verifyStep(pre, proof), post), `${name} step ${n}`).toBe(true);
      if (st.status === "paused" && s.machine.frames.at(-1)?.pc === pcBefore) pieces++;
      maxSize = Math.max(maxSize, proofSize(proof));
      verified++;
    }
    return { verified, maxSize, pieces, status: st, session: s };
  }

  it("every step of a 1 MiB fill, 200 KiB copies both ways and a large init verifies; proofs stay bounded", () => {
    for (const [setup, name, args, wantPieces] of [
      [[], "fill", [4099, 9, MiB], MiB / DEFAULT_LIMITS.bulkBytes],
      [[["pattern", []]], "copy", [1000, 1000 + 70_001, 200 * KiB], 4],
      [[["pattern", []]], "copy", [1000 + 70_001, 1000, 200 * KiB], 4],
      [[], "init", [77, 3, SEG_LEN - 3], 3],
    ] as [[string, number[]][], string, number[], number][]) {
      const o = proveAll(setup, name, args);
      expect(trapOf(o.status as RunStatus), `${name}(${args})`).toBeNull();
      // steps that left the pc on the instruction: all pieces but the last
      expect(o.pieces, `${name}(${args})`).toBe(wantPieces - 1);
      expect(o.maxSize, `${name}(${args})`).toBeLessThanOrEqual(MAX_STEP_PROOF_BYTES);
    }
  }, 120_000);

  it("every step of table.fill / overlapping table.copy of 5,000 elements verifies", () => {
    for (const [name, args] of [
      ["tfill", [500, 5000]],
      ["tcopy", [990, 3, 5000]],
      ["tcopy", [3, 990, 5000]],
    ] as [string, number[]][]) {
      const o = proveAll([["tpattern", []]], name, args);
      expect(trapOf(o.status as RunStatus), `${name}(${args})`).toBeNull();
      expect(o.pieces, `${name}(${args})`).toBe(Math.ceil(5000 / DEFAULT_LIMITS.bulkElems) - 1);
      expect(o.maxSize, `${name}(${args})`).toBeLessThanOrEqual(MAX_STEP_PROOF_BYTES);
    }
  }, 120_000);

  it("an out-of-bounds large copy: the trapping step verifies too", () => {
    const len = PAGES * 64 * KiB;
    const o = proveAll([], "copy", [len - 100_000, 0, 200_000]);
    expect(trapOf(o.status as RunStatus)).toBe("out of bounds memory access");
    expect(o.verified).toBe(4);
  });

  it("a proof of a bigger piece than the protocol's is refused", () => {
    // A prover whose machine does the whole 200 KiB copy in one step claims that post-state.
    const bigPiece = 256 * KiB;
    const s = session({ bulkBytes: bigPiece });
    s.pattern();
    const c = compileModule(MODULE);
    if (!c.ok) throw new Error(c.message);
    const f = s.inst.funcs[c.module.decoded.exports.find((e) => e.name === "copy")?.index ?? -1] as FuncInst;
    expect(s.machine.start(f, [1000, 80_000, 200 * KiB] as Value[])).toBeUndefined();
    const prover = new StepProver(s.machine, s.inst);
    s.machine.run(s.machine.steps + 3); // the three local.get
    const proof = prover.prove();
    const pre = hashStepState(prover.commitment(STATUS.running));
    const stepsAt = s.machine.steps;
    expect(s.machine.run(stepsAt + 1).status).toBe("paused");
    expect(s.machine.frames.at(-1)?.pc).not.toBe(proof.state.pc); // the whole copy was one step
    const claimed = hashStepState(prover.commitment(STATUS.running));
    // its own (non-protocol) limits accept it
    expect(equal(verifyStep(pre, proof, undefined, { ...DEFAULT_LIMITS, bulkBytes: bigPiece }), claimed)).toBe(true);
    // the protocol's piece rule does not lead to that post-state
    let got: Uint8Array | undefined;
    try {
      got = verifyStep(pre, proof);
    } catch (e) {
      expect(e).toBeInstanceOf(StepProofError);
    }
    if (got) expect(equal(got, claimed)).toBe(false);
  });
});
