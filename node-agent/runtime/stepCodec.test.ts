/** @module The one-step proof codec: round trip on real proofs of every class, canonical and bounded decoding, gas. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  decodeStepProof,
  encodeStepProof,
  MAX_STEP_PROOF_BYTES,
  verifyStepGas,
} from "../../common/wasm/proof/codec.js";
import type { StepProof } from "../../common/wasm/proof/proof.js";
import { StepProofError } from "../../common/wasm/proof/sparseTree.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import type { RunOptions } from "../../common/wasm/run.js";
import { equal, useSha256 } from "../../common/wasm/trace/hashing.js";
import { I32 } from "../../common/wasm/types.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { StepSession } from "./stepAt.js";
import { fixture } from "./testing.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const i32 = (n: number) => ({ type: I32, value: n });

/** Proofs of every step of a run (up to `max`), with the next commitment. */
interface Proved {
  pre: Uint8Array;
  proof: StepProof;
  post: Uint8Array;
}
function proofsOf(file: string, opts: RunOptions, max = 30): Proved[] {
  const bytes = fixture(file);
  const s = new StepSession({ bytes, opts });
  const out: Proved[] = [];
  for (let n = 0; n < max && !s.finished; n++) {
    s.advance(n);
    if (s.finished) break;
    const pre = s.commitment();
    const proof = s.prove();
    out.push({ pre, proof, post: s.advance(n + 1).commitment() });
  }
  return out;
}
function first(file: string, opts: RunOptions, pick: (p: StepProof) => boolean = () => true): StepProof {
  const p = proofsOf(file, opts).find((x) => pick(x.proof));
  if (!p) throw new Error("no such step");
  return p.proof;
}

const runs: [string, RunOptions][] = [
  ["proofs.wasm", { invoke: "mixed", args: [i32(5)] }],
  ["proofs.wasm", { invoke: "calls", args: [i32(3)] }],
  ["proofs.wasm", { invoke: "indirect", args: [i32(6), i32(0)] }],
  ["proofs.wasm", { invoke: "tables", args: [i32(3)] }],
  ["proofs.wasm", { invoke: "mem", args: [i32(3)] }],
  ["kernels.wasm", { invoke: "matmul", args: [i32(3)] }],
  ["kernels.wasm", { invoke: "fib", args: [i32(5)] }],
  ["bulk.wasm", { invoke: "bulk", args: [i32(1500)] }],
  ["bulk.wasm", { invoke: "tables", args: [i32(3)] }],
];

