/**
 * @module Pure tally of a proposal, as x/gov's (v0.50 keeper/tally.go) with bootstrap weights: each vote
 * weighs its validator's voting power; quorum over the total active power, veto and threshold over the
 * votes cast — exact integer comparisons, no decimals.
 */
import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { type GovParams, PPM } from "./params.js";

export interface Tally {
  readonly yes: bigint;
  readonly abstain: bigint;
  readonly no: bigint;
  readonly veto: bigint;
}

export type TallyOutcome = { passed: true } | { passed: false; reason: string; vetoed: boolean };

export const ZERO_TALLY: Tally = { yes: 0n, abstain: 0n, no: 0n, veto: 0n };

/** Adds `power` to the option's count. */
export function addVote(t: Tally, option: VoteOption, power: bigint): Tally {
  switch (option) {
    case VoteOption.VOTE_OPTION_YES:
      return { ...t, yes: t.yes + power };
    case VoteOption.VOTE_OPTION_ABSTAIN:
      return { ...t, abstain: t.abstain + power };
    case VoteOption.VOTE_OPTION_NO:
      return { ...t, no: t.no + power };
    case VoteOption.VOTE_OPTION_NO_WITH_VETO:
      return { ...t, veto: t.veto + power };
    default:
      return t;
  }
}

/** quorum: voted/total ≥ q; veto: veto/voted > v rejects; threshold: yes/(voted − abstain) > t passes. */
export function judge(
  t: Tally,
  totalPower: bigint,
  p: Pick<GovParams, "quorumPpm" | "thresholdPpm" | "vetoThresholdPpm">,
): TallyOutcome {
  const voted = t.yes + t.abstain + t.no + t.veto;
  if (totalPower === 0n || voted * PPM < p.quorumPpm * totalPower)
    return { passed: false, reason: "quorum not reached", vetoed: false };
  if (t.veto * PPM > p.vetoThresholdPpm * voted) return { passed: false, reason: "vetoed by votes", vetoed: true };
  const decisive = voted - t.abstain;
  if (decisive === 0n) return { passed: false, reason: "only abstentions", vetoed: false };
  if (t.yes * PPM > p.thresholdPpm * decisive) return { passed: true };
  return { passed: false, reason: "threshold not reached", vetoed: false };
}
