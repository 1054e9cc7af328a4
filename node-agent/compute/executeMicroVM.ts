/**
 * @module A storage node runs a MicroVM workload: fetch the image tar by CID (checked against the signed sha256 and
 * size), unpack it into a fresh directory, exec the command in the MicroVM with the input on stdin and the spec's
 * memory/time limits, stdout is the output (bounded), stderr the logs. The commitment is of the MicroVM kind: no
 * state roots, trace root or steps — the run is not provable step by step; agreeing replicas back it.
 */
import { rmSync } from "node:fs";
import { sha256, toHex } from "../../common/hash.js";
import { executionCommitmentProblem } from "../../common/receipts/receiptBytes.js";
import type { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { ExecutionCommitment, ExecutionKind, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { MicroVM } from "../runtime/microvm/types.js";
import { type ExecuteDeps, type ExecutionResult, fetchChecked } from "./execute.js";
import { unpackImage } from "./image.js";
import { workloadId } from "./workload.js";

/**
 * A MicroVM run has no instruction count: its wall-clock milliseconds are priced as a nominal 1 GHz core's cycles,
 * so the chain's per-megacycle compute price is a price per millisecond (and a run of at least 1 ms earns ≥ 1 unit at
 * any price ≥ 1). The committee bounds it by the signed wall-clock limit: timeout_seconds × 1000 × this.
 */
export const MICROVM_CYCLES_PER_MS = 1_000_000n;

/** The output a MicroVM job may produce (more is a failed run, never a cut output). */
export const MAX_MICROVM_OUTPUT_BYTES = 64 * 1024 * 1024;

const LIMIT_REASON = {
  memory: "killed at the memory limit",
  processes: "stopped at the process limit",
  timeout: "wall-clock limit reached",
  output: "output exceeds the size limit",
} as const;

/** `makeVM(memoryBytes, timeoutMs)` gives a MicroVM with those limits (createMicroVM with the node's backend). */
export async function executeMicroVMWorkload(
  spec: WorkloadSpec,
  d: ExecuteDeps,
  makeVM: (limits: { memoryBytes: number; timeoutMs: number; maxOutputBytes: number }) => MicroVM,
): Promise<ExecutionResult> {
  const id = workloadId(spec);
  const idHex = toHex(id);
  const image = await fetchChecked(d, spec.moduleCid, spec.moduleSize, spec.moduleHash, "image");
  const input = await fetchChecked(d, spec.inputCid, spec.inputSize, spec.inputHash, "input");
  const root = unpackImage(image);
  const vm = makeVM({
    memoryBytes: spec.memoryPages * 65_536,
    timeoutMs: spec.timeoutSeconds * 1000,
    maxOutputBytes: MAX_MICROVM_OUTPUT_BYTES,
  });
  try {
    await vm.start();
    const r = await vm.exec(spec.command, { stdin: input, imageDir: root });
    const logs = Buffer.from(r.stderr).toString("utf8").split("\n").filter(Boolean);
    const failed = (reason: string): ExecutionResult => ({ state: "failed", workloadId: idHex, reason, logs });
    if (r.limit) return failed(`${LIMIT_REASON[r.limit]} (MicroVM ${vm.backend})`);
    if (r.exitCode !== 0) return failed(r.signal ? `killed by ${r.signal}` : `exited with code ${r.exitCode}`);
    const commitment = ExecutionCommitment.fromPartial({
      workloadId: Buffer.from(id),
      inputHash: Buffer.from(sha256(input)),
      outputHash: Buffer.from(sha256(r.stdout)),
      outputSize: BigInt(r.stdout.length),
      moduleHash: Buffer.from(sha256(image)),
      executionKind: ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT,
    });
    const problem = executionCommitmentProblem(commitment, id, ReceiptKind.RECEIPT_KIND_COMPUTE);
    if (problem) return failed(`the run gives no valid commitment: ${problem}`);
    return {
      state: "completed",
      workloadId: idHex,
      outputCid: await d.storeObject(r.stdout),
      commitment,
      // Wall-clock milliseconds at the nominal rate stand in for metered cycles (no instruction count here).
      cycles: BigInt(Math.max(1, Math.round(r.wallMs))) * MICROVM_CYCLES_PER_MS,
      logs,
      exitCode: r.exitCode,
      tracePath: "",
    };
  } finally {
    await vm.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
