/** @module One-step proofs: verifyStep(hash(state_n), proof_n) = hash(state_n+1) on random steps of real runs, and tampered proofs. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileModule, instantiate } from "../../common/wasm/instantiate.js";
import { Machine, type RunStatus } from "../../common/wasm/machine.js";
import { DEFAULT_LIMITS } from "../../common/wasm/params.js";
import { MAX_STEP_PROOF_BYTES } from "../../common/wasm/proof/codec.js";
import { proofSize, type StepProof } from "../../common/wasm/proof/proof.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { StepProofError, UnsupportedStepError } from "../../common/wasm/proof/sparseTree.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import { MAX_PROOF_ITEMS, verifyStep } from "../../common/wasm/proof/verifyStep.js";
import type { FuncInst } from "../../common/wasm/runtime.js";
import { type Hash, useSha256 } from "../../common/wasm/trace/hashing.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import type { Value } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { fixture } from "./testing.js";
import { equal } from "./traceTestUtil.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

function statusCode(s: RunStatus | undefined): number {
  if (!s || s.status === "paused") return STATUS.running;
  return STATUS[s.status];
}

interface Session {
  machine: Machine;
  prover: StepProver;
  status: RunStatus | undefined;
}
function session(file: string, invoke: string, args: Value[], fuel?: number): Session {
  const c = compileModule(fixture(file));
  if (!c.ok) throw new Error(c.message);
  const machine = new Machine(fuel === undefined ? {} : { fuel });
  const inst = instantiate(machine, c.module, () => undefined);
  if (!inst.ok) throw new Error(inst.message);
  const exp = c.module.decoded.exports.find((e) => e.name === invoke);
  const f = inst.instance.funcs[exp?.index ?? -1] as FuncInst;
  const status = machine.start(f, args);
  return { machine, prover: new StepProver(machine, inst.instance), status };
}
function totalSteps(file: string, invoke: string, args: Value[], fuel?: number): number {
  const s = session(file, invoke, args, fuel);
  s.machine.run();
  return s.machine.steps;
}

/** A deterministic PRNG (the test must be reproducible). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

interface Outcome {
  verified: number;
  unsupported: Map<string, number>;
  maxSize: number;
}

/** Proves and verifies the steps at the given (ascending) indices of one run. */
function checkSteps(file: string, invoke: string, args: Value[], at: number[], fuel?: number): Outcome {
  const s = session(file, invoke, args, fuel);
  const out: Outcome = { verified: 0, unsupported: new Map(), maxSize: 0 };
  let status = s.status;
  for (const n of at) {
    if (status !== undefined && status.status !== "paused") break;
    status = s.machine.run(n);
    if (status.status !== "paused") break;
    let proof: StepProof;
    try {
      proof = s.prover.prove();
    } catch (e) {
      if (!(e instanceof UnsupportedStepError)) throw e;
      out.unsupported.set(e.message, (out.unsupported.get(e.message) ?? 0) + 1);
      continue;
    }
    const pre = hashStepState(s.prover.commitment(STATUS.running));
    status = s.machine.run(n + 1);
    const post = hashStepState(s.prover.commitment(statusCode(status)));
    const got = verifyStep(pre, proof);
    expect(equal(got, post), `${invoke} step ${n}`).toBe(true);
    out.maxSize = Math.max(out.maxSize, proofSize(proof));
    out.verified++;
  }
  return out;
}

function randomSteps(total: number, count: number, seed: number): number[] {
  const r = rng(seed);
  const set = new Set<number>();
  while (set.size < Math.min(count, total)) set.add(Math.floor(r() * total));
  return [...set].sort((a, b) => a - b);
}
const every = (total: number) => Array.from({ length: total }, (_, i) => i);

