/** MicroVM workloads, the user and scheduler side: intent fields, resolved defaults, spec rules, backend offers. */
import { describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../common/secp256k1.js";
import { DEFAULT_SCHEDULER_WEIGHTS } from "../scheduler/params.js";
import { type ScheduleRequest, type SchedulerNode, schedule } from "../scheduler/schedule.js";
import { offeredMicroVM } from "./candidates.js";
import { type IntentError, parseIntent } from "./intent.js";
import { resolveIntent } from "./resolve.js";
import { buildWorkloadSpec, workloadId, workloadSpecProblem } from "./workload.js";

const ALICE = pubKeyToAddress(secp256k1KeyPair(new Uint8Array(32).fill(7)).publicKey);
const CID = `bafkrei${"a".repeat(52)}`;
const fieldOf = (text: string) => {
  try {
    parseIntent(text);
  } catch (e) {
    return (e as IntentError).field;
  }
  return "(valid)";
};
const MICROVM = "type: batch\nruntime: microvm\nimage: ./img\ncommand: [sh, -c, wc -c]\n";
const build = (text: string) =>
  buildWorkloadSpec(resolveIntent(parseIntent(text)), {
    chainId: "nusantara-localnet-1",
    submitter: ALICE,
    moduleCid: CID,
    inputCid: "",
    moduleSize: 10_240,
    inputSize: 0,
    moduleHash: new Uint8Array(32).fill(1),
    inputHash: new Uint8Array(32).fill(2),
  });

describe("MicroVM intent", () => {
  it("validates runtime, image and command, naming the field", () => {
    expect(fieldOf(MICROVM)).toBe("(valid)");
    expect(fieldOf("type: batch\nruntime: microvm\ncommand: [cat]\n")).toBe("image");
    expect(fieldOf("type: batch\nruntime: microvm\nimage: img\n")).toBe("command");
    expect(fieldOf("type: web_app\nruntime: microvm\nimage: img\ncommand: [cat]\n")).toBe("runtime");
    expect(fieldOf(`${MICROVM}entry: a.wasm\n`)).toBe("entry");
    expect(fieldOf(`${MICROVM}replicas: 1\n`)).toBe("replicas");
    expect(fieldOf("type: batch\nentry: a.wasm\ncommand: [cat]\n")).toBe("command");
    expect(fieldOf("type: batch\nentry: a.wasm\nimage: img\n")).toBe("image");
    expect(fieldOf("type: batch\nruntime: docker\nentry: a.wasm\n")).toBe("runtime");
    expect(fieldOf("type: batch\nruntime: microvm\nimage: img\ncommand: []\n")).toBe("command");
    expect(fieldOf(`type: batch\nruntime: microvm\nimage: img\ncommand: [${"x".repeat(2000)}]\n`)).toBe("command.0");
  });

  it("resolves with sources: 2 replicas by default, wasm when unstated", () => {
    const r = resolveIntent(parseIntent(MICROVM));
    expect(r.runtime).toEqual({ value: "microvm", source: "intent" });
    expect(r.image).toEqual({ value: "./img", source: "intent" });
    expect(r.command.value).toEqual(["sh", "-c", "wc -c"]);
    expect(r.replicas.value).toBe(2);
    expect(r.replicas.source).toMatch(/not provable step by step/);
    const w = resolveIntent(parseIntent("type: batch\nentry: a.wasm\n"));
    expect(w.runtime).toEqual({ value: "wasm", source: expect.stringMatching(/^default: /) });
    expect(w.command.value).toBeNull();
  });

  it("a WASM spec encodes as before (runtime empty: same workload id); a MicroVM spec carries runtime and argv", () => {
    const wasm = build("type: batch\nentry: a.wasm\n");
    expect(wasm.runtime).toBe("");
    expect(wasm.command).toEqual([]);
    expect(workloadSpecProblem(wasm)).toBeUndefined();
    const vm = build(MICROVM);
    expect(vm).toMatchObject({ runtime: "microvm", command: ["sh", "-c", "wc -c"], replicas: 2 });
    expect(workloadSpecProblem(vm)).toBeUndefined();
    expect(Buffer.from(workloadId(vm)).equals(Buffer.from(workloadId({ ...vm, command: ["cat"] })))).toBe(false);
  });

  it("refuses a hand-built spec that breaks the runtime rules", () => {
    const vm = build(MICROVM);
    expect(workloadSpecProblem({ ...vm, replicas: 1 })?.[0]).toBe("replicas");
    expect(workloadSpecProblem({ ...vm, runtime: "docker" })?.[0]).toBe("runtime");
    expect(workloadSpecProblem({ ...vm, workloadType: "web_app" })?.[0]).toBe("runtime");
    expect(workloadSpecProblem({ ...vm, command: [] })?.[0]).toBe("command");
    expect(workloadSpecProblem({ ...vm, command: ["a\0b"] })?.[0]).toBe("command");
    expect(workloadSpecProblem({ ...build("type: batch\nentry: a.wasm\n"), command: ["sh"] })?.[0]).toBe("command");
  });
});

describe("MicroVM scheduling", () => {
  const node = (i: number, microvmBackend?: "bwrap" | "mock"): SchedulerNode => ({
    nodeId: i.toString(16).padStart(64, "0"),
    operator: `op${i}`,
    status: "active",
    staked: true,
    stakeWeightMicro: 1_000_000n,
    zone: "z",
    class: "regular",
    resources: {
      cpuFreePermille: 900 - i,
      ramFreeBytes: 8n << 30n,
      gpuFreePermille: 0,
      latencyMs: 5,
      ioPressurePermille: 0,
    },
    ...(microvmBackend ? { microvmBackend } : {}),
  });
  const req = (over: Partial<ScheduleRequest> = {}): ScheduleRequest => ({
    workloadId: new Uint8Array(32).fill(1),
    submitter: "alice",
    affinity: new Set(),
    replicas: 2,
    zones: [],
    nodeClass: "regular",
    memoryBytes: 64n << 20n,
    runtime: "microvm",
    ...over,
  });

  it("picks only nodes offering a backend; with none, a clear error", () => {
    const nodes = [node(1), node(2, "bwrap"), node(3), node(4, "mock")];
    const s = schedule(nodes, req(), DEFAULT_SCHEDULER_WEIGHTS);
    expect([...s.chosen].sort()).toEqual([nodes[1]!.nodeId, nodes[3]!.nodeId]);
    expect(s.ranking.find((r) => r.nodeId === nodes[0]!.nodeId)?.excluded).toBe("no_microvm");
    expect(() => schedule([node(1), node(2)], req(), DEFAULT_SCHEDULER_WEIGHTS)).toThrow(
      /no node offers the microvm runtime/,
    );
    // WASM workloads still run anywhere.
    expect(schedule([node(1), node(2)], req({ runtime: "wasm" }), DEFAULT_SCHEDULER_WEIGHTS).chosen).toHaveLength(2);
  });

  it("accepts a mock backend only on a localnet chain id", () => {
    expect(offeredMicroVM("bwrap", "nusantara-1")).toBe("bwrap");
    expect(offeredMicroVM("mock", "nusantara-1")).toBeUndefined();
    expect(offeredMicroVM("mock", "nusantara-localnet-1")).toBe("mock");
    expect(offeredMicroVM("mock", "nusantara-local")).toBe("mock");
    expect(offeredMicroVM("", "nusantara-localnet-1")).toBeUndefined();
    expect(offeredMicroVM("qemu", "nusantara-localnet-1")).toBeUndefined();
  });
});
