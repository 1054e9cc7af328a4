/**
 * The watcher's conclusion from its own run: nothing on a match; InvalidOutput on another output; only the trace root
 * differing: a Merkle descent (InvalidStateTransition, empty claim); else FakeExecution.
 */
import { describe, expect, it } from "vitest";
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { ExecutionCommitment } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { disputeOf } from "./verdict.js";

const h = (b: number) => Buffer.alloc(32, b);
const mine = ExecutionCommitment.fromPartial({
  outputHash: h(1),
  stateRootAfter: h(2),
  executionTraceMerkleRoot: h(3),
  steps: 1000n,
  traceEvery: 64n,
});

describe("disputeOf", () => {
  it("a matching commitment disputes nothing", () => {
    expect(disputeOf({ ...mine }, mine)).toBeUndefined();
  });
  it("another output: InvalidOutput with the watcher's own output hash", () => {
    const d = disputeOf({ ...mine, outputHash: h(9), executionTraceMerkleRoot: h(8) }, mine)!;
    expect(d.type).toBe(DisputeType.DISPUTE_TYPE_INVALID_OUTPUT);
    expect(Buffer.from(d.claim)).toEqual(h(1));
    expect(d.differs).toEqual(["output_hash", "trace_root"]);
  });
  it("only the trace root differs: a Merkle descent (InvalidStateTransition with an empty claim), not a dispute to the end", () => {
    const d = disputeOf({ ...mine, executionTraceMerkleRoot: h(7) }, mine)!;
    expect(d.type).toBe(DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION);
    expect(d.claim).toHaveLength(0);
    expect(d.differs).toEqual(["trace_root"]);
  });
  it("the same output with another state root or step count: FakeExecution up to the node's last checkpoint", () => {
    for (const over of [{ stateRootAfter: h(7) }, { steps: 999n, executionTraceMerkleRoot: h(7) }]) {
      const node = { ...mine, ...over };
      const d = disputeOf(node, mine)!;
      expect(d.type).toBe(DisputeType.DISPUTE_TYPE_FAKE_EXECUTION);
      const last = (node.steps + 63n) / 64n; // checkpointCount − 1
      expect(Buffer.from(d.claim).readBigUInt64BE(0)).toBe(last);
    }
  });
});
