// A param change through governance that would re-interpret state already recorded is refused at submission:
// the time grids (oracle windows, subsidy months and challenge periods are numbered from the genesis time by
// these lengths: a new length renumbers every window, month and period at once, freezing the price for weeks
// or settling months twice/never) and the reward denom (outstanding rewards are owed in the denom collected).
import { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { fromHex } from "../../../common/hash.js";
import { packAny } from "../../../common/protobuf.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { MsgParamChange } from "../../../proto/gen/dsdn/gov/v1/gov.js";
import { createValidatorMsg, NUSA, TestChain } from "../../support/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const [val, foundation] = ["b1", "b2"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const VAL = addressOf(val!);
const F = addressOf(foundation!);
const GOV = moduleAddress(ModuleAccount.Gov);
const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

const submit = (module: string, params: unknown): Any =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages: [
      packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, {
        authority: GOV,
        module,
        paramsJson: JSON.stringify(params),
      }),
    ],
    initialDeposit: [{ denom: "unusa", amount: "1000" }],
    proposer: VAL,
    title: "change a grid",
    summary: "",
    metadata: "",
  });

function start(): TestChain {
  const ch = TestChain.start({
    balances: [VAL, F].map((address) => ({ address, amount: 1_000_000n * NUSA })),
    appState: {
      stake: { params: { minValidatorSelfBond: NUSA.toString() } },
      gov: { params: { foundation: F, votingPeriodSeconds: "20", minDeposit: "1000" } },
    },
  });
  chains.push(ch);
  ch.block();
  expect(ch.exec(val!, [createValidatorMsg(VAL, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
  return ch;
}

describe("param changes that would renumber recorded state", () => {
  const fixed: [string, Record<string, string>][] = [
    ["oracle", { windowSeconds: "3600" }],
    ["subsidy", { monthSeconds: "86400" }],
    ["subsidy", { challengePeriodSeconds: "7200" }],
    ["distribution", { denom: "ufoo" }],
  ];
  for (const [module, change] of fixed)
    it(`refuses ${module}.${Object.keys(change)[0]} at submission, naming it fixed after genesis`, () => {
      const ch = start();
      const r = ch.exec(val!, [submit(module, change)]);
      expect(r.codespace).toBe("gov");
      expect(r.log).toMatch(/fixed after genesis/);
    });

  it("still accepts a change of a param that is not fixed, and re-stating a fixed one's current value", () => {
    const ch = start();
    expect(ch.exec(val!, [submit("oracle", { staleSeconds: "7200" })]).code).toBe(0);
    expect(ch.exec(val!, [submit("oracle", { windowSeconds: "900", staleSeconds: "600" })]).code).toBe(0);
  });
});
