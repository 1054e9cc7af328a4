/**
 * Compute receipts through the same FROST path as storage receipts: the committee re-checks the node's signed
 * result and the user-signed workload, threshold-signs a COMPUTE receipt whose commitment is the real run's, and the
 * chain accepts the claim as pending (the challenge window is the receipts module's). Attacks: a commitment that
 * does not match the signed module, cycles beyond the signed fuel, self-dealing, a forged result; and a coordinator
 * asking for a receipt the DA workload record does not back (job never on DA, node not scheduled, a record whose
 * choice is not schedule()'s, a submission whose input is not the recorded one). Replica agreement: service.test.ts.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSignReceipt } from "../../../clients/sdk/receipts.js";
import { cidForBytes } from "../../../common/cid.js";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { sha256, toHex } from "../../../common/hash.js";
import { decodeReceiptData, decodeThresholdReceipt } from "../../../common/receipts/receiptBytes.js";
import type { Secp256k1KeyPair } from "../../../common/secp256k1.js";
import {
  ComputeResult,
  NodeHeartbeat,
  WorkloadSpec,
  WorkloadSubmission,
} from "../../../proto/gen/dsdn/compute/v1/workload.js";
import { WorkloadScheduled } from "../../../proto/gen/dsdn/da/v1/events.js";
import { ExecutionCommitment, ExecutionKind, ReceiptKind } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { addressOf, claimMsg, type Fixture } from "../../../test/support/receiptFixture.js";
import {
  harnessNodeKey,
  type ReceiptHarness,
  startReceiptHarness,
  testChainView,
} from "../../../test/support/receiptsHarness.js";
import { CHAIN_ID } from "../../../test/support/testChain.js";
import { executeWorkload } from "../../compute/execute.js";
import { MICROVM_CYCLES_PER_MS } from "../../compute/executeMicroVM.js";
import { signHeartbeat, signResult } from "../../compute/signed.js";
import { signSubmission, workloadId } from "../../compute/workload.js";
import { verifyComputeEvidence } from "./verifyCompute.js";

const wc = new Uint8Array(readFileSync(new URL("../../runtime/fixtures/wc.wasm", import.meta.url)));
const input = new TextEncoder().encode("compute receipts\nthrough frost\n");

/** Objects the test node can fetch by CID. */
const objects = new Map([
  [cidForBytes(wc), wc],
  [cidForBytes(input), input],
]);

let h: ReceiptHarness;
let fx: Fixture;
beforeAll(async () => {
  h = await startReceiptHarness({ chainClock: true });
  fx = h.fx;
}, 60_000);
afterAll(() => h?.close());

function spec(submitter: Secp256k1KeyPair, over: Partial<WorkloadSpec> = {}): WorkloadSpec {
  return WorkloadSpec.fromPartial({
    version: 1,
    chainId: CHAIN_ID,
    submitter: addressOf(submitter),
    moduleCid: cidForBytes(wc),
    inputCid: cidForBytes(input),
    workloadType: "batch",
    fuel: 10_000_000n,
    memoryPages: 16,
    traceEvery: 1024n,
    timeoutSeconds: 60,
    replicas: 1,
    agreement: "majority",
    nodeClass: "regular",
    moduleSize: BigInt(wc.length),
    inputSize: BigInt(input.length),
    moduleHash: Buffer.from(sha256(wc)),
    inputHash: Buffer.from(sha256(input)),
    ...over,
  });
}

/** The harness node's signed heartbeat (what a WorkloadScheduled record carries). */
function heartbeat(key = harnessNodeKey): Buffer {
  return Buffer.from(
    NodeHeartbeat.encode(
      signHeartbeat(
        {
          sequence: 1n,
          cpuFreePermille: 500,
          ramFreeBytes: 4n << 30n,
          gpuFreePermille: 0,
          latencyMs: 10,
          ioPressurePermille: 0,
          atMs: BigInt(Date.now()), // the time the record's submission is signed (members refuse a heartbeat from another time)
        },
        key,
      ),
    ).finish(),
  );
}

