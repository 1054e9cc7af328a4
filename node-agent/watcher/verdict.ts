/**
 * @module What a watcher concludes from its own run of a receipt's workload: nothing to dispute when the
 * commitment matches (output hash, state root after, trace root, steps, K), otherwise the challenge to open —
 * InvalidOutput with its own output hash when the outputs differ, else (state root or steps differ) FakeExecution up
 * to the node's last checkpoint (the whole committed run, whose final state the node must then open); a trace root
 * that alone differs: InvalidStateTransition with an empty claim, a Merkle descent of the node's checkpoint tree.
 */
import { checkpointCount } from "../../modules/fraud/index.js";
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import type { ExecutionCommitment } from "../../proto/gen/dsdn/receipts/v1/receipts.js";

export interface Dispute {
  readonly type: DisputeType;
  readonly claim: Uint8Array;
  /** Which committed fields differ (for the log). */
  readonly differs: readonly string[];
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

export function disputeOf(node: ExecutionCommitment, mine: ExecutionCommitment): Dispute | undefined {
  const differs: string[] = [];
  if (!same(node.outputHash, mine.outputHash)) differs.push("output_hash");
  if (!same(node.stateRootAfter, mine.stateRootAfter)) differs.push("state_root_after");
  if (!same(node.executionTraceMerkleRoot, mine.executionTraceMerkleRoot)) differs.push("trace_root");
  if (node.steps !== mine.steps) differs.push("steps");
  if (node.traceEvery !== mine.traceEvery) differs.push("trace_every");
  if (differs.length === 0) return undefined;
  // Same output, state root, steps and K from another trace root: both ends agree, so a dispute to the end would lose,
  // and the interior checkpoint to name is in the node's tree, not the receipt. The Merkle descent finds it on chain:
  // the leftmost checkpoint where the node's tree and this run's differ, whose predecessor is then the true one.
  if (differs.length === 1 && differs[0] === "trace_root")
    return { type: DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, claim: new Uint8Array(0), differs };
  if (differs.includes("output_hash"))
    return { type: DisputeType.DISPUTE_TYPE_INVALID_OUTPUT, claim: Buffer.from(mine.outputHash), differs };
  const claim = Buffer.alloc(8);
  claim.writeBigUInt64BE(checkpointCount(node.steps, node.traceEvery) - 1n);
  return { type: DisputeType.DISPUTE_TYPE_FAKE_EXECUTION, claim, differs };
}
