// The subsidy's eligibility inputs from receipts (not genesis): a paid storage receipt's bytes become the node's
// utilisation (the best epoch's sum against its registered capacity), and a committee-signed receipt whose
// submitter is the node's own operator — which the claim refuses — can be reported, marking the month
// self-dealing; an honest receipt cannot be reported as self-dealing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packAny } from "../../../common/protobuf.js";
import { Usage } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { MsgReportSelfDealing } from "../../../proto/gen/dsdn/receipts/v1/tx.js";
import { QueryNodeSubsidyRequest, QueryNodeSubsidyResponse } from "../../../proto/gen/dsdn/subsidy/v1/query.js";
import { addressOf, claimMsg, type Fixture, setupFixture, signReceipt } from "../../support/receiptFixture.js";

const TIB = 1n << 40n; // registerMsg's default capacity
const GIB = 1n << 30n;

let fx: Fixture;
let BOB: string;
beforeAll(async () => {
  fx = await setupFixture({ validators: 4 });
  BOB = addressOf(fx.bob);
}, 60_000);
afterAll(() => fx?.dispose());

const current = () =>
  fx.chain.query(
    "/dsdn.subsidy.v1.Query/NodeSubsidy",
    QueryNodeSubsidyRequest,
    { operator: BOB },
    QueryNodeSubsidyResponse,
  ).current!;
const activity = () =>
  (
    fx.chain.exportAppState().subsidy as { activity: { operator: string; usedBytes: string; selfDealing: boolean }[] }
  ).activity.find((a) => a.operator === BOB);
const report = (receipt: Awaited<ReturnType<typeof signReceipt>>) =>
  packAny("/dsdn.receipts.v1.MsgReportSelfDealing", MsgReportSelfDealing, {
    reporter: addressOf(fx.carol),
    receipt: receipt.receipt,
  });

describe("subsidy inputs from receipts", () => {
  it("utilisation: the epoch's paid storage receipts summed against the registered capacity", async () => {
    const storage = (bytes: bigint, sequence = 0n) =>
      signReceipt(fx, { usage: Usage.fromPartial({ chunks: 1n, bytes }), sequence });
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, await storage(3n * GIB))]).code).toBe(0);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, await storage(GIB))]).code).toBe(0);
    expect(activity()?.usedBytes).toBe((4n * GIB).toString());
    expect(current().utilisationPpm).toBe(((4n * GIB * 1_000_000n) / TIB).toString());
    // A refused claim (the same receipt again) adds nothing.
    const again = await storage(GIB, 1n);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, again)]).code).toBe(0);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, again)]).code).toBe(14);
    expect(activity()?.usedBytes).toBe((5n * GIB).toString());
  });

  it("self-dealing: the claim is refused, a report marks the month; an honest receipt is not self-dealing", async () => {
    const own = await signReceipt(fx, { submitter: BOB });
    const claim = fx.chain.exec(fx.bob, [claimMsg(BOB, own)]);
    expect([claim.codespace, claim.code]).toEqual(["receipts", 12]);
    expect(activity()?.selfDealing ?? false).toBe(false); // a refused tx keeps nothing

    const honest = await signReceipt(fx);
    const no = fx.chain.exec(fx.carol, [report(honest)]);
    expect([no.codespace, no.code], no.log).toEqual(["receipts", 26]);

    const forged = { ...own, receipt: { ...own.receipt, signature: Buffer.alloc(64, 1) } };
    expect(fx.chain.exec(fx.carol, [report(forged)]).code).toBe(5); // only a committee-signed receipt counts

    const yes = fx.chain.exec(fx.carol, [report(own)]);
    expect(yes.code, yes.log).toBe(0);
    expect(yes.events.map((e) => e.type)).toContain("subsidy_self_dealing");
    expect(activity()?.selfDealing).toBe(true);
  });
});
