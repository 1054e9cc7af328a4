/**
 * Finding 9 (issue 11): wallet affinity must come only from what the two parties signed themselves. A
 * stranger's dust sends (which made the stranger both accounts' "first funder") must not stop an honest
 * node from being paid; a transfer either party signed to the other still counts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { QueryAffinityRequest, QueryAffinityResponse } from "../../../proto/gen/dsdn/receipts/v1/query.js";
import { addressOf, claimMsg, type Fixture, setupFixture, signReceipt } from "../../support/receiptFixture.js";
import { sendMsg } from "../../support/txBuilder.js";

describe("wallet affinity", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
  }, 60_000);
  afterAll(() => fx?.dispose());

  const affinity = (a: string, b: string) =>
    fx.chain.query("/dsdn.receipts.v1.Query/Affinity", QueryAffinityRequest, { a, b }, QueryAffinityResponse);

  it("a stranger dusting the node operator and an untouched submitter creates no affinity", async () => {
    const BOB = addressOf(fx.bob); // the node operator: genesis-funded, never received a MsgSend
    const customer = secp256k1KeyPair(new Uint8Array(32).fill(0x71));
    const S = addressOf(customer); // untouched
    // carol, a stranger to both, sends each 1 unusa first: the old rule made her both accounts' "funder".
    expect(fx.chain.exec(fx.carol, [sendMsg(addressOf(fx.carol), BOB, 1n)]).code).toBe(0);
    expect(fx.chain.exec(fx.carol, [sendMsg(addressOf(fx.carol), S, 1n)]).code).toBe(0);
    expect(affinity(BOB, S)).toEqual({ affinity: false, reason: "" });
    const p = await signReceipt(fx, { submitter: S });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect(r.code, r.log).toBe(0);
  });

  it("a transfer either party signed to the other is affinity, in both directions", async () => {
    const BOB = addressOf(fx.bob);
    const paysNode = secp256k1KeyPair(new Uint8Array(32).fill(0x72));
    const funded = secp256k1KeyPair(new Uint8Array(32).fill(0x73));
    // The customer must hold coins to sign a send: the fixture's alice funds it (a third party: no affinity).
    expect(fx.chain.exec(fx.alice, [sendMsg(addressOf(fx.alice), addressOf(paysNode), 100_000n)]).code).toBe(0);
    expect(fx.chain.exec(paysNode, [sendMsg(addressOf(paysNode), BOB, 5n)]).code).toBe(0);
    expect(fx.chain.exec(fx.bob, [sendMsg(BOB, addressOf(funded), 5n)]).code).toBe(0);
    for (const s of [addressOf(paysNode), addressOf(funded)]) {
      expect(affinity(BOB, s)).toEqual({ affinity: true, reason: "direct_transfer" });
      const r = fx.chain.exec(fx.bob, [claimMsg(BOB, await signReceipt(fx, { submitter: s }))]);
      expect([r.codespace, r.code]).toEqual(["receipts", 13]);
    }
  });
});
