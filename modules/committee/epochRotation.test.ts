import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAny } from "../../common/protobuf.js";
import { CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { MsgSignalDkgPresence, MsgSubmitEpochSeed } from "../../proto/gen/dsdn/committee/v1/tx.js";
import { QueryValidatorRequest, QueryValidatorResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import {
  addressOf,
  claimMsg,
  designatedProducer,
  type Fixture,
  queryCommittee,
  querySeedRequest,
  recordDkg,
  seedMsg,
  setupFixture,
  signReceipt,
  submitSeed,
} from "../../test/support/receiptFixture.js";
import { TestChain } from "../../test/support/testChain.js";
import type { CommitteeGenesis } from "./genesis.js";

const PARAMS = {
  epochBlocks: "20",
  handoffBlocks: "3",
  maxCommitteeSize: "4",
  minCommitteeSize: "3",
  seedSlotSeconds: "30",
  dkgTimeoutSeconds: "60",
};

function tokensOf(fx: Fixture, operator: string): bigint {
  return BigInt(
    fx.chain.query(
      "/dsdn.stake.v1.Query/Validator",
      QueryValidatorRequest,
      { address: operator },
      QueryValidatorResponse,
    ).validator!.tokens,
  );
}
const lessHalfPercent = (t: bigint) => t - (t * 5_000n) / 1_000_000n;

/** Runs blocks until the current epoch has ended and the next seed request is open. */
function toRotation(fx: Fixture): void {
  const c = queryCommittee(fx.chain);
  while (fx.chain.height + 1n < c.startHeight + 20n) fx.chain.block();
  fx.chain.block();
  expect(querySeedRequest(fx.chain)?.epoch).toBe(c.epoch + 1n);
}

describe("epoch seed requests", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 5, committee: PARAMS });
  }, 120_000);
  afterAll(() => fx?.dispose());

  it("only the slot's producer may submit, only a valid proof counts, and a withholder is penalised once and left out", () => {
    toRotation(fx);
    const { index: first, request } = designatedProducer(fx);
    const other = fx.vals.findIndex(
      (_, i) => i !== first && request.producers.some((p) => p.operator === addressOf(fx.vals[i]!)),
    );
    const r1 = fx.chain.exec(fx.vals[other]!, [seedMsg(fx, other, request)]);
    expect([r1.codespace, r1.code]).toEqual(["committee", 17]);
    const wrongEpoch = packAny("/dsdn.committee.v1.MsgSubmitEpochSeed", MsgSubmitEpochSeed, {
      ...MsgSubmitEpochSeed.decode(seedMsg(fx, first, { ...request, epoch: request.epoch + 1n }).value),
      epoch: request.epoch,
    });
    const r2 = fx.chain.exec(fx.vals[first]!, [wrongEpoch]);
    expect([r2.codespace, r2.code]).toEqual(["committee", 18]);
    // The first producer withholds: its 30 s slot passes.
    const withholder = addressOf(fx.vals[first]!);
    const before = tokensOf(fx, withholder);
    fx.chain.block([], { dt: 31n });
    expect(tokensOf(fx, withholder)).toBe(lessHalfPercent(before));
    fx.chain.block();
    expect(tokensOf(fx, withholder)).toBe(lessHalfPercent(before)); // once per request
    const late = fx.chain.exec(fx.vals[first]!, [seedMsg(fx, first, request)]);
    expect([late.codespace, late.code]).toEqual(["committee", 17]);
    const { index: second } = designatedProducer(fx);
    expect(addressOf(fx.vals[second]!)).toBe(request.producers[1]!.operator);
    const c2 = submitSeed(fx);
    expect(c2.epoch).toBe(2n);
    expect(c2.seedProducer).toBe(request.producers[1]!.operator);
    expect(c2.members.map((m) => m.operator)).not.toContain(withholder);
    expect(c2.status).toBe(CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG);
  });
});

