/**
 * @module ExecutionCommitment from a real traced run: every field is the runtime report's (output hash, state
 * roots, trace root, steps), the workload's own bytes (input and module hashes) or the signed limits the run started
 * under (fuel, memory pages: step 0 holds them); nothing is recomputed here.
 */
import { BaseError, ErrorCode } from "../../common/errors.js";
import { fromHex, sha256 } from "../../common/hash.js";
import { executionCommitmentProblem } from "../../common/receipts/receiptBytes.js";
import type { RunReport } from "../../common/wasm/run.js";
import type { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { ExecutionCommitment, ExecutionKind, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";

export function commitmentFromReport(
  workloadId: Uint8Array,
  module: Uint8Array,
  input: Uint8Array,
  report: RunReport,
  limits: Pick<WorkloadSpec, "fuel" | "memoryPages">,
): ExecutionCommitment {
  if (report.traceRoot === null || report.trace === null)
    throw new BaseError(ErrorCode.Internal, "a compute commitment needs a traced run (traceEvery)");
  const ec = ExecutionCommitment.fromPartial({
    workloadId: Buffer.from(workloadId),
    inputHash: Buffer.from(sha256(input)),
    outputHash: Buffer.from(fromHex(report.outputHash)),
    stateRootBefore: Buffer.from(fromHex(report.stateRootBefore)),
    stateRootAfter: Buffer.from(fromHex(report.stateRootAfter)),
    executionTraceMerkleRoot: Buffer.from(fromHex(report.traceRoot)),
    steps: BigInt(report.steps),
    traceEvery: BigInt(report.trace.every),
    outputSize: BigInt(report.output.length),
    moduleHash: Buffer.from(sha256(module)),
    fuelLimit: limits.fuel,
    memoryPages: limits.memoryPages,
  });
  const problem = executionCommitmentProblem(ec, workloadId, ReceiptKind.RECEIPT_KIND_COMPUTE);
  if (problem) throw new BaseError(ErrorCode.Internal, `the run gives no valid commitment: ${problem}`);
  return ec;
}

/** JSON form for `dsdn job status --json`: hashes in hex, integers as decimal strings. */
export function commitmentJson(ec: ExecutionCommitment): Record<string, string> {
  const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
  return {
    workloadId: hex(ec.workloadId),
    inputHash: hex(ec.inputHash),
    outputHash: hex(ec.outputHash),
    stateRootBefore: hex(ec.stateRootBefore),
    stateRootAfter: hex(ec.stateRootAfter),
    executionTraceMerkleRoot: hex(ec.executionTraceMerkleRoot),
    steps: ec.steps.toString(),
    traceEvery: ec.traceEvery.toString(),
    outputSize: ec.outputSize.toString(),
    moduleHash: hex(ec.moduleHash),
    fuelLimit: ec.fuelLimit.toString(),
    memoryPages: String(ec.memoryPages),
    // Whether the run is provable step by step (fraud game) or backed only by agreeing replicas.
    executionKind:
      ec.executionKind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT ? "microvm_redundant" : "traced_wasm",
  };
}
