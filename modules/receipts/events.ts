/** @module receipts events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import { toHex } from "../../common/hash.js";

export const EventType = {
  Claim: "receipt_claim",
  Paid: "receipt_paid",
  SelfDealingRefused: "receipt_self_dealing",
  ValidatorRewards: "receipt_validator_rewards",
  FundPool: "receipt_fund_pool",
} as const;

export const claimEvent = (id: Uint8Array, nodeId: Uint8Array, operator: string, kind: string, reward: bigint) =>
  event(EventType.Claim, [
    ["receipt_id", toHex(id)],
    ["node_id", toHex(nodeId)],
    ["operator", operator],
    ["kind", kind],
    ["reward", reward.toString()],
  ]);
export const paidEvent = (id: Uint8Array, node: bigint, validators: bigint, treasury: bigint) =>
  event(EventType.Paid, [
    ["receipt_id", toHex(id)],
    ["node_amount", node.toString()],
    ["validators_amount", validators.toString()],
    ["treasury_amount", treasury.toString()],
  ]);
export const validatorRewardsEvent = (pot: bigint) =>
  event(EventType.ValidatorRewards, [
    ["amount", pot.toString()],
    ["to", "fee_collector"],
  ]);
export const fundPoolEvent = (depositor: string, amount: bigint) =>
  event(EventType.FundPool, [
    ["depositor", depositor],
    ["amount", amount.toString()],
  ]);
