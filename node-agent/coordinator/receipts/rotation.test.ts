import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeSignReceipt } from "../../../clients/sdk/receipts.js";
import { toHex } from "../../../common/hash.js";
import { decodeReceiptData, decodeThresholdReceipt } from "../../../modules/receipts/receiptBytes.js";
import { addressOf, claimMsg, queryCommittee, querySeedRequest } from "../../../modules/receipts/testFixture.js";
import { CommitteeStatus } from "../../../proto/gen/dsdn/committee/v1/committee.js";
import type { CommitteeMember } from "./member.js";
import { harnessNodeKey, type ReceiptHarness, startReceiptHarness } from "./testHarness.js";

/**
 * The coordinators keep the committee rotating by themselves: the designated one submits the epoch seed's
 * ECVRF proof, members signal DKG presence, participant 1 runs the DKG and records it. One coordinator is
 * down from the start (it withholds the seed if designated) and another crashes right after the selection:
 * the chain re-selects without it at the DKG deadline and the rest finish the rotation.
 */
describe("coordinators rotate the committee with members absent", () => {
  let h: ReceiptHarness;
  beforeAll(async () => {
    h = await startReceiptHarness({
      validators: 5,
      chainDuties: true,
      committee: {
        epochBlocks: "20",
        handoffBlocks: "3",
        maxCommitteeSize: "4",
        minCommitteeSize: "3",
        seedSlotSeconds: "30",
        dkgTimeoutSeconds: "60",
      },
    });
  }, 120_000);
  afterAll(() => h?.close());

  it("epoch 2 gets its seed, a re-selection without the crashed member, and a recorded key", async () => {
    const { fx } = h;
    const byOperator = (op: string) => h.members[fx.vals.findIndex((v) => addressOf(v) === op)]!;
    const down = new Set<CommitteeMember>();
    let crashed: CommitteeMember | undefined;
    const step = async () => {
      for (const m of h.members) {
        if (down.has(m)) continue;
        await m.tick();
        const now = queryCommittee(fx.chain);
        if (crashed || now.epoch !== 2n) continue;
        // Right after the selection, a member that is not the DKG orchestrator and has not signalled crashes.
        const victim = now.members.find((x, i) => i > 0 && !now.dkgPresent.includes(x.operator))!;
        crashed = byOperator(victim.operator);
        down.add(crashed);
        h.transport.down.add(crashed.identityHex);
      }
      fx.chain.block();
    };
    const start = queryCommittee(fx.chain).startHeight;
    while (fx.chain.height + 1n < start + 20n) fx.chain.block();
    fx.chain.block();
    const request = querySeedRequest(fx.chain)!;
    const first = byOperator(request.producers[0]!.operator);
    down.add(first); // down since before the request: withholds if designated
    h.transport.down.add(first.identityHex);
    let c = queryCommittee(fx.chain);
    for (let i = 0; i < 20 && c.epoch < 2n; i++) {
      await step();
      c = queryCommittee(fx.chain);
    }
    expect(c.epoch).toBe(2n);
    expect(c.seedProducer).toBe(request.producers[1]!.operator);
    expect(c.members.map((m) => m.operator)).not.toContain(request.producers[0]!.operator);
    for (let i = 0; i < 40 && c.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE; i++) {
      await step();
      c = queryCommittee(fx.chain);
    }
    expect(c.status).toBe(CommitteeStatus.COMMITTEE_STATUS_ACTIVE);
    expect(c.dkgAttempt).toBe(1);
    expect(c.members.map((m) => toHex(m.identityKey))).not.toContain(crashed!.identityHex);
    expect(c.absent).toEqual([addressOf(fx.vals[h.members.indexOf(crashed!)]!)]);
  }, 120_000);

  it("while the next DKG is pending, the previous committee still issues receipts and they pay", async () => {
    const { fx } = h;
    const start = queryCommittee(fx.chain).startHeight;
    while (fx.chain.height + 1n < start + 20n) fx.chain.block();
    fx.chain.block();
    let c = queryCommittee(fx.chain);
    // Only the seed duty runs: the new committee is selected and stays without a key.
    for (let i = 0; i < 20 && c.epoch === 2n; i++) {
      for (const m of h.members) await m.maybeSubmitSeed();
      fx.chain.block();
      c = queryCommittee(fx.chain);
    }
    expect(c.epoch).toBe(3n);
    expect(c.status).toBe(CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG);
    const serving = queryCommittee(fx.chain, 2n);
    const proposer = h.members.find((m) => m.identityHex === toHex(serving.members[0]!.identityKey))!;
    const res = await proposer.handleRequest({ usageProof: Buffer.from(await h.proof("bafkreipendingdkg")) });
    const tr = decodeThresholdReceipt(res.thresholdReceipt);
    expect(decodeReceiptData(tr.receiptData).epoch).toBe(2n);
    const r = fx.chain.exec(fx.bob, [
      claimMsg(addressOf(fx.bob), { receipt: tr, nodeSignature: nodeSignReceipt(tr, harnessNodeKey.secretKey) }),
    ]);
    expect(r.code, r.log).toBe(0);
  }, 120_000);
});
