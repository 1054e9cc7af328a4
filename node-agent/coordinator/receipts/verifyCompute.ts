/**
 * @module A committee member's independent check of a proposed COMPUTE receipt: the node's signed result (a
 * completed run with a well-formed ExecutionCommitment), the user-signed workload it answers (same id; module
 * hash, input hash, checkpoint interval, fuel and memory limits as signed, the empty start state; cycles within the
 * signed fuel), the node Active on chain and
 * not operated by the submitter, the workload record on DA backing it (`workloadRecordProblem`: scheduled there, on
 * this node, by a schedule the member recomputes, replicas agreeing), and a receipt body that says exactly that at
 * the chain's compute price.
 */
import { bytesEqual, sha256, toHex } from "../../../common/hash.js";
import { decodeCanonical } from "../../../common/protobuf.js";
import { executionCommitmentProblem, RECEIPT_VERSION } from "../../../common/receipts/receiptBytes.js";
import { usdValueOf } from "../../../modules/receipts/reward.js";
import {
  type ComputeResult,
  type WorkloadSpec,
  WorkloadSubmission,
} from "../../../proto/gen/dsdn/compute/v1/workload.js";
import { NodeStatus } from "../../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  ExecutionCommitment,
  ExecutionKind,
  type ReceiptData,
  ReceiptKind,
  Usage,
} from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { ComputeChain } from "../../compute/candidates.js";
import { MICROVM_CYCLES_PER_MS } from "../../compute/executeMicroVM.js";
import { openResult } from "../../compute/signed.js";
import { verifySubmission } from "../../compute/workload.js";
import { type ComputeRecordSource, commitmentSpecProblem, workloadRecordProblem } from "../../compute/workloadCheck.js";
import type { ReceiptsChain } from "./chain.js";
import { ReceiptRefusedError } from "./verifyUsage.js";

export interface ComputeEvidence {
  readonly result: ComputeResult;
  readonly spec: WorkloadSpec;
  readonly workloadId: Uint8Array;
  readonly usage: Usage;
  readonly resultHash: Uint8Array;
}

const refuse = (reason: string): never => {
  throw new ReceiptRefusedError(reason);
};

/** What a member reads to check the workload record: DA's compute records and the chain at the recorded height. */
export interface WorkloadRecordView {
  readonly records: ComputeRecordSource;
  readonly chain: ComputeChain;
}

export async function verifyComputeEvidence(
  resultBytes: Uint8Array,
  submissionBytes: Uint8Array,
  chain: Pick<ReceiptsChain, "chainId" | "node">,
  workloads: WorkloadRecordView | undefined,
): Promise<ComputeEvidence> {
  let result: ComputeResult;
  try {
    result = openResult(resultBytes);
  } catch (e) {
    return refuse(`compute result: ${(e as Error).message}`);
  }
  if (!result.completed || !result.commitment) refuse("the run did not complete");
  let sub: WorkloadSubmission;
  let id: Uint8Array;
  try {
    sub = decodeCanonical(WorkloadSubmission, submissionBytes, "WorkloadSubmission");
    id = verifySubmission(sub, await chain.chainId());
  } catch (e) {
    return refuse(`workload: ${(e as Error).message}`);
  }
  const spec = sub.spec!;
  const ec = result.commitment!;
  if (!bytesEqual(result.workloadId, id)) refuse("the result is for another workload");
  const problem = executionCommitmentProblem(ec, id, ReceiptKind.RECEIPT_KIND_COMPUTE);
  if (problem) refuse(`execution commitment: ${problem}`);
  // The kind follows the signed runtime: a WASM job answered with a MicroVM commitment would dodge the fraud game.
  const microvm = ec.executionKind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT;
  if (microvm !== (spec.runtime === "microvm"))
    refuse(
      microvm
        ? "execution commitment: a MicroVM commitment for a WASM workload (its run must be provable step by step)"
        : "execution commitment: a MicroVM workload's result must be of the MicroVM kind",
    );
  // Module, input, and for a WASM run the signed interval and everything its step 0 depends on (workloadCheck.ts).
  const specProblem = commitmentSpecProblem(ec, spec);
  if (specProblem) refuse(`execution commitment: ${specProblem}`);
  if (microvm) {
    // Wall-clock ms at the nominal rate (executeMicroVM.ts), within the signed wall-clock limit.
    const max = BigInt(spec.timeoutSeconds) * 1000n * MICROVM_CYCLES_PER_MS;
    if (result.computeCycles === 0n || result.computeCycles > max)
      refuse(`compute cycles ${result.computeCycles} must be 1..${max} (the signed timeout)`);
  } else if (ec.steps === 0n || result.computeCycles === 0n || result.computeCycles > spec.fuel)
    refuse(`compute cycles ${result.computeCycles} must be 1..${spec.fuel} (the signed fuel)`);
  const node = await chain.node(result.nodeId);
  if (!node) return refuse(`node ${toHex(result.nodeId).slice(0, 16)}… is not registered`);
  if (node.status !== NodeStatus.NODE_STATUS_ACTIVE) refuse(`node is not Active (${node.statusReason || node.status})`);
  if (node.operator === spec.submitter) refuse("self-dealing: the node's operator submitted the workload");
  // The coordinator's word is not enough: without its own view of DA a member signs no compute receipt.
  if (!workloads)
    return refuse("this member has no DA view of workload records (start it with --da and --coordinator)");
  const recordProblem = await workloadRecordProblem(toHex(id), result, workloads.records, workloads.chain);
  if (recordProblem) refuse(`workload record: ${recordProblem}`);
  return {
    result,
    spec,
    workloadId: id,
    usage: Usage.fromPartial({ computeCycles: result.computeCycles }),
    resultHash: sha256(resultBytes),
  };
}

