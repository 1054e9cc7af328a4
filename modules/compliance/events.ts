/**
 * @module compliance events: types and attribute keys as constants, plus constructors. Serving nodes follow
 * these (node-agent/compliance) to stop or resume serving a pointer within one block of the decision.
 */
import { event } from "../../chain-app/events.js";
import { type Decision, pointerKindToJSON } from "../../proto/gen/dsdn/compliance/v1/compliance.js";

export const EventType = {
  Block: "compliance_block",
  Unblock: "compliance_unblock",
} as const;

export const AttributeKey = {
  Kind: "kind",
  Value: "value",
  Reason: "reason",
  ProposalId: "proposal_id",
  Proposer: "proposer",
  DecisionId: "decision_id",
} as const;

export const decisionEvent = (type: (typeof EventType)[keyof typeof EventType], d: Decision) =>
  event(type, [
    [AttributeKey.Kind, pointerKindToJSON(d.pointer!.kind)],
    [AttributeKey.Value, d.pointer!.value],
    [AttributeKey.Reason, d.reason],
    [AttributeKey.ProposalId, d.proposalId.toString()],
    [AttributeKey.Proposer, d.proposer],
    [AttributeKey.DecisionId, d.id.toString()],
  ]);
