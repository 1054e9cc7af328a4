import { VoteOption } from "cosmjs-types/cosmos/gov/v1/gov";
import { describe, expect, it } from "vitest";
import { addVote, judge, ZERO_TALLY } from "./tally.js";

const p = { quorumPpm: 334_000n, thresholdPpm: 500_000n, vetoThresholdPpm: 334_000n };
const t = (yes: bigint, no: bigint, abstain = 0n, veto = 0n) => ({ yes, no, abstain, veto });

describe("tally edges (exact integer ratios)", () => {
  it("quorum: voted/total = 33.4% exactly reaches it, one unit less does not", () => {
    expect(judge(t(334n, 0n), 1000n, p)).toEqual({ passed: true });
    expect(judge(t(333n, 0n), 1000n, p)).toMatchObject({ passed: false, reason: "quorum not reached" });
    expect(judge(t(0n, 0n), 0n, p)).toMatchObject({ passed: false, reason: "quorum not reached" });
  });
  it("threshold: yes must exceed 50% of non-abstaining votes; abstain counts for quorum only", () => {
    expect(judge(t(500n, 500n), 1000n, p)).toMatchObject({ passed: false, reason: "threshold not reached" });
    expect(judge(t(501n, 499n), 1000n, p)).toEqual({ passed: true });
    expect(judge(t(2n, 1n, 900n), 1000n, p)).toEqual({ passed: true });
    expect(judge(t(0n, 0n, 900n), 1000n, p)).toMatchObject({ passed: false, reason: "only abstentions" });
  });
  it("veto: more than 33.4% of votes cast vetoes, exactly 33.4% does not", () => {
    expect(judge(t(666n, 0n, 0n, 334n), 1000n, p)).toEqual({ passed: true });
    expect(judge(t(665n, 0n, 0n, 335n), 1000n, p)).toMatchObject({ passed: false, vetoed: true });
    // Abstentions are in the veto denominator (votes cast), as the SDK's.
    expect(judge(t(301n, 0n, 399n, 300n), 1000n, p)).toEqual({ passed: true });
  });
  it("adds each vote with its exact power; unknown options add nothing", () => {
    let x = addVote(ZERO_TALLY, VoteOption.VOTE_OPTION_YES, 30n);
    x = addVote(x, VoteOption.VOTE_OPTION_NO, 10n);
    x = addVote(x, VoteOption.VOTE_OPTION_NO_WITH_VETO, 7n);
    x = addVote(x, VoteOption.VOTE_OPTION_ABSTAIN, 1n);
    x = addVote(x, VoteOption.VOTE_OPTION_UNSPECIFIED, 1000n);
    expect(x).toEqual({ yes: 30n, no: 10n, veto: 7n, abstain: 1n });
  });
});
