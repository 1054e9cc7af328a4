/** @module Finding 4: store keys that embed an address must be length-prefixed, or a crafted longer address aliases another account. */

import { QueryAllBalancesRequest, QueryAllBalancesResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../../../common/hash.js";
import { packAny } from "../../../common/protobuf.js";
import { fromBech32Address, secp256k1KeyPair, toBech32Address } from "../../../common/secp256k1.js";
import { NUSA, TestChain } from "../../../modules/stake/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const victim = secp256k1KeyPair(fromHex("a1".repeat(32)));
const attacker = secp256k1KeyPair(fromHex("a2".repeat(32)));
const VICTIM = addressOf(victim);
const ATTACKER = addressOf(attacker);

const send = (from: string, to: string, amount: bigint) =>
  packAny("/cosmos.bank.v1beta1.MsgSend", MsgSend, {
    fromAddress: from,
    toAddress: to,
    amount: [{ denom: "unusa", amount: amount.toString() }],
  });

let chain: TestChain;
afterEach(() => chain?.close());

describe("store keys with addresses (finding 4)", () => {
  // The attacker picks a 32-byte address whose first 20 bytes are the victim's address. Without a
  // length prefix its balance key `0x01 ‖ victim(20) ‖ tail(12) ‖ "unusa"` lies inside the victim's
  // balance range and reads back as a balance of the victim in a denom the attacker chose.
  const craft = (tail: Uint8Array) => toBech32Address(new Uint8Array([...fromBech32Address(VICTIM), ...tail]));

  it.each([
    ["a fake denom", new TextEncoder().encode("fake-denom-x")],
    ["bytes that are not UTF-8", new Uint8Array(12).fill(0xff)],
  ])("a send to a crafted 32-byte address cannot add %s to another account's AllBalances", (_, tail) => {
    chain = TestChain.start({
      balances: [VICTIM, ATTACKER].map((address) => ({ address, amount: 1000n * NUSA })),
    });
    chain.block();
    const crafted = craft(tail);
    const r = chain.exec(attacker, [send(ATTACKER, crafted, 7n)]);
    expect(r.code).toBe(0);
    const all = chain.query(
      "/cosmos.bank.v1beta1.Query/AllBalances",
      QueryAllBalancesRequest,
      { address: VICTIM },
      QueryAllBalancesResponse,
    );
    expect(all.balances).toEqual([{ denom: "unusa", amount: (1000n * NUSA).toString() }]);
    const crafts = chain.query(
      "/cosmos.bank.v1beta1.Query/AllBalances",
      QueryAllBalancesRequest,
      { address: crafted },
      QueryAllBalancesResponse,
    );
    expect(crafts.balances).toEqual([{ denom: "unusa", amount: "7" }]);
    // Genesis export lists each account with its own coins and nothing invented.
    const bank = chain.exportAppState().bank as { balances: { address: string; coins: { denom: string }[] }[] };
    const victimEntry = bank.balances.find((b) => b.address === VICTIM);
    expect(victimEntry?.coins.map((c) => c.denom)).toEqual(["unusa"]);
    expect(bank.balances.find((b) => b.address === crafted)?.coins).toEqual([{ denom: "unusa", amount: "7" }]);
  });
});