describe("one-step proofs on real runs", () => {
  it("verifies every step of a run covering numeric, variable and control classes", () => {
    const total = totalSteps("proofs.wasm", "mixed", [13]);
    const o = checkSteps("proofs.wasm", "mixed", [13], every(total));
    expect(o.unsupported.size).toBe(0);
    expect(o.verified).toBe(total);
  });

  it("verifies random steps of the integer kernel", () => {
    const total = totalSteps("kernels.wasm", "mix", [5000]);
    const o = checkSteps("kernels.wasm", "mix", [5000], randomSteps(total, 300, 11));
    expect(o.unsupported.size).toBe(0);
    expect(o.verified).toBe(300);
  });

  it("verifies every step of loads and stores of every width", () => {
    const total = totalSteps("proofs.wasm", "mem", [6]);
    const o = checkSteps("proofs.wasm", "mem", [6], every(total));
    expect(o.unsupported.size).toBe(0);
    expect(o.verified).toBe(total);
  });

  it("verifies random steps of the float and memory kernels", () => {
    for (const [name, arg] of [
      ["matmul", 6],
      ["sieve", 3000],
    ] as [string, number][]) {
      const total = totalSteps("kernels.wasm", name, [arg]);
      const o = checkSteps(
        "kernels.wasm",
        name,
        [arg],
        [0, 1, 2, 3, ...randomSteps(total, 120, 5).filter((n) => n > 3)],
      );
      expect(o.unsupported.size, name).toBe(0);
      expect(o.verified, name).toBeGreaterThanOrEqual(120);
    }
  });

  it("memory.grow and an out-of-bounds load", () => {
    for (const [file, name, args] of [
      ["kernels.wasm", "grow", [3]],
      ["kernels.wasm", "grow", [100000]],
      ["kernels.wasm", "grow", [0]],
      ["proofs.wasm", "oob", []],
    ] as [string, string, Value[]][]) {
      const total = totalSteps(file, name, args);
      const o = checkSteps(file, name, args, every(total));
      expect(o.verified, `${name}(${args})`).toBe(total);
    }
  });

  it("the trapped state is the post-state of a trapping step", () => {
    for (const [name, args] of [
      ["div", [7, 0]],
      ["div", [-2147483648, -1]],
      ["trap", []],
    ] as [string, Value[]][]) {
      const total = totalSteps("proofs.wasm", name, args);
      const o = checkSteps("proofs.wasm", name, args, every(total));
      expect(o.verified, name).toBe(total);
    }
  });

  it("fuel exhaustion: the step that cannot pay traps without executing", () => {
    const fuel = 1000;
    const total = totalSteps("kernels.wasm", "spin", [], fuel);
    const o = checkSteps("kernels.wasm", "spin", [], [total - 2, total - 1, total], fuel);
    expect(o.verified).toBe(3);
  });

  it("calls and returns: every step of a call loop and of recursive fib", () => {
    for (const [file, name, arg] of [
      ["proofs.wasm", "calls", 5],
      ["kernels.wasm", "fib", 7],
    ] as [string, string, number][]) {
      const total = totalSteps(file, name, [arg]);
      const o = checkSteps(file, name, [arg], every(total));
      expect(o.unsupported.size, name).toBe(0);
      expect(o.verified, name).toBe(total);
    }
  });

  it("call stack exhaustion traps in the verifier as in the interpreter", () => {
    const total = totalSteps("kernels.wasm", "deep", [0]);
    const at = [...randomSteps(total - 5, 20, 3), total - 3, total - 2, total - 1];
    const o = checkSteps("kernels.wasm", "deep", [0], at);
    expect(o.unsupported.size).toBe(0);
    expect(o.verified).toBe(at.length);
  });

  it("call_indirect (and its three traps) and table.get/set/size", () => {
    for (const [name, args] of [
      ["indirect", [6, 0]],
      ["indirect", [6, 1]],
      ["indirect", [6, 2]],
      ["indirect", [6, 3]],
      ["indirect", [6, -1]],
      ["tables", [5]],
    ] as [string, Value[]][]) {
      const total = totalSteps("proofs.wasm", name, args);
      const o = checkSteps("proofs.wasm", name, args, every(total));
      expect(o.unsupported.size, `${name}(${args})`).toBe(0);
      expect(o.verified, `${name}(${args})`).toBe(total);
    }
  });

  it("tables: every step of grow (ok, past the maximum, past bulkElems), fill, copy, init, elem.drop", () => {
    for (const n of [0, 3, 6]) {
      const total = totalSteps("bulk.wasm", "tables", [n]);
      const o = checkSteps("bulk.wasm", "tables", [n], every(total));
      expect(o.unsupported.size, `tables(${n})`).toBe(0);
      expect(o.verified, `tables(${n})`).toBe(total);
    }
  });

  it("table bulk operations at the piece size, beyond it (two steps), and out of bounds", () => {
    const cap = DEFAULT_LIMITS.bulkElems;
    for (const [name, args, trap] of [
      ["tfill", [0, cap], null],
      ["tfill", [0, cap + 1], null],
      ["tfill", [10, cap + 1], "out of bounds table access"],
      ["tcopy", [4, 0, cap], null],
      ["tcopy", [0, 4, cap], null],
      ["tcopy", [3, 0, cap + 1], null],
      ["tcopy", [0, 3, cap + 1], null],
      ["tgrow", [cap], null],
    ] as [string, Value[], string | null][]) {
      const s = session("bulk.wasm", name, args);
      const st = s.machine.run();
      expect(st.status === "trap" ? st.trap : null, `${name}(${args})`).toBe(trap);
      const total = totalSteps("bulk.wasm", name, args);
      const o = checkSteps("bulk.wasm", name, args, every(total));
      expect(o.verified, `${name}(${args})`).toBe(total);
      expect(o.maxSize, `${name}(${args})`).toBeLessThanOrEqual(MAX_STEP_PROOF_BYTES);
    }
  });

  it("bulk memory: every step of fill, copy (overlapping), init across chunks, data.drop, elem.drop", () => {
    for (const n of [0, 1, 1500, 5000]) {
      const total = totalSteps("bulk.wasm", "bulk", [n]);
      const o = checkSteps("bulk.wasm", "bulk", [n], every(total));
      expect(o.unsupported.size, `bulk(${n})`).toBe(0);
      expect(o.verified, `bulk(${n})`).toBe(total);
    }
  });

  it("bulk memory at the piece size, one byte beyond it (two steps), out of bounds, dropped segments", () => {
    const cap = DEFAULT_LIMITS.bulkBytes;
    for (const [name, args, trap] of [
      ["fill", [0, cap], null],
      ["fill", [1000, cap], null],
      ["fill", [0, cap + 1], null],
      ["fill", [0x20000 - 10, 11], "out of bounds memory access"],
      ["copy", [100, 65000, cap], null],
      ["copy", [65000, 100, cap], null],
      ["copy", [0, 1, cap + 1], null],
      ["copy", [1, 0, cap + 1], null],
      ["init_dropped", [0], null],
      ["init_dropped", [1], "out of bounds memory access"],
    ] as [string, Value[], string | null][]) {
      const s = session("bulk.wasm", name, args);
      const st = s.machine.run();
      expect(st.status === "trap" ? st.trap : null, `${name}(${args})`).toBe(trap);
      const total = totalSteps("bulk.wasm", name, args);
      const o = checkSteps("bulk.wasm", name, args, every(total));
      expect(o.verified, `${name}(${args})`).toBe(total);
      expect(o.maxSize, `${name}(${args})`).toBeLessThanOrEqual(MAX_STEP_PROOF_BYTES);
    }
  });
});

