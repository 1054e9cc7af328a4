// The shadow-mode switch is an economics param that governance flips (bootstrap: a passed proposal waits
// for the foundation); a bad value is refused at submission by the module's own validation.
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { MsgSubmitProposal, MsgVote } from "cosmjs-types/cosmos/gov/v1/tx";
import type { Any } from "cosmjs-types/google/protobuf/any";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../../common/ed25519.js";
import { fromHex } from "../../../common/hash.js";
import { packAny } from "../../../common/protobuf.js";
import { secp256k1KeyPair } from "../../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { QueryShadowRequest, QueryShadowResponse } from "../../../proto/gen/dsdn/economics/v1/economics.js";
import { MsgFoundationApprove, MsgParamChange } from "../../../proto/gen/dsdn/gov/v1/gov.js";
import { createValidatorMsg, NUSA, TestChain } from "../../support/testChain.js";
import { addressOf } from "../../support/txBuilder.js";

const [val, foundation] = ["a1", "a2"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const VAL = addressOf(val!);
const F = addressOf(foundation!);
const GOV = moduleAddress(ModuleAccount.Gov);
const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

const submit = (params: unknown): Any =>
  packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
    messages: [
      packAny("/dsdn.gov.v1.MsgParamChange", MsgParamChange, {
        authority: GOV,
        module: "economics",
        paramsJson: JSON.stringify(params),
      }),
    ],
    initialDeposit: [{ denom: "unusa", amount: "1000" }],
    proposer: VAL,
    title: "economics out of shadow mode",
    summary: "apply the adaptive fee and burn",
    metadata: "",
  });

describe("governance flips the economics shadow-mode switch", () => {
  it("applyEnabled 0 -> 1 only after the vote passes and the foundation approves; 2 is refused", () => {
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
    const shadow = () => ch.query("/dsdn.economics.v1.Query/Shadow", QueryShadowRequest, {}, QueryShadowResponse);
    expect(shadow().applyEnabled).toBe(false);

    expect(ch.exec(val!, [submit({ applyEnabled: "2" })])).toMatchObject({ codespace: "gov" });
    const r = ch.exec(val!, [submit({ applyEnabled: "1" })]);
    expect(r.code, r.log).toBe(0);
    const id = BigInt(
      r.events!.find((e) => e.type === "submit_proposal")!.attributes.find((x) => x.key === "proposal_id")!.value,
    );
    expect(
      ch.exec(val!, [
        packAny("/cosmos.gov.v1.MsgVote", MsgVote, {
          proposalId: id,
          voter: VAL,
          option: VoteOption.VOTE_OPTION_YES,
          metadata: "",
        }),
      ]).code,
    ).toBe(0);
    ch.block([], { dt: 21n });
    expect(shadow().applyEnabled).toBe(false); // passed, advisory until the foundation approves
    expect(
      ch.exec(foundation!, [
        packAny("/dsdn.gov.v1.MsgFoundationApprove", MsgFoundationApprove, { signer: F, proposalId: id }),
      ]).code,
    ).toBe(0);
    expect(shadow().applyEnabled).toBe(true);
  });
});
