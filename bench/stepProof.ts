/**
 * @module One-step proof figures for the runtime bench: proof size and verifyStep time per
 * instruction class, over steps sampled from real kernel runs (pure noble SHA-256, what the chain runs).
 */
import { compileModule, instantiate } from "../common/wasm/instantiate.js";
import { Machine } from "../common/wasm/machine.js";
import { proofSize, type StepProof } from "../common/wasm/proof/proof.js";
import { StepProver } from "../common/wasm/proof/prover.js";
import { UnsupportedStepError } from "../common/wasm/proof/sparseTree.js";
import { hashStepState } from "../common/wasm/proof/stepState.js";
import { verifyStep } from "../common/wasm/proof/verifyStep.js";
import type { FuncInst } from "../common/wasm/runtime.js";
import { STATUS } from "../common/wasm/trace/stateHash.js";

function classOf(p: StepProof): string {
  if (p.memory.length > 0) return "memory load/store";
  if (p.callee || p.caller) return "call/return";
  if (p.globals.length > 0) return "global";
  return "numeric/local/control";
}

/** Markdown rows: class | steps | proof bytes (mean / max) | verifyStep µs (mean). */
export function measureStepProofs(bytes: Uint8Array, runs: [string, number][], samples: number): string[] {
  const byClass = new Map<string, { n: number; size: number; max: number; us: number }>();
  for (const [name, arg] of runs) {
    const c = compileModule(bytes);
    if (!c.ok) throw new Error(c.message);
    const machine = new Machine();
    const inst = instantiate(machine, c.module, () => undefined);
    if (!inst.ok) throw new Error(inst.message);
    const exp = c.module.decoded.exports.find((e) => e.name === name);
    machine.start(inst.instance.funcs[exp?.index ?? -1] as FuncInst, [arg]);
    const prover = new StepProver(machine, inst.instance);
    let stride = 97;
    for (let k = 0; k < samples; k++) {
      const st = machine.run(machine.steps + stride);
      stride = stride === 97 ? 89 : 97;
      if (st.status !== "paused") break;
      let proof: StepProof;
      try {
        proof = prover.prove();
      } catch (e) {
        if (!(e instanceof UnsupportedStepError)) throw e;
        continue;
      }
      const pre = hashStepState(prover.commitment(STATUS.running));
      const t = performance.now();
      for (let i = 0; i < 5; i++) verifyStep(pre, proof);
      const us = ((performance.now() - t) / 5) * 1000;
      const cls = classOf(proof);
      const e = byClass.get(cls) ?? { n: 0, size: 0, max: 0, us: 0 };
      const size = proofSize(proof);
      e.n++;
      e.size += size;
      e.max = Math.max(e.max, size);
      e.us += us;
      byClass.set(cls, e);
    }
  }
  return [...byClass.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(
      ([cls, e]) =>
        `| ${cls} | ${e.n} | ${Math.round(e.size / e.n).toLocaleString("en")} / ${e.max.toLocaleString("en")} | ${(e.us / e.n).toFixed(0)} |`,
    );
}

/**
 * Markdown rows for one bulk instruction larger than one piece per run (`fixtures/bulk.wat`): every step is
 * proven; the row gives the instruction's pieces, the largest proof (a full piece) and its verifyStep time.
 */
export function measureBulkPieceProofs(bytes: Uint8Array, runs: [string, string, number[]][]): string[] {
  const rows: string[] = [];
  for (const [label, name, args] of runs) {
    const c = compileModule(bytes);
    if (!c.ok) throw new Error(c.message);
    const machine = new Machine();
    const inst = instantiate(machine, c.module, () => undefined);
    if (!inst.ok) throw new Error(inst.message);
    const exp = c.module.decoded.exports.find((e) => e.name === name);
    machine.start(inst.instance.funcs[exp?.index ?? -1] as FuncInst, args);
    const prover = new StepProver(machine, inst.instance);
    let biggest: { proof: StepProof; pre: Uint8Array; size: number } | undefined;
    // pieces = the steps that left the pc on their instruction, plus the last one
    let pieces = 1;
    for (let n = machine.steps, st = machine.run(n); st.status === "paused"; n++) {
      const proof = prover.prove();
      const size = proofSize(proof);
      const pre = hashStepState(prover.commitment(STATUS.running));
      if (!biggest || size > biggest.size) biggest = { proof, pre, size };
      st = machine.run(n + 1);
      if (st.status === "paused" && machine.frames.at(-1)?.pc === proof.state.pc) pieces++;
    }
    if (!biggest) continue;
    const t = performance.now();
    for (let i = 0; i < 5; i++) verifyStep(biggest.pre, biggest.proof);
    const us = ((performance.now() - t) / 5) * 1000;
    rows.push(`| ${label} | ${pieces} | ${biggest.size.toLocaleString("en")} | ${us.toFixed(0)} |`);
  }
  return rows;
}