/** What a coordinator puts on DA when it schedules `submission` on `nodes`. */
function scheduled(submission: Uint8Array, o: { nodes?: Uint8Array[]; heartbeats?: Buffer[] } = {}): WorkloadScheduled {
  const sub = WorkloadSubmission.decode(submission);
  return WorkloadScheduled.fromPartial({
    workloadId: Buffer.from(workloadId(sub.spec!)),
    submission: Buffer.from(submission),
    nodeIds: (o.nodes ?? [harnessNodeKey.publicKey]).map((n) => Buffer.from(n)),
    chainHeight: fx.chain.height,
    heartbeats: o.heartbeats ?? [heartbeat()],
  });
}

async function evidence(
  s: WorkloadSpec,
  signer: Secp256k1KeyPair,
  tamper?: (r: ComputeResult) => ComputeResult,
  o: { onDA?: boolean } = {},
) {
  const r = await executeWorkload(s, {
    fetchObject: async (cid) => objects.get(cid)!,
    storeObject: async (b) => cidForBytes(b),
    traceDir: mkdtempSync(join(tmpdir(), "dsdn-cr-")),
    keepTraceMs: 1000,
  });
  if (r.state !== "completed") throw new Error(r.reason);
  let result: ComputeResult = ComputeResult.fromPartial({
    workloadId: Buffer.from(r.workloadId, "hex"),
    completed: true,
    outputCid: r.outputCid,
    commitment: r.commitment,
    computeCycles: r.cycles,
    logs: [...r.logs],
    finishedAtMs: 1n,
  });
  if (tamper) result = tamper(result);
  const workloadSubmission = Buffer.from(WorkloadSubmission.encode(signSubmission(s, signer)).finish());
  if (o.onDA !== false) h.records.schedule(scheduled(workloadSubmission));
  return {
    usageProof: Buffer.alloc(0),
    computeResult: Buffer.from(signResult(result, harnessNodeKey)),
    workloadSubmission,
    commitment: r.commitment,
    result,
  };
}

