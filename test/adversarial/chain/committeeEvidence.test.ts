/**
 * Finding 1 (issue 11): committee dispute evidence is judged only by what the committee signed. A third
 * party holding honest receipts must not be able to slash or jail anyone; real evidence counts once and
 * only within its age limit; equivocation slashes only the members who signed both receipts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAny } from "../../../common/protobuf.js";
import { MsgReportConflictingReceipts, MsgReportUnauthorizedSigner } from "../../../proto/gen/dsdn/committee/v1/tx.js";
import { ThresholdReceipt } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { QueryValidatorRequest, QueryValidatorResponse } from "../../../proto/gen/dsdn/stake/v1/query.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  queryCommittee,
  querySeedRequest,
  type ReceiptParts,
  recordDkg,
  setupFixture,
  signReceipt,
  submitSeed,
} from "../../support/receiptFixture.js";

const SLASH_PPM = 50_000n;

function stakeOf(fx: Fixture, operator: string): { tokens: bigint; jailed: boolean } {
  const v = fx.chain.query(
    "/dsdn.stake.v1.Query/Validator",
    QueryValidatorRequest,
    { address: operator },
    QueryValidatorResponse,
  ).validator!;
  return { tokens: BigInt(v.tokens), jailed: v.jailed };
}

// Epoch 1's members as its DKG recorded them (the chain prunes a retired committee's record after its evidence age).
const members = (fx: Fixture) => fx.groups.get(1n)!.committee.members.map((m) => m.operator);
const snapshot = (fx: Fixture) => members(fx).map((op) => stakeOf(fx, op));

function reportUnauthorized(fx: Fixture, receipt: ThresholdReceipt, committeeEpoch = 1n) {
  return fx.chain.exec(fx.carol, [
    packAny("/dsdn.committee.v1.MsgReportUnauthorizedSigner", MsgReportUnauthorizedSigner, {
      signer: addressOf(fx.carol),
      receipt: Buffer.from(ThresholdReceipt.encode(receipt).finish()),
      committeeEpoch,
    }),
  ]);
}

function reportConflict(fx: Fixture, a: ThresholdReceipt, b: ThresholdReceipt) {
  return fx.chain.exec(fx.carol, [
    packAny("/dsdn.committee.v1.MsgReportConflictingReceipts", MsgReportConflictingReceipts, {
      signer: addressOf(fx.carol),
      receiptA: Buffer.from(ThresholdReceipt.encode(a).finish()),
      receiptB: Buffer.from(ThresholdReceipt.encode(b).finish()),
    }),
  ]);
}

describe("MsgReportUnauthorizedSigner judges the signed content only", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("an honest receipt re-wrapped with another (unsigned) epoch slashes nobody, however often it is tried", async () => {
    const before = snapshot(fx);
    const honest = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    expect(fx.chain.exec(fx.bob, [claimMsg(addressOf(fx.bob), honest)]).code).toBe(0);
    for (const wrapper of [2n, 0n, 9n, 1n]) {
      const r = reportUnauthorized(fx, { ...honest.receipt, epoch: wrapper });
      expect(r.code, r.log).not.toBe(0);
      expect(r.codespace).toBe("committee");
    }
    // A second honest receipt, re-wrapped: still nothing (the attack does not compound).
    const other = await signReceipt(fx, {}, { signers: [2, 3, 4] });
    expect(reportUnauthorized(fx, { ...other.receipt, epoch: 5n }).code).not.toBe(0);
    expect(snapshot(fx)).toEqual(before);
  });

  it("evidence whose wrapper disagrees with the signed epoch is refused; the consistent one slashes once", async () => {
    const bad = await signReceipt(fx, { epoch: 9n }, { signers: [2, 3, 4] }); // committee 1 signs epoch 9: unauthorized
    const before = snapshot(fx);
    const mismatch = reportUnauthorized(fx, { ...bad.receipt, epoch: 1n });
    expect([mismatch.codespace, mismatch.code]).toEqual(["committee", 10]);
    expect(mismatch.log).toMatch(/wrapper/);
    expect(snapshot(fx)).toEqual(before);
    const ok = reportUnauthorized(fx, { ...bad.receipt, epoch: 9n });
    expect(ok.code, ok.log).toBe(0);
    const after = snapshot(fx);
    after.forEach((now, i) => {
      if (i === 0) expect(now).toEqual(before[i]);
      else {
        expect(now.tokens).toBe(before[i]!.tokens - (before[i]!.tokens * SLASH_PPM) / 1_000_000n);
        expect(now.jailed).toBe(true);
      }
    });
    expect(reportUnauthorized(fx, { ...bad.receipt, epoch: 9n }).code).toBe(12); // counted once
    expect(snapshot(fx)).toEqual(after);
  });
});

describe("evidence age", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({
      validators: 4,
      // Retired committees' receipts verify 10 s after their term: evidence age counts from then.
      committee: { epochBlocks: "10", handoffBlocks: "2", maxEvidenceAgeSeconds: "3600", keyRetentionSeconds: "10" },
    });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("is accepted until maxEvidenceAgeSeconds of block time after the committee retired, refused after", async () => {
    const early = await signReceipt(fx, { epoch: 7n }, { signers: [1, 2, 3] });
    const late = await signReceipt(fx, { epoch: 8n }, { signers: [2, 3, 4] });
    // Run to epoch 3 (epoch 1 can sign nothing that pays any more): each rotation needs its epoch seed and DKG.
    for (let i = 0; i < 200 && queryCommittee(fx.chain).epoch < 3n; i++) {
      fx.chain.block();
      if (querySeedRequest(fx.chain)) {
        submitSeed(fx);
        await recordDkg(fx);
      }
    }
    expect(queryCommittee(fx.chain).epoch).toBe(3n);
    fx.chain.block([], { dt: 3000n });
    const ok = reportUnauthorized(fx, { ...early.receipt, epoch: 7n });
    expect(ok.code, ok.log).toBe(0);
    fx.chain.block([], { dt: 600n });
    const before = snapshot(fx);
    const r = reportUnauthorized(fx, { ...late.receipt, epoch: 8n });
    expect([r.codespace, r.code]).toEqual(["committee", 20]);
    expect(snapshot(fx)).toEqual(before);
  });
});

describe("MsgReportConflictingReceipts", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("two signings of the same body that differ only in the signer list are not a conflict", async () => {
    const a = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    const body = { ...a.data, signers: [2, 3, 4] };
    const b = await signReceipt(fx, body, { signers: [2, 3, 4] });
    const before = snapshot(fx);
    const r = reportConflict(fx, a.receipt, b.receipt);
    expect([r.codespace, r.code]).toEqual(["committee", 11]);
    expect(snapshot(fx)).toEqual(before);
  });

  it("a wrapper that disagrees with the signed epoch is refused", async () => {
    const a = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    const b = await signReceipt(fx, { workloadId: a.data.workloadId }, { signers: [1, 2, 3] });
    const r = reportConflict(fx, { ...a.receipt, epoch: 2n }, { ...b.receipt, epoch: 2n });
    expect([r.codespace, r.code]).toEqual(["committee", 10]);
  });

  it("receipts naming another chain id (as a key shared by an export/import fork signed before) slash nobody", async () => {
    const a = await signReceipt(fx, { chainId: "old-chain" }, { signers: [1, 2, 3] });
    const b = await signReceipt(fx, { chainId: "old-chain", workloadId: a.data.workloadId }, { signers: [1, 2, 3] });
    const before = snapshot(fx);
    const r = reportConflict(fx, a.receipt, b.receipt);
    expect([r.codespace, r.code]).toEqual(["committee", 10]);
    const u = reportUnauthorized(fx, a.receipt);
    expect([u.codespace, u.code]).toEqual(["committee", 13]);
    expect(snapshot(fx)).toEqual(before);
  });

  it("slashes only members who signed both bodies, each once per slot, however many pairs are reported", async () => {
    const a = await signReceipt(fx, {}, { signers: [1, 2, 3] });
    const same = (p: ReceiptParts, signers: number[]) =>
      signReceipt(fx, { workloadId: p.data.workloadId, signers }, { signers });
    const b = await same(a, [2, 3, 4]);
    const c = await same(a, [1, 3, 4]);
    const before = snapshot(fx);
    const cut = (t: bigint) => t - (t * SLASH_PPM) / 1_000_000n;
    expect(reportConflict(fx, a.receipt, b.receipt).code).toBe(0); // 2 and 3 signed both
    let now = snapshot(fx);
    expect(now[0]).toEqual(before[0]); // 1 signed a only
    expect(now[3]).toEqual(before[3]); // 4 signed b only
    expect(now[1]!.tokens).toBe(cut(before[1]!.tokens));
    expect(now[2]!.tokens).toBe(cut(before[2]!.tokens));
    expect(reportConflict(fx, b.receipt, a.receipt).code).toBe(12); // the same pair again
    const mid = snapshot(fx);
    expect(reportConflict(fx, a.receipt, c.receipt).code).toBe(0); // adds 1 (a∩c = 1,3; 3 already answered)
    now = snapshot(fx);
    expect(now[0]!.tokens).toBe(cut(mid[0]!.tokens));
    expect(now[2]).toEqual(mid[2]);
    expect(reportConflict(fx, b.receipt, c.receipt).code).toBe(0); // adds 4 (b∩c = 3,4)
    expect(snapshot(fx)[3]!.tokens).toBe(cut(mid[3]!.tokens));
    expect(reportConflict(fx, c.receipt, b.receipt).code).toBe(12); // nobody left to answer for this slot
  });
});