describe("a DKG that misses its deadline (finding 8)", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 5, committee: PARAMS });
  }, 120_000);
  afterAll(() => fx?.dispose());

  it("re-selects without the absent member, who is penalised; the previous committee's receipts stay claimable until the new key is recorded", async () => {
    const BOB = addressOf(fx.bob);
    const old = await Promise.all([signReceipt(fx), signReceipt(fx), signReceipt(fx)]);
    toRotation(fx);
    const c2 = submitSeed(fx);
    const absentee = c2.members[2]!.operator;
    const present = c2.members.filter((m) => m.operator !== absentee);
    const signal = (op: string, attempt: number) =>
      fx.chain.exec(fx.vals.find((v) => addressOf(v) === op)!, [
        packAny("/dsdn.committee.v1.MsgSignalDkgPresence", MsgSignalDkgPresence, { signer: op, epoch: 2n, attempt }),
      ]);
    for (const m of present) expect(signal(m.operator, 0).code).toBe(0);
    const stranger = fx.vals.find((v) => !c2.members.some((m) => m.operator === addressOf(v)))!;
    expect(signal(addressOf(stranger), 0).code).toBe(7); // not a member
    // Long past the old 3-block handoff, epoch 1's receipts still pay: epoch 2 has no key yet.
    for (let i = 0; i < 4; i++) fx.chain.block();
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, old[0]!)]).code).toBe(0);
    const before = tokensOf(fx, absentee);
    const presentBefore = present.map((m) => tokensOf(fx, m.operator));
    while (fx.chain.time + 5n < c2.dkgDeadline) fx.chain.block();
    fx.chain.block(); // the deadline passes in this block's begin block
    const c2b = queryCommittee(fx.chain);
    expect(c2b.epoch).toBe(2n);
    expect(c2b.dkgAttempt).toBe(1);
    expect(c2b.absent).toEqual([absentee]);
    expect(c2b.members.map((m) => m.operator)).not.toContain(absentee);
    expect(c2b.members.length).toBeGreaterThanOrEqual(3);
    expect(tokensOf(fx, absentee)).toBe(lessHalfPercent(before));
    expect(present.map((m) => tokensOf(fx, m.operator))).toEqual(presentBefore);
    expect(signal(present[0]!.operator, 0).code).toBe(19); // attempt 0 is over
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, old[1]!)]).code).toBe(0);
    // The re-selected committee records its key: epoch 1 then has the 3-block handoff left.
    const recorded = await recordDkg(fx);
    expect(recorded.status).toBe(CommitteeStatus.COMMITTEE_STATUS_ACTIVE);
    expect((await signReceipt(fx, {}, { epoch: 2n })).receipt.epoch).toBe(2n);
    for (let i = 0; i < 3; i++) fx.chain.block();
    // After the handoff epoch 1's key signs nothing new that pays; a receipt from its term still does.
    const fresh = await signReceipt(fx, {}, { epoch: 1n });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, fresh)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 4]);
    expect(r.log).toMatch(/after its term/);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, old[2]!)]).code).toBe(0);
    // The absentee is out of the next pools (epochs ≤ 2 + absenceExclusionEpochs).
    toRotation(fx);
    expect(querySeedRequest(fx.chain)!.pool.map((m) => m.operator)).not.toContain(absentee);
    // The open request, the next pool and the exclusion survive a genesis export → import.
    const g1 = fx.chain.exportAppState().committee as CommitteeGenesis;
    expect(g1.seedRequest).not.toBeNull();
    expect(g1.nextPool).not.toBeNull();
    expect(g1.exclusions).toEqual([{ operator: absentee, throughEpoch: "4" }]);
    const copy = new TestChain({ ...fx.chain.exportAppState() });
    try {
      copy.init();
      copy.block();
      expect(copy.exportAppState().committee).toEqual(g1);
    } finally {
      copy.close();
    }
  });
});

describe("an absence that stalls every attempt (too few candidates to re-select)", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4, committee: { ...PARAMS, minCommitteeSize: "4" } });
  }, 120_000);
  afterAll(() => fx?.dispose());

  it("keeps the members with a new deadline and penalises the absentee once per epoch, not per attempt", () => {
    toRotation(fx);
    const c2 = submitSeed(fx);
    const absentee = c2.members[1]!.operator;
    const before = tokensOf(fx, absentee);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const c = queryCommittee(fx.chain);
      while (fx.chain.time + 5n < c.dkgDeadline) fx.chain.block();
      fx.chain.block();
      const next = queryCommittee(fx.chain);
      expect(next.dkgAttempt).toBe(attempt);
      expect(next.members.map((m) => m.operator)).toEqual(c2.members.map((m) => m.operator));
      expect(next.absent).toEqual(c2.members.map((m) => m.operator)); // nobody signalled
    }
    expect(tokensOf(fx, absentee)).toBe(lessHalfPercent(before));
    expect(queryCommittee(fx.chain, 1n).status).toBe(CommitteeStatus.COMMITTEE_STATUS_ACTIVE);
  });
});
