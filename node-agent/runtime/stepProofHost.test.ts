/**
 * @module One-step proofs of host calls: every host ABI v1 and WASI call of real runs (the
 * hostcalls, kv and wc fixtures) verified against the interpreter's next commitment, and tampered
 * host witnesses (memory, input, kv entry, output midstate, name) refused.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunStatus } from "../../common/wasm/machine.js";
import { Op } from "../../common/wasm/opcodes.js";
import type { HostWitness, StepProof } from "../../common/wasm/proof/proof.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { StepProofError } from "../../common/wasm/proof/sparseTree.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import { type Hash, useSha256 } from "../../common/wasm/trace/hashing.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import { useNativeTraceHash } from "./nativeHash.js";
import { fixture } from "./testing.js";
import { equal } from "./traceTestUtil.js";

beforeAll(() => useNativeTraceHash());
afterAll(() => useSha256(undefined));

const enc = new TextEncoder();

function statusCode(s: RunStatus | undefined): number {
  if (!s || s.status === "paused") return STATUS.running;
  return STATUS[s.status];
}

interface HostStep {
  n: number;
  name: string;
  pre: Hash;
  post: Hash;
  proof: StepProof;
}

/** Runs a job step by step; every host call is proven and verified; returns those steps. */
function hostSteps(file: string, opts: RunOptions): { steps: HostStep[]; status: RunStatus | undefined } {
  const p = prepareJob(fixture(file), opts);
  if (!p.ok) throw new Error(p.refusal.message);
  const { machine, host, instance } = p.job;
  if (!instance) throw new Error("instantiation trapped");
  const prover = new StepProver(machine, instance, host);
  const steps: HostStep[] = [];
  let status: RunStatus | undefined = p.job.started;
  for (let n = 0; status === undefined || status.status === "paused"; n++) {
    const m = machine.frames[machine.frames.length - 1];
    const op = m?.func.compiled.code[m.pc];
    // Only calls are proven here (the instruction classes have their own tests).
    if (op !== Op.CALL && op !== Op.CALL_INDIRECT) {
      status = machine.run(n + 1);
      continue;
    }
    const pre = hashStepState(prover.commitment(STATUS.running));
    const proof = prover.prove();
    status = machine.run(n + 1);
    if (!proof.host) continue;
    const post = hashStepState(prover.commitment(statusCode(status)));
    const got = verifyStep(pre, proof);
    expect(equal(got, post), `${file} step ${n} (${proof.host.name})`).toBe(true);
    steps.push({ n, name: proof.host.name, pre, post, proof });
  }
  return { steps, status };
}

const ALL_HOST = [
  "dsdn_v1.input_len",
  "dsdn_v1.input_read",
  "dsdn_v1.output_write",
  "dsdn_v1.log",
  "dsdn_v1.state_get",
  "dsdn_v1.state_set",
  "dsdn_v1.state_delete",
  "wasi_snapshot_preview1.args_sizes_get",
  "wasi_snapshot_preview1.args_get",
  "wasi_snapshot_preview1.environ_sizes_get",
  "wasi_snapshot_preview1.environ_get",
  "wasi_snapshot_preview1.clock_res_get",
  "wasi_snapshot_preview1.clock_time_get",
  "wasi_snapshot_preview1.random_get",
  "wasi_snapshot_preview1.fd_write",
  "wasi_snapshot_preview1.fd_read",
  "wasi_snapshot_preview1.fd_close",
  "wasi_snapshot_preview1.fd_fdstat_get",
  "wasi_snapshot_preview1.fd_seek",
  "wasi_snapshot_preview1.fd_prestat_get",
  "wasi_snapshot_preview1.sched_yield",
  "wasi_snapshot_preview1.path_open",
  "wasi_snapshot_preview1.proc_exit",
];

const input = enc.encode("input bytes ".repeat(200));

