/** @module gov events (the SDK's x/gov event types and keys, plus the foundation's): constants and constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  SubmitProposal: "submit_proposal",
  ProposalDeposit: "proposal_deposit",
  ProposalVote: "proposal_vote",
  ActiveProposal: "active_proposal",
  InactiveProposal: "inactive_proposal",
  FoundationApprove: "foundation_approve",
  FoundationVeto: "foundation_veto",
  ExecuteProposal: "execute_proposal",
} as const;

export const submitProposalEvent = (id: bigint, msgTypes: string[], votingStarted: boolean) =>
  event(EventType.SubmitProposal, [
    ["proposal_id", id.toString()],
    ["proposal_messages", msgTypes.join(",")],
    ...(votingStarted ? ([["voting_period_start", id.toString()]] as const) : []),
  ]);
export const depositEvent = (id: bigint, depositor: string, amount: string) =>
  event(EventType.ProposalDeposit, [
    ["proposal_id", id.toString()],
    ["depositor", depositor],
    ["amount", amount],
  ]);
export const voteEvent = (id: bigint, voter: string, option: string) =>
  event(EventType.ProposalVote, [
    ["proposal_id", id.toString()],
    ["voter", voter],
    ["option", option],
  ]);
export const proposalEndedEvent = (type: string, id: bigint, result: string) =>
  event(type, [
    ["proposal_id", id.toString()],
    ["proposal_result", result],
  ]);
export const foundationEvent = (type: string, id: bigint, signer: string, detail: string) =>
  event(type, [
    ["proposal_id", id.toString()],
    ["signer", signer],
    ["detail", detail],
  ]);
export const executeEvent = (id: bigint, status: string, reason: string) =>
  event(EventType.ExecuteProposal, [
    ["proposal_id", id.toString()],
    ["status", status],
    ["reason", reason],
  ]);
