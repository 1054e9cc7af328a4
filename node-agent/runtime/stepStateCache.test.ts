/**
 * @module The step-commitment builder's caches (rest hash, tables tree, memory paths) against a fresh
 * builder at every pause of real runs that change the host state, tables, segments and memory: a cache
 * that kept a stale value would commit to a state the machine is no longer in; and the code trees cached
 * by content, which must never serve one body's trees for another.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunStatus } from "../../common/wasm/machine.js";
import { treeRoot } from "../../common/wasm/proof/sparseTree.js";
import {
  CODE_DEPTH,
  CONSTS_DEPTH,
  codeChunks,
  constLeaf,
  funcTrees,
  hashStepState,
  StepStateBuilder,
} from "../../common/wasm/proof/stepState.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import type { FuncInst, Instance } from "../../common/wasm/runtime.js";
import { useSha256 } from "../../common/wasm/trace/hashing.js";
import { statusCode } from "../../common/wasm/trace/trace.js";
import { FuncRef, I32 } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { fixture } from "./testing.js";
import { equal } from "./traceTestUtil.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const enc = new TextEncoder();

/** Pauses every `every` steps; returns how many pauses compared equal (all of them, or the test fails). */
function compareAtPauses(file: string, opts: RunOptions, every: number): number {
  const p = prepareJob(fixture(file), opts);
  if (!p.ok) throw new Error(p.refusal.message);
  const { machine, host, instance } = p.job;
  if (!instance) throw new Error("instantiation trapped");
  const kept = new StepStateBuilder(machine, instance, host);
  let status: RunStatus | undefined = p.job.started;
  let pauses = 0;
  for (;;) {
    const code = statusCode(status);
    // The long-lived builder first: it consumes the memory's dirty marks; a fresh one rescans memory.
    const a = hashStepState(kept.snapshot(code).state);
    const b = hashStepState(new StepStateBuilder(machine, instance, host).snapshot(code).state);
    expect(equal(a, b), `${file} at step ${machine.steps}`).toBe(true);
    pauses++;
    if (status !== undefined && status.status !== "paused") return pauses;
    status = machine.run(machine.steps + every);
  }
}

describe("incremental step commitment = a fresh one at every pause", () => {
  it("host calls of every kind (output, logs, kv, WASI) between pauses", () => {
    expect(
      compareAtPauses("hostcalls.wasm", { invoke: "_start", input: enc.encode("hello"), clockNs: 5n }, 7),
    ).toBeGreaterThan(5);
    expect(
      compareAtPauses(
        "kv.wasm",
        {
          invoke: "run",
          input: enc.encode("ab"),
          initialState: new Map([[Buffer.from("count").toString("hex"), new Uint8Array([41, 0, 0, 0])]]),
        },
        3,
      ),
    ).toBeGreaterThan(3);
    expect(
      compareAtPauses("wc.wasm", { invoke: "_start", input: enc.encode("ab cd\n".repeat(300)) }, 501),
    ).toBeGreaterThan(3);
  });
  it("table writes, growth and fills, segment drops and bulk memory between pauses", () => {
    expect(compareAtPauses("proofs.wasm", { invoke: "tables", args: [{ type: I32, value: 5 }] }, 1)).toBeGreaterThan(3);
    expect(compareAtPauses("bulk.wasm", { invoke: "tables", args: [{ type: I32, value: 3 }] }, 2)).toBeGreaterThan(3);
    expect(compareAtPauses("bulk.wasm", { invoke: "bulk", args: [{ type: I32, value: 40 }] }, 3)).toBeGreaterThan(3);
  });
});

describe("function code trees cached by content", () => {
  const inst = { funcs: [], module: { types: [] } } as unknown as Instance;
  const body = (code: number[], consts: bigint[]): FuncInst => {
    const type = { params: [], results: [] };
    const compiled = { typeIndex: 0, type, localTypes: [], code: Int32Array.from(code), consts, maxHeight: 0 };
    return { kind: "wasm", type, instance: inst, compiled, ref: new FuncRef(0) } as unknown as FuncInst;
  };
  /** The roots computed without any cache. */
  const fresh = (code: number[], consts: bigint[]) => ({
    code: treeRoot(codeChunks(Int32Array.from(code)), CODE_DEPTH),
    consts: treeRoot(consts.map(constLeaf), CONSTS_DEPTH),
  });
  it("bodies one word, one constant or one boundary apart never share trees; equal bodies do", () => {
    const cases: [number[], bigint[]][] = [
      [[1, 2, 3], [5n]],
      [[1, 2, 3], [6n]],
      [[1, 2, 4], [5n]],
      [[1, 2, 3, 5], []], // the same words if the constant's low half were read as code
      [[1, 2, 3], []],
      [Array.from({ length: 40 }, (_, i) => i), [1n << 63n]],
    ];
    // Twice: the second pass is served from the cache (new objects, same content).
    for (let pass = 0; pass < 2; pass++) {
      for (const [code, consts] of cases) {
        const m = funcTrees(body(code, consts), inst).meta;
        const want = fresh(code, consts);
        expect(equal(m.codeRoot, want.code), `${code} / ${consts} pass ${pass}`).toBe(true);
        expect(equal(m.constsRoot, want.consts), `${code} / ${consts} pass ${pass}`).toBe(true);
      }
    }
  });
  it("stays exact past its bound (oldest entries evicted)", () => {
    for (let i = 0; i < 1100; i++) funcTrees(body([i, 7], [BigInt(i)]), inst);
    for (const i of [0, 1, 555, 1099]) {
      const m = funcTrees(body([i, 7], [BigInt(i)]), inst).meta;
      expect(equal(m.codeRoot, fresh([i, 7], []).code)).toBe(true);
      expect(equal(m.constsRoot, fresh([], [BigInt(i)]).consts)).toBe(true);
    }
  });
});