describe("step proof codec", () => {
  it("decode(encode(p)) = p and the decoded proof verifies, for every step of runs covering each class", () => {
    let n = 0;
    let callees = 0;
    let callers = 0;
    let chunks = 0;
    for (const [file, opts] of runs) {
      for (const { pre, proof, post } of proofsOf(file, opts)) {
        const bytes = encodeStepProof(proof);
        const back = decodeStepProof(bytes);
        expect(back).toEqual(proof);
        expect(encodeStepProof(back)).toEqual(bytes);
        expect(equal(verifyStep(pre, back), post)).toBe(true);
        if (proof.callee) callees++;
        if (proof.caller) callers++;
        chunks += proof.dataChunks.length;
        n++;
      }
    }
    expect(n).toBeGreaterThan(150);
    expect(callees).toBeGreaterThan(0);
    expect(callers).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThan(0);
  }, 120_000);

  it("host-call proofs round trip (input chunks, output midstate, kv paths with and without values, deletes)", () => {
    const enc = new TextEncoder();
    const jobs: [string, RunOptions][] = [
      ["hostcalls.wasm", { invoke: "_start", input: enc.encode("input bytes ".repeat(200)), clockNs: 123n }],
      [
        "kv.wasm",
        {
          invoke: "run",
          input: enc.encode("ab"),
          initialState: new Map([["636f756e74", new Uint8Array([41, 0, 0, 0])]]),
        },
      ],
      [
        "hostcalls.wasm",
        {
          invoke: "del",
          initialState: new Map([
            ["61", enc.encode("A")],
            ["62", enc.encode("B")],
            ["63", enc.encode("C")],
          ]),
        },
      ],
    ];
    let hosts = 0;
    let kvs = 0;
    for (const [file, opts] of jobs) {
      const s = new StepSession({ bytes: fixture(file), opts });
      for (let n = 0; n < 5000; n++) {
        s.advance(n);
        if (s.finished) break;
        const pre = s.commitment();
        const proof = s.prove();
        if (!proof.host) continue;
        const post = s.advance(n + 1).commitment();
        const bytes = encodeStepProof(proof);
        const back = decodeStepProof(bytes);
        expect(back).toEqual(proof);
        expect(equal(verifyStep(pre, back), post), `${file} step ${n}`).toBe(true);
        hosts++;
        if (proof.host.kv) kvs++;
      }
    }
    expect(hosts).toBeGreaterThan(10);
    expect(kvs).toBeGreaterThan(3);
  });

  it("refuses truncated, trailing, oversized and non-canonical input", () => {
    const proof = first("proofs.wasm", { invoke: "calls", args: [i32(2)] });
    const bytes = encodeStepProof(proof);
    for (const cut of [0, 1, 10, bytes.length - 1])
      expect(() => decodeStepProof(bytes.subarray(0, cut))).toThrow(StepProofError);
    expect(() => decodeStepProof(Uint8Array.from([...bytes, 0]))).toThrow(/trailing/);
    expect(() => decodeStepProof(bytes, bytes.length - 1)).toThrow(/at most/);
    expect(() => decodeStepProof(new Uint8Array(MAX_STEP_PROOF_BYTES + 1))).toThrow(/at most/);
    const v = bytes.slice();
    v[0] = 2;
    expect(() => decodeStepProof(v)).toThrow(/version/);
    // The caller flag (last byte when there is no caller) must be 0 or 1.
    expect(proof.caller).toBeUndefined();
    const flag = bytes.slice();
    flag[bytes.length - 1] = 2;
    expect(() => decodeStepProof(flag)).toThrow(/flag/);
  });

  it("refuses an unknown value tag and a list count beyond the bytes left (before allocating)", () => {
    const proof = first("proofs.wasm", { invoke: "mixed", args: [i32(1)] }, (p) =>
      p.stack.some((w) => typeof w.value === "number"),
    );
    const k = proof.stack.findIndex((w) => typeof w.value === "number");
    const w = proof.stack[k] as StepProof["stack"][number];
    const a = encodeStepProof(proof);
    const stack = proof.stack.map((x, i) => (i === k ? { ...w, value: ((w.value as number) ^ 1) | 0 } : x));
    const b = encodeStepProof({ ...proof, stack });
    const at = a.findIndex((x, i) => x !== b[i]);
    expect(at).toBeGreaterThan(0);
    const bad = a.slice();
    bad[at - 4] = 9; // the tag byte before the 4-byte i32
    expect(() => decodeStepProof(bad)).toThrow(/value tag/);
    // The stack list's count sits right before its first witness's index.
    const empty = encodeStepProof({ ...proof, stack: [] });
    const countAt = empty.findIndex((x, i) => x !== a[i]) - 3;
    const huge = empty.slice();
    new DataView(huge.buffer).setUint32(countAt, 0xffffffff);
    expect(() => decodeStepProof(huge)).toThrow(/list longer/);
  });

  it("gas grows with the proof's size and is deterministic", () => {
    const small = encodeStepProof(first("proofs.wasm", { invoke: "mixed", args: [i32(1)] }));
    const big = encodeStepProof(first("proofs.wasm", { invoke: "mem", args: [i32(2)] }, (p) => p.memory.length > 0));
    expect(verifyStepGas(big)).toBeGreaterThan(verifyStepGas(small));
    expect(verifyStepGas(small)).toBe(verifyStepGas(small.length));
  });
});
