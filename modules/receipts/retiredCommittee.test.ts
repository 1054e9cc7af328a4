import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAny } from "../../common/protobuf.js";
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { MsgChallenge } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { ReceiptKind, ThresholdReceipt } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  queryCommittee,
  type ReceiptParts,
  recordDkg,
  setupFixture,
  signReceipt,
  submitSeed,
} from "../../test/support/receiptFixture.js";
import { TestChain } from "../../test/support/testChain.js";

// Epochs of 20 blocks (100 s), a 5-block handoff, compute windows up to 120 s; a retired committee's receipts are
// accepted 200 s after its term, its record kept 10 s more for evidence.
let fx: Fixture;
let BOB: string;
beforeAll(async () => {
  fx = await setupFixture({
    validators: 4,
    committee: { epochBlocks: "20", handoffBlocks: "5", keyRetentionSeconds: "200", maxEvidenceAgeSeconds: "10" },
    receipts: { computeWindowMaxSeconds: "120" },
  });
  BOB = addressOf(fx.bob);
}, 60_000);
afterAll(() => fx?.dispose());

const computeReceipt = (tag: number, over: Record<string, unknown> = {}, epoch?: bigint) => {
  const w = Buffer.alloc(32, tag);
  return signReceipt(
    fx,
    {
      kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
      workloadId: w,
      executionCommitment: {
        workloadId: w,
        inputHash: Buffer.alloc(32, 1),
        outputHash: Buffer.alloc(32, 2),
        stateRootBefore: Buffer.alloc(32, 3),
        stateRootAfter: Buffer.alloc(32, 4),
        executionTraceMerkleRoot: Buffer.alloc(32, 5),
        steps: 1000n,
        traceEvery: 100n,
        outputSize: 20_000_000n, // 20 + 20 × 5 = 120 s window
        moduleHash: Buffer.alloc(32, 6),
        executionKind: 0,
        fuelLimit: 10_000_000n,
        memoryPages: 16,
      },
      usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 1_000_000n },
      ...over,
    },
    epoch === undefined ? {} : { epoch },
  );
};
const challengeMsg = (p: ReceiptParts) =>
  packAny("/dsdn.fraud.v1.MsgChallenge", MsgChallenge, {
    challenger: addressOf(fx.carol),
    receipt: Buffer.from(ThresholdReceipt.encode(p.receipt).finish()),
    disputeType: DisputeType.DISPUTE_TYPE_INVALID_OUTPUT,
    claim: Buffer.alloc(32, 0x77),
  });

