/**
 * @module The step-commitment builder's caches (rest hash, tables tree, memory paths) against a fresh
 * builder at every pause of real runs that change the host state, tables, segments and memory: a cache
 * that kept a stale value would commit to a state the machine is no longer in.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunStatus } from "../../common/wasm/machine.js";
import { hashStepState, StepStateBuilder } from "../../common/wasm/proof/stepState.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import { useSha256 } from "../../common/wasm/trace/hashing.js";
import { statusCode } from "../../common/wasm/trace/trace.js";
import { I32 } from "../../common/wasm/types.js";
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