describe("one-step proofs of host calls on real runs", () => {
  it("every host ABI v1 and WASI function of the subset (and an ENOSYS stub, and proc_exit)", () => {
    const { steps, status } = hostSteps("hostcalls.wasm", { invoke: "_start", input, clockNs: 123n });
    expect(status).toEqual({ status: "exit", code: 7 });
    const names = new Set(steps.map((s) => s.name));
    for (const n of ALL_HOST) expect(names.has(n), n).toBe(true);
    expect(steps.length).toBe(33);
  });
  it("the kv fixture (state, output, log) and wc (fd_read across many calls, fd_write, proc_exit)", () => {
    const kv = hostSteps("kv.wasm", {
      invoke: "run",
      input: enc.encode("ab"),
      initialState: new Map([[Buffer.from("count").toString("hex"), new Uint8Array([41, 0, 0, 0])]]),
    });
    expect(kv.status?.status).toBe("done");
    expect(kv.steps.length).toBeGreaterThanOrEqual(4);
    const wc = hostSteps("wc.wasm", { invoke: "_start", input: enc.encode("ab cd\n".repeat(800)) });
    expect(wc.status).toEqual({ status: "exit", code: 0 });
    expect(wc.steps.filter((s) => s.name.endsWith("fd_read")).length).toBeGreaterThanOrEqual(3);
  });
  it("deleting entries (a lone sibling entry moves up) and reading one back", () => {
    const r = hostSteps("hostcalls.wasm", {
      invoke: "del",
      initialState: new Map([
        ["61", enc.encode("A")],
        ["62", enc.encode("B")],
        ["63", enc.encode("C")],
      ]),
    });
    expect(r.status).toEqual({ status: "done", results: [-1] });
    expect(r.steps.map((s) => s.name)).toEqual(["dsdn_v1.state_delete", "dsdn_v1.state_delete", "dsdn_v1.state_get"]);
  });
  it("host calls that trap: an out-of-bounds pointer and an output_write over the per-call cap", () => {
    for (const invoke of ["oob", "big"]) {
      const r = hostSteps("hostcalls.wasm", { invoke });
      expect(r.status?.status, invoke).toBe("trap");
      expect(r.steps.length).toBe(1);
    }
  });
});

describe("tampered host witnesses are refused", () => {
  const { steps } = hostSteps("hostcalls.wasm", { invoke: "_start", input, clockNs: 123n });
  const find = (name: string, pred: (h: HostWitness) => boolean = () => true) => {
    const s = steps.find((x) => x.name === name && pred(x.proof.host as HostWitness));
    if (!s) throw new Error(`no ${name}`);
    return s;
  };
  const withHost = (p: StepProof, h: Partial<HostWitness>): StepProof => ({
    ...p,
    host: { ...(p.host as HostWitness), ...h },
  });
  const refused = (s: HostStep, p: StepProof) => expect(() => verifyStep(s.pre, p)).toThrow(StepProofError);

  it("a wrong input byte, a missing input chunk", () => {
    const s = find("dsdn_v1.input_read", (h) => h.input.length > 0);
    const h = s.proof.host as HostWitness;
    const bytes = (h.input[0] as HostWitness["input"][number]).bytes.slice();
    bytes[0] = (bytes[0] as number) ^ 1;
    refused(s, withHost(s.proof, { input: [{ ...(h.input[0] as HostWitness["input"][number]), bytes }] }));
    refused(s, withHost(s.proof, { input: [] }));
  });
  it("a wrong value of a state entry, a claim that an entry is absent, another key", () => {
    const s = find("dsdn_v1.state_get", (h) => h.kv?.value !== undefined);
    const kv = (s.proof.host as HostWitness).kv as NonNullable<HostWitness["kv"]>;
    refused(s, withHost(s.proof, { kv: { ...kv, value: enc.encode("forged") } }));
    refused(s, withHost(s.proof, { kv: { key: kv.key, path: { siblings: kv.path.siblings, end: null } } }));
    refused(s, withHost(s.proof, { kv: { ...kv, key: enc.encode("zz") } }));
    const { kv: _, ...noKv } = s.proof.host as HostWitness;
    refused(s, { ...s.proof, host: noKv });
  });
  it("a wrong output midstate, log chain or counter in the host commit", () => {
    const s = find("dsdn_v1.output_write");
    const c = (s.proof.host as HostWitness).commit;
    refused(s, withHost(s.proof, { commit: { ...c, output: { ...c.output, length: c.output.length + 64 } } }));
    refused(s, withHost(s.proof, { commit: { ...c, logAcc: new Uint8Array(32).fill(1) } }));
    refused(s, withHost(s.proof, { commit: { ...c, fsOps: c.fsOps + 1 } }));
    refused(s, withHost(s.proof, { commit: { ...c, output: { ...c.output, tail: new Uint8Array(70) } } }));
  });
  it("another function's name, no host witness, a wrong memory chunk", () => {
    const s = find("wasi_snapshot_preview1.clock_time_get");
    refused(s, withHost(s.proof, { name: "wasi_snapshot_preview1.random_get" }));
    const { host: _, ...noHost } = s.proof;
    refused(s, noHost);
    const w = find("wasi_snapshot_preview1.fd_write");
    const mem = w.proof.memory.map((c, i) =>
      i === 0 ? { ...c, bytes: c.bytes.map((b, j) => (j === 0 ? b ^ 1 : b)) } : c,
    );
    refused(w, { ...w.proof, memory: mem });
  });
  it("a proof replayed against the next state", () => {
    const s = find("dsdn_v1.state_set");
    expect(() => verifyStep(s.post, s.proof)).toThrow(StepProofError);
  });
});