describe("compute receipts through the committee", () => {
  it("3-of-4 sign a COMPUTE receipt carrying the real run's commitment; the node's claim is refused inside the window and paid after it", async () => {
    const s = spec(fx.alice);
    const ev = await evidence(s, fx.alice);
    const res = await h.proposer(1).handleRequest(ev);
    const tr = decodeThresholdReceipt(res.thresholdReceipt);
    const d = decodeReceiptData(tr.receiptData);
    expect(d.kind).toBe(ReceiptKind.RECEIPT_KIND_COMPUTE);
    expect(d.signers).toHaveLength(3);
    expect(d.submitter).toBe(addressOf(fx.alice));
    expect(toHex(d.executionCommitment!.executionTraceMerkleRoot)).toBe(toHex(ev.commitment.executionTraceMerkleRoot));
    expect(d.usage!.computeCycles).toBeGreaterThan(0n);
    expect(BigInt(d.reward)).toBe((d.usage!.computeCycles * 50n * 1000n) / 1_000_000n); // nano-USD (receipt v2)
    expect(BigInt(d.reward)).toBeGreaterThan(0n);
    const claim = () =>
      fx.chain.exec(fx.bob, [
        claimMsg(addressOf(fx.bob), { receipt: tr, nodeSignature: nodeSignReceipt(tr, harnessNodeKey.secretKey) }),
      ]);
    const early = claim();
    expect([early.codespace, early.code], early.log).toEqual(["receipts", 20]);
    expect(early.log).toMatch(/claimable from block time/);
    fx.chain.block([], { dt: 3_600n + 600n + 60n }); // base + 10 min for the first (partial) MB, and a minute
    const r = claim();
    expect(r.code, r.log).toBe(0);
  });

  it.each([
    [
      "a commitment for another module",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, moduleHash: Buffer.alloc(32, 1) } }),
      /module_hash/,
    ],
    [
      "a zero trace root",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, executionTraceMerkleRoot: Buffer.alloc(32) } }),
      /zero hash/,
    ],
    ["cycles beyond the signed fuel", (r: ComputeResult) => ({ ...r, computeCycles: 10_000_001n }), /signed fuel/],
    [
      "another checkpoint interval",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, traceEvery: 7n } }),
      /trace_every/,
    ],
    // Step 0 holds the run's limits and start state; the chain pins it from what the receipt states, so a receipt
    // must state the signed spec's (a node that ran with more fuel would otherwise commit to a start of its choosing).
    [
      "a fuel limit other than the signed fuel",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, fuelLimit: 20_000_000n } }),
      /fuel_limit/,
    ],
    [
      "a memory limit other than the signed pages",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, memoryPages: 17 } }),
      /memory_pages/,
    ],
    [
      "a start from a non-empty kv state",
      (r: ComputeResult) => ({ ...r, commitment: { ...r.commitment!, stateRootBefore: Buffer.alloc(32, 7) } }),
      /state_root_before/,
    ],
  ])("members refuse %s", async (_what, tamper, why) => {
    const ev = await evidence(spec(fx.alice), fx.alice, tamper);
    await expect(h.proposer(2).handleRequest(ev)).rejects.toThrow(why);
  });

  it("members refuse a MicroVM-kind commitment for a WASM workload (it would dodge the step-by-step fraud game)", async () => {
    const ev = await evidence(spec(fx.alice, { name: "kind-swap" }), fx.alice, (r) => ({
      ...r,
      commitment: ExecutionCommitment.fromPartial({
        workloadId: r.commitment!.workloadId,
        inputHash: r.commitment!.inputHash,
        outputHash: r.commitment!.outputHash,
        outputSize: r.commitment!.outputSize,
        moduleHash: r.commitment!.moduleHash,
        executionKind: ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT,
      }),
    }));
    await expect(h.proposer(2).handleRequest(ev)).rejects.toThrow(/a MicroVM commitment for a WASM workload/);
  });

  describe("a MicroVM workload's result (no steps, no trace_every: its kind says so)", () => {
    const image = new Uint8Array(2048);
    const mvSpec = (over: Partial<WorkloadSpec> = {}) =>
      spec(fx.alice, {
        name: "microvm",
        runtime: "microvm",
        command: ["/bin/sh", "run.sh"],
        replicas: 2,
        moduleCid: cidForBytes(image),
        moduleSize: BigInt(image.length),
        moduleHash: Buffer.from(sha256(image)),
        ...over,
      });
    const signed = (s: WorkloadSpec, kind: ExecutionKind, cycles = 1234n) => {
      const output = new TextEncoder().encode("out\n");
      const commitment = ExecutionCommitment.fromPartial({
        workloadId: Buffer.from(workloadId(s)),
        inputHash: Buffer.from(sha256(input)),
        outputHash: Buffer.from(sha256(output)),
        outputSize: BigInt(output.length),
        moduleHash: Buffer.from(sha256(image)),
        executionKind: kind,
        ...(kind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT
          ? {}
          : {
              stateRootBefore: Buffer.alloc(32, 1),
              stateRootAfter: Buffer.alloc(32, 2),
              executionTraceMerkleRoot: Buffer.alloc(32, 3),
              steps: 10n,
              traceEvery: s.traceEvery,
              fuelLimit: s.fuel,
              memoryPages: s.memoryPages,
            }),
      });
      const result = signResult(
        {
          workloadId: Buffer.from(workloadId(s)),
          completed: true,
          outputCid: cidForBytes(output),
          commitment,
          computeCycles: cycles,
          logs: [],
          finishedAtMs: 1n,
          reason: "",
        },
        harnessNodeKey,
      );
      return [result, WorkloadSubmission.encode(signSubmission(s, fx.alice)).finish()] as const;
    };

    it("passes every commitment check (then only the replicas' agreement on DA decides)", async () => {
      const [r, sub] = signed(mvSpec(), ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT);
      // Without a DA view a member refuses at the record check: the commitment checks before it all passed.
      await expect(verifyComputeEvidence(r, sub, testChainView(fx), undefined)).rejects.toThrow(/no DA view/);
    });

    it("is refused when it claims the WASM kind, or wall-clock cycles beyond the signed timeout", async () => {
      const [r, sub] = signed(mvSpec({ name: "mv-wasm-kind" }), ExecutionKind.EXECUTION_KIND_TRACED_WASM);
      await expect(verifyComputeEvidence(r, sub, testChainView(fx), undefined)).rejects.toThrow(
        /a MicroVM workload's result must be of the MicroVM kind/,
      );
      // 60 s signed: at most 60 000 ms at the nominal rate; one cycle more is refused, exactly that passes.
      const s60 = mvSpec({ name: "mv-timeout", timeoutSeconds: 60 });
      const max = 60n * 1000n * MICROVM_CYCLES_PER_MS;
      const [r2, sub2] = signed(s60, ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT, max + 1n);
      await expect(verifyComputeEvidence(r2, sub2, testChainView(fx), undefined)).rejects.toThrow(/signed timeout/);
      const [r3, sub3] = signed(s60, ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT, max);
      await expect(verifyComputeEvidence(r3, sub3, testChainView(fx), undefined)).rejects.toThrow(/no DA view/);
    });
  });

  it("refuses self-dealing (the node's operator submitted the workload) and a forged result", async () => {
    await expect(h.proposer(1).handleRequest(await evidence(spec(fx.bob), fx.bob))).rejects.toThrow(/self-dealing/);
    const ev = await evidence(spec(fx.alice), fx.alice);
    const forged = Buffer.from(ev.computeResult);
    forged[forged.length - 1]! ^= 1;
    await expect(h.proposer(1).handleRequest({ ...ev, computeResult: forged })).rejects.toThrow(
      /not signed by its node/,
    );
  });

  describe("the workload record on DA (each member checks it itself)", () => {
    it("refuses a job that was never put on DA", async () => {
      const ev = await evidence(spec(fx.alice, { name: "never-on-da" }), fx.alice, undefined, { onDA: false });
      await expect(h.proposer(1).handleRequest(ev)).rejects.toThrow(/no WorkloadScheduled for workload/);
    });

    it("refuses a node the workload was not scheduled on", async () => {
      const s = spec(fx.alice, { name: "other-node" });
      const ev = await evidence(s, fx.alice, undefined, { onDA: false });
      const other = ed25519KeyPair(new Uint8Array(32).fill(0x31));
      h.records.schedule(
        scheduled(ev.workloadSubmission, { nodes: [other.publicKey], heartbeats: [heartbeat(other)] }),
      );
      await expect(h.proposer(1).handleRequest(ev)).rejects.toThrow(/not scheduled for this workload/);
    });

    it("refuses a record whose choice is not what schedule() gives from DA + chain", async () => {
      const s = spec(fx.alice, { name: "unfair-record", replicas: 1 });
      const ev = await evidence(s, fx.alice, undefined, { onDA: false });
      // The record names the harness node but carries no heartbeat for it: schedule() could not have picked it.
      const other = ed25519KeyPair(new Uint8Array(32).fill(0x32));
      h.records.schedule(scheduled(ev.workloadSubmission, { heartbeats: [heartbeat(other)] }));
      await expect(h.proposer(1).handleRequest(ev)).rejects.toThrow(/workload record/);
    });

    it("refuses a result whose input hash is not the recorded submission's (a second spec for another input)", async () => {
      const s = spec(fx.alice, { name: "input-swap" });
      await evidence(s, fx.alice); // the real job, recorded on DA
      const otherInput = new TextEncoder().encode("not the submitted input\n");
      objects.set(cidForBytes(otherInput), otherInput);
      const swapped = spec(fx.alice, {
        name: "input-swap",
        inputCid: cidForBytes(otherInput),
        inputHash: Buffer.from(sha256(otherInput)),
        inputSize: BigInt(otherInput.length),
      });
      // The node ran the recorded module on another input; its commitment names the swapped spec's id.
      const ev = await evidence(swapped, fx.alice, undefined, { onDA: false });
      await expect(h.proposer(1).handleRequest(ev)).rejects.toThrow(/no WorkloadScheduled for workload/);
    });
  });
});