/** The receipt body a proposer builds for compute evidence (signers and timestamp aside, every member gets the same). */
export function computeReceiptBody(
  ev: ComputeEvidence,
  o: { chainId: string; epoch: bigint; timestamp: bigint; params: Parameters<typeof usdValueOf>[2] },
): ReceiptData {
  return {
    version: RECEIPT_VERSION,
    chainId: o.chainId,
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: Buffer.from(ev.workloadId),
    nodeId: Buffer.from(ev.result.nodeId),
    usageProofHash: Buffer.from(ev.resultHash),
    executionCommitment: ev.result.commitment!,
    submitter: ev.spec.submitter,
    epoch: o.epoch,
    sequence: 0n,
    timestamp: o.timestamp,
    usage: ev.usage,
    reward: usdValueOf(ReceiptKind.RECEIPT_KIND_COMPUTE, ev.usage, o.params).toString(),
    signers: [],
  };
}

/** A proposed compute body must be exactly computeReceiptBody(evidence) with the proposer's timestamp. */
export function checkComputeBody(
  body: ReceiptData,
  ev: ComputeEvidence,
  o: { chainId: string; epoch: bigint; params: Parameters<typeof usdValueOf>[2]; nowSeconds: bigint; maxSkew?: bigint },
): void {
  const want = computeReceiptBody(ev, { ...o, timestamp: body.timestamp });
  const enc = (d: ReceiptData) =>
    Buffer.from(
      JSON.stringify({
        ...d,
        executionCommitment: Buffer.from(ExecutionCommitment.encode(d.executionCommitment!).finish()).toString("hex"),
        usage: Buffer.from(Usage.encode(d.usage ?? Usage.fromPartial({})).finish()).toString("hex"),
        workloadId: toHex(d.workloadId),
        nodeId: toHex(d.nodeId),
        usageProofHash: toHex(d.usageProofHash),
        epoch: d.epoch.toString(),
        sequence: d.sequence.toString(),
        timestamp: d.timestamp.toString(),
      }),
    );
  if (!body.executionCommitment || !enc(body).equals(enc(want)))
    refuse("compute receipt body does not match the evidence");
  const max = o.maxSkew ?? 300n;
  const skew = o.nowSeconds - body.timestamp;
  if (skew > max || skew < -max) refuse(`timestamp ${body.timestamp} is more than ${max} s from this member's clock`);
}