describe("a receipt signed by a retired committee", () => {
  let lateCompute: ReceiptParts;
  let challenged: ReceiptParts;
  let storage: ReceiptParts;
  let epoch1Time: bigint;

  it("(1) a compute receipt signed at the end of an epoch is paid after the next rotation, once its window ends", async () => {
    const start = fx.groups.get(1n)!.committee.startHeight;
    while (fx.chain.height + 3n < start + 20n) fx.chain.block();
    // Two blocks before epoch 1 ends: its committee signs three receipts.
    lateCompute = await computeReceipt(0xe1);
    challenged = await computeReceipt(0xe2);
    storage = await signReceipt(fx);
    epoch1Time = lateCompute.data.timestamp;
    while (fx.chain.height + 1n < start + 20n) fx.chain.block();
    fx.chain.block(); // opens epoch 2's seed request
    submitSeed(fx);
    await recordDkg(fx);
    expect(queryCommittee(fx.chain).epoch).toBe(2n);
    for (let i = 0; i < 6; i++) fx.chain.block(); // past the 5-block handoff: epoch 1's committee retired
    // Epoch 1's committee has lost its authority: a receipt it signs now is refused (see (2)).
    const forged = await computeReceipt(0xe3, {}, 1n);
    const refused = fx.chain.exec(fx.bob, [claimMsg(BOB, forged)]);
    expect([refused.codespace, refused.code], refused.log).toEqual(["receipts", 4]);
    // The late receipt's window is still open after the handoff: a challenge is judged under epoch 1's key.
    expect(fx.chain.time).toBeLessThan(epoch1Time + 120n);
    const ch = fx.chain.exec(fx.carol, [challengeMsg(challenged)]);
    expect(ch.code, ch.log).toBe(0);
    const early = fx.chain.exec(fx.bob, [claimMsg(BOB, lateCompute)]);
    expect([early.codespace, early.code], early.log).toEqual(["receipts", 20]); // window still open
    while (fx.chain.time + 5n < epoch1Time + 120n) fx.chain.block();
    const paid = fx.chain.exec(fx.bob, [claimMsg(BOB, lateCompute)]);
    expect(paid.code, paid.log).toBe(0);
    const stored = fx.chain.exec(fx.bob, [claimMsg(BOB, storage)]);
    expect(stored.code, stored.log).toBe(0);
  });

  it("(2) a retired committee's receipt timestamped after its term is refused, claim and challenge alike", async () => {
    const forged = await computeReceipt(0xe4, {}, 1n); // timestamp = now, long after epoch 1's handoff
    const claim = fx.chain.exec(fx.bob, [claimMsg(BOB, forged)]);
    expect([claim.codespace, claim.code], claim.log).toEqual(["receipts", 4]);
    expect(claim.log).toMatch(/epoch 1's committee expired at the end of the handoff .* is after its term/);
    const ch = fx.chain.exec(fx.carol, [challengeMsg(forged)]);
    expect(ch.codespace, ch.log).toBe("fraud");
    expect(ch.log).toMatch(/is after its term/);
    // Backdating before the term began is refused too.
    const before = await computeReceipt(0xe5, { timestamp: 1n }, 1n);
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, before)]);
    expect([r.codespace, r.code], r.log).toEqual(["receipts", 4]);
    expect(r.log).toMatch(/before epoch 1's term began/);
  });

  it("genesis export/import keeps the retained committees and their term ends", () => {
    const exported = fx.chain.exportAppState().committee as { termEnds: { epoch: string; time: string }[] };
    expect(exported.termEnds.map((t) => t.epoch)).toEqual(["1"]);
    const copy = TestChain.start({ balances: [], appState: { committee: exported } });
    try {
      copy.block(); // commits the imported state (exports read the committed state)
      const again = copy.exportAppState().committee as typeof exported;
      expect(again.termEnds).toEqual(exported.termEnds);
      expect(queryCommittee(copy, 1n).groupPublicKey).toEqual(queryCommittee(fx.chain, 1n).groupPublicKey);
    } finally {
      copy.close();
    }
  });

  it("(3) after the retention the retired committee's record is pruned and its receipts refused, saying why", async () => {
    const late = await signReceipt(fx, { timestamp: epoch1Time }, { epoch: 1n }); // inside epoch 1's term
    const termEnd = BigInt((fx.chain.exportAppState().committee as { termEnds: { time: string }[] }).termEnds[0]!.time);
    while (fx.chain.time + 10n <= termEnd + 200n) fx.chain.block();
    const last = fx.chain.exec(fx.bob, [claimMsg(BOB, late)]); // the last block of the retention
    expect(last.code, last.log).toBe(0);
    const again = await signReceipt(fx, { timestamp: epoch1Time }, { epoch: 1n });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, again)]);
    expect([r.codespace, r.code], r.log).toEqual(["receipts", 4]);
    expect(r.log).toMatch(
      /epoch 1's committee retired: its receipts were accepted until block time \d+ \(keyRetentionSeconds 200s/,
    );
    // Its record stays for the evidence age (maxEvidenceAgeSeconds, 10 s here), then end block prunes it.
    queryCommittee(fx.chain, 1n);
    fx.chain.block([], { dt: 10n });
    fx.chain.block();
    expect(() => queryCommittee(fx.chain, 1n)).toThrow();
    const gone = fx.chain.exec(fx.bob, [claimMsg(BOB, again)]);
    expect([gone.codespace, gone.code], gone.log).toEqual(["receipts", 4]);
    expect(gone.log).toMatch(/no committee record for epoch 1 \(a retired committee's receipts are accepted for/);
    expect((fx.chain.exportAppState().committee as { termEnds: unknown[] }).termEnds).toEqual([]);
  });
});
