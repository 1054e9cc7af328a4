/** @module distribution events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  Rewards: "rewards",
  CommunityTax: "community_tax",
  WithdrawRewards: "withdraw_rewards",
} as const;

export const rewardsEvent = (collected: bigint, distributed: bigint, totalPower: bigint, denom: string) =>
  event(EventType.Rewards, [
    ["collected", `${collected}${denom}`],
    ["distributed", `${distributed}${denom}`],
    ["total_power", totalPower.toString()],
  ]);
export const communityTaxEvent = (amount: bigint, denom: string) =>
  event(EventType.CommunityTax, [["amount", `${amount}${denom}`]]);
export const withdrawEvent = (operator: string, amount: bigint, denom: string) =>
  event(EventType.WithdrawRewards, [
    ["amount", `${amount}${denom}`],
    ["validator", operator],
    ["delegator", operator],
  ]);
