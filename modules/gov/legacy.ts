/**
 * @module gov v1 → v1beta1 views (as the SDK's x/gov/migrations/v3 ConvertToLegacy*): what CosmJS's
 * `setupGovExtension` and older wallets read. A proposal's content is a TextProposal when it has no
 * messages, else its first message (the SDK's own fallback). Decimals are the SDK's protobuf Dec form.
 */
import type { Proposal, TallyResult, Vote } from "cosmjs-types/cosmos/gov/v1/gov";
import {
  type Proposal as ProposalV1beta1,
  type TallyResult as TallyResultV1beta1,
  TextProposal,
  type Vote as VoteV1beta1,
} from "cosmjs-types/cosmos/gov/v1beta1/gov";
import { packAny } from "../../common/protobuf.js";
import { TEXT_PROPOSAL_TYPE_URL } from "./submitProposal.js";

const ZERO_TIME = { seconds: 0n, nanos: 0 };
/** "1.000000000000000000" (v1's cosmos.Dec string) → "1000000000000000000" (LegacyDec's protobuf form). */
export const legacyDec = (dec: string): string => {
  const [i = "0", f = ""] = dec.split(".");
  return (BigInt(i) * 10n ** 18n + BigInt((f + "0".repeat(18)).slice(0, 18))).toString();
};
/** ppm → v1's cosmos.Dec string with 18 decimals. */
export const ppmToDec = (ppm: bigint): string => {
  const scaled = ppm * 10n ** 12n;
  return `${scaled / 10n ** 18n}.${(scaled % 10n ** 18n).toString().padStart(18, "0")}`;
};

export const legacyTally = (t: TallyResult | undefined): TallyResultV1beta1 => ({
  yes: t?.yesCount ?? "0",
  abstain: t?.abstainCount ?? "0",
  no: t?.noCount ?? "0",
  noWithVeto: t?.noWithVetoCount ?? "0",
});

export function legacyProposal(p: Proposal): ProposalV1beta1 {
  return {
    proposalId: p.id,
    content: p.messages[0] ?? packAny(TEXT_PROPOSAL_TYPE_URL, TextProposal, { title: p.title, description: p.summary }),
    status: p.status as number,
    finalTallyResult: legacyTally(p.finalTallyResult),
    submitTime: p.submitTime ?? ZERO_TIME,
    depositEndTime: p.depositEndTime ?? ZERO_TIME,
    totalDeposit: p.totalDeposit,
    votingStartTime: p.votingStartTime ?? ZERO_TIME,
    votingEndTime: p.votingEndTime ?? ZERO_TIME,
  };
}

export function legacyVote(v: Vote): VoteV1beta1 {
  return {
    proposalId: v.proposalId,
    voter: v.voter,
    option: (v.options[0]?.option ?? 0) as number,
    options: v.options.map((o) => ({ option: o.option as number, weight: legacyDec(o.weight) })),
  };
}