describe("tampered proofs", () => {
  /** A proof of a step of "mixed" that reads stack values, locals and code. */
  function honest(opName: (p: StepProof) => boolean): { pre: Hash; post: Hash; proof: StepProof } {
    const total = totalSteps("proofs.wasm", "mixed", [9]);
    const s = session("proofs.wasm", "mixed", [9]);
    for (let n = 0; n < total; n++) {
      s.machine.run(n);
      const proof = s.prover.prove();
      if (!opName(proof)) continue;
      const pre = hashStepState(s.prover.commitment(STATUS.running));
      const st = s.machine.run(n + 1);
      const post = hashStepState(s.prover.commitment(statusCode(st)));
      return { pre, post, proof };
    }
    throw new Error("no such step");
  }
  const refusedOrDifferent = (pre: Hash, post: Hash, p: StepProof) => {
    let got: Hash | undefined;
    try {
      got = verifyStep(pre, p);
    } catch (e) {
      expect(e).toBeInstanceOf(StepProofError);
      return;
    }
    expect(equal(got, post)).toBe(false);
  };

  it("a wrong stack value is refused", () => {
    const { pre, post, proof } = honest((p) => p.stack.some((w) => typeof w.value === "number"));
    expect(equal(verifyStep(pre, proof), post)).toBe(true);
    const stack = proof.stack.map((w) => (typeof w.value === "number" ? { ...w, value: (w.value + 1) | 0 } : w));
    refusedOrDifferent(pre, post, { ...proof, stack });
  });

  it("a wrong witness path is refused", () => {
    const { pre, post, proof } = honest((p) => p.stack.length > 0);
    const w = proof.stack[0] as StepProof["stack"][number];
    const path = w.path.map((h, i) => (i === 3 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 1 : b)) : h));
    refusedOrDifferent(pre, post, { ...proof, stack: [{ ...w, path }, ...proof.stack.slice(1)] });
  });

  it("a missing witness is refused", () => {
    const { pre, post, proof } = honest((p) => p.stack.length > 1);
    refusedOrDifferent(pre, post, { ...proof, stack: proof.stack.slice(1) });
  });

  it("a wrong pc or a wrong instruction is refused", () => {
    const { pre, post, proof } = honest((p) => p.code.length > 0);
    refusedOrDifferent(pre, post, { ...proof, state: { ...proof.state, pc: proof.state.pc + 1 } });
    const code = proof.code.map((c) => ({
      ...c,
      words: c.words.map((w, i) => (i === proof.state.pc % 8 ? w ^ 1 : w)),
    }));
    refusedOrDifferent(pre, post, { ...proof, code });
  });

  it("a wrong memory byte or memory witness is refused", () => {
    const total = totalSteps("proofs.wasm", "mem", [4]);
    const s = session("proofs.wasm", "mem", [4]);
    let checked = 0;
    for (let n = 0; n < total; n++) {
      s.machine.run(n);
      const proof = s.prover.prove();
      if (proof.memory.length === 0) continue;
      const pre = hashStepState(s.prover.commitment(STATUS.running));
      s.machine.run(n + 1);
      const post = hashStepState(s.prover.commitment(STATUS.running));
      expect(equal(verifyStep(pre, proof), post)).toBe(true);
      const c = proof.memory[0] as StepProof["memory"][number];
      for (let k = 0; k < 1024; k += 97) {
        const bytes = c.bytes.slice();
        bytes[k] = (bytes[k] as number) ^ 0x40;
        refusedOrDifferent(pre, post, { ...proof, memory: [{ ...c, bytes }, ...proof.memory.slice(1)] });
      }
      const path = c.path.map((h, i) => (i === 7 ? new Uint8Array(32) : h));
      refusedOrDifferent(pre, post, { ...proof, memory: [{ ...c, path }, ...proof.memory.slice(1)] });
      refusedOrDifferent(pre, post, { ...proof, memory: proof.memory.slice(1) });
      checked++;
    }
    expect(checked).toBeGreaterThan(10);
  });

  it("a wrong callee or a wrong caller frame is refused", () => {
    const total = totalSteps("proofs.wasm", "calls", [3]);
    const s = session("proofs.wasm", "calls", [3]);
    let calls = 0;
    let returns = 0;
    for (let n = 0; n < total; n++) {
      s.machine.run(n);
      const proof = s.prover.prove();
      if (!proof.callee && !proof.caller) continue;
      const pre = hashStepState(s.prover.commitment(STATUS.running));
      const st = s.machine.run(n + 1);
      const post = hashStepState(s.prover.commitment(statusCode(st)));
      expect(equal(verifyStep(pre, proof), post)).toBe(true);
      if (proof.callee) {
        const c = proof.callee;
        refusedOrDifferent(pre, post, { ...proof, callee: { ...c, addr: c.addr + 1 } });
        refusedOrDifferent(pre, post, {
          ...proof,
          callee: { ...c, meta: { ...c.meta, localTypes: [...c.meta.localTypes, 0x7f] } },
        });
        refusedOrDifferent(pre, post, { ...proof, callee: { ...c, meta: { ...c.meta, params: c.meta.params + 1 } } });
        calls++;
      }
      if (proof.caller) {
        const c = proof.caller;
        refusedOrDifferent(pre, post, { ...proof, caller: { ...c, pc: c.pc + 2 } });
        refusedOrDifferent(pre, post, { ...proof, caller: { ...c, base: c.base + 1 } });
        returns++;
      }
    }
    expect(calls).toBeGreaterThan(1);
    expect(returns).toBeGreaterThan(1);
  });

  it("a wrong table element, table size or type signature is refused", () => {
    const total = totalSteps("proofs.wasm", "indirect", [6, 0]);
    const s = session("proofs.wasm", "indirect", [6, 0]);
    let checked = 0;
    for (let n = 0; n < total; n++) {
      s.machine.run(n);
      const proof = s.prover.prove();
      if (proof.elems.length === 0) continue;
      const pre = hashStepState(s.prover.commitment(STATUS.running));
      const st = s.machine.run(n + 1);
      const post = hashStepState(s.prover.commitment(statusCode(st)));
      expect(equal(verifyStep(pre, proof), post)).toBe(true);
      const e = proof.elems[0] as StepProof["elems"][number];
      refusedOrDifferent(pre, post, { ...proof, elems: [{ ...e, value: null }] });
      const t = proof.tables[0] as StepProof["tables"][number];
      refusedOrDifferent(pre, post, { ...proof, tables: [{ ...t, size: t.size + 5 }] });
      const ty = proof.types[0] as StepProof["types"][number];
      refusedOrDifferent(pre, post, { ...proof, types: [{ ...ty, sig: new Uint8Array(32) }] });
      checked++;
    }
    expect(checked).toBe(1);
  });

  it("no step from a trapped or finished state, and no proof replayed against another state", () => {
    const { pre, post, proof } = honest((p) => p.stack.length > 0);
    for (const status of [STATUS.trap, STATUS.done, STATUS.exit]) {
      const state = { ...proof.state, status };
      expect(() => verifyStep(hashStepState(state), { ...proof, state })).toThrow(StepProofError);
    }
    expect(() => verifyStep(post, proof)).toThrow(StepProofError);
    expect(equal(verifyStep(pre, proof), post)).toBe(true);
  });

  it("an oversized proof is refused before any hashing", () => {
    const { pre, proof } = honest((p) => p.stack.length > 0);
    const w = proof.stack[0] as StepProof["stack"][number];
    const stack = Array.from({ length: MAX_PROOF_ITEMS + 1 }, () => w);
    expect(() => verifyStep(pre, { ...proof, stack })).toThrow(/witnesses/);
  });

  it("a wrong global value is refused", () => {
    const { pre, post, proof } = honest((p) => p.globals.length > 0);
    const globals = proof.globals.map((w) => ({ ...w, value: typeof w.value === "number" ? w.value + 1 : 5n }));
    refusedOrDifferent(pre, post, { ...proof, globals });
  });

  it("a wrong fuel or step counter in the clear is refused", () => {
    const { pre, post, proof } = honest(() => true);
    refusedOrDifferent(pre, post, { ...proof, state: { ...proof.state, fuelLeft: proof.state.fuelLeft + 100 } });
    refusedOrDifferent(pre, post, { ...proof, state: { ...proof.state, steps: proof.state.steps - 1 } });
  });

  it("a wrong data-segment byte, length or drop state is refused", () => {
    const total = totalSteps("bulk.wasm", "bulk", [100]);
    const s = session("bulk.wasm", "bulk", [100]);
    let inits = 0;
    let drops = 0;
    for (let n = 0; n < total; n++) {
      s.machine.run(n);
      const proof = s.prover.prove();
      if (proof.datas.length === 0 && proof.elemSegs.length === 0) continue;
      const pre = hashStepState(s.prover.commitment(STATUS.running));
      const st = s.machine.run(n + 1);
      const post = hashStepState(s.prover.commitment(statusCode(st)));
      expect(equal(verifyStep(pre, proof), post)).toBe(true);
      const d = proof.datas[0];
      if (d && proof.dataChunks.length > 0) {
        const c = proof.dataChunks[0] as StepProof["dataChunks"][number];
        const bytes = c.bytes.slice();
        bytes[5] = (bytes[5] as number) ^ 1;
        refusedOrDifferent(pre, post, { ...proof, dataChunks: [{ ...c, bytes }, ...proof.dataChunks.slice(1)] });
        refusedOrDifferent(pre, post, { ...proof, dataChunks: proof.dataChunks.slice(1) });
        refusedOrDifferent(pre, post, { ...proof, datas: [{ ...d, len: d.len + 1000 }] });
        refusedOrDifferent(pre, post, { ...proof, datas: [] });
        inits++;
      } else if (d) {
        // data.drop: claiming the segment was already empty must not verify
        refusedOrDifferent(pre, post, { ...proof, datas: [{ ...d, len: 0 }] });
        drops++;
      }
      const e = proof.elemSegs[0];
      if (e) {
        refusedOrDifferent(pre, post, { ...proof, elemSegs: [{ ...e, len: e.len + 1 }] });
        refusedOrDifferent(pre, post, { ...proof, elemSegs: [] });
        drops++;
      }
    }
    expect(inits).toBe(2);
    expect(drops).toBe(2);
  });
});
