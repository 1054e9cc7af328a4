/**
 * MicroVM compute receipts on a real chain (in-process): the commitment says explicitly that the run is not provable
 * step by step (execution_kind), the claim pays it after the window like any compute receipt, and every fraud
 * challenge on it is refused with fraud error 20 instead of opening a game over a trace that does not exist.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAny } from "../../common/protobuf.js";
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgChallenge } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { ExecutionKind, ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  type ReceiptParts,
  setupFixture,
  signReceipt,
} from "../../test/support/receiptFixture.js";

const WINDOW = 20n;
let fx: Fixture;
beforeAll(async () => {
  fx = await setupFixture({
    validators: 4,
    receipts: { computeWindowBaseSeconds: WINDOW.toString(), computeWindowMaxSeconds: WINDOW.toString() },
  });
}, 60_000);
afterAll(() => fx?.dispose());

let tag = 0x40;
function microvmReceipt(over: Record<string, unknown> = {}): Promise<ReceiptParts> {
  const w = Buffer.alloc(32, ++tag);
  return signReceipt(fx, {
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: w,
    executionCommitment: {
      workloadId: w,
      inputHash: Buffer.alloc(32, 1),
      outputHash: Buffer.alloc(32, 2),
      stateRootBefore: Buffer.alloc(0),
      stateRootAfter: Buffer.alloc(0),
      executionTraceMerkleRoot: Buffer.alloc(0),
      steps: 0n,
      traceEvery: 0n,
      outputSize: 3n,
      moduleHash: Buffer.alloc(32, 6),
      executionKind: ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT,
      fuelLimit: 0n,
      memoryPages: 0,
      ...over,
    },
    usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 1_000n },
  });
}

const challengeMsg = (by: string, p: ReceiptParts, type: DisputeType, claim: Buffer) =>
  packAny("/dsdn.fraud.v1.MsgChallenge", MsgChallenge, {
    challenger: by,
    receipt: Buffer.from(ThresholdReceipt.encode(p.receipt).finish()),
    disputeType: type,
    claim,
  });

describe("MicroVM compute receipts", () => {
  it("refuses every step-proof challenge with a registered error naming why", async () => {
    const p = await microvmReceipt();
    const by = addressOf(fx.carol);
    for (const [type, claim] of [
      [DisputeType.DISPUTE_TYPE_INVALID_OUTPUT, Buffer.alloc(32, 0x77)],
      [DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION, Buffer.from("0000000000000001", "hex")],
      [DisputeType.DISPUTE_TYPE_FAKE_EXECUTION, Buffer.from("0000000000000001", "hex")],
    ] as const) {
      const r = fx.chain.exec(fx.carol, [challengeMsg(by, p, type, claim)]);
      expect([r.codespace, r.code], r.log).toEqual(["fraud", 20]);
      expect(r.log).toMatch(/not provable step by step/);
    }
  });

  it("is claimed after the window like any compute receipt", async () => {
    const p = await microvmReceipt();
    const BOB = addressOf(fx.bob);
    const inside = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([inside.codespace, inside.code], inside.log).toEqual(["receipts", 20]);
    while (fx.chain.time <= p.data.timestamp + WINDOW) fx.chain.block();
    const paid = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect(paid.code, paid.log).toBe(0);
  });

  it("refuses a MicroVM commitment that carries a (zero) trace root or steps, and a traced one without a root", async () => {
    const BOB = addressOf(fx.bob);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ executionTraceMerkleRoot: Buffer.alloc(32) }, /no state roots or trace root/],
      [{ stateRootAfter: Buffer.alloc(32, 4) }, /no state roots or trace root/],
      [{ steps: 5n }, /no steps/],
      [{ outputHash: Buffer.alloc(32) }, /output_hash must be a 32-byte non-zero hash/],
      [{ executionKind: ExecutionKind.EXECUTION_KIND_TRACED_WASM }, /32 bytes/],
      [{ executionKind: 7 }, /unknown execution_kind/],
    ];
    for (const [over, why] of bad) {
      const r = fx.chain.exec(fx.bob, [claimMsg(BOB, await microvmReceipt(over))]);
      expect([r.codespace, r.code], r.log).toEqual(["receipts", 3]);
      expect(r.log).toMatch(why);
    }
  });
});
