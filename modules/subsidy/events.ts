/** @module subsidy events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  Paid: "subsidy_paid",
  Ineligible: "subsidy_ineligible",
  Sunset: "subsidy_sunset",
  ChallengeOpened: "liveness_challenge",
  ChallengeAnswered: "liveness_answered",
  ChallengeMissed: "liveness_missed",
  SelfDealing: "subsidy_self_dealing",
} as const;

export const paidEvent = (operator: string, month: bigint, amount: bigint) =>
  event(EventType.Paid, [
    ["operator", operator],
    ["month", month.toString()],
    ["amount", amount.toString()],
  ]);
export const ineligibleEvent = (operator: string, month: bigint, reason: string) =>
  event(EventType.Ineligible, [
    ["operator", operator],
    ["month", month.toString()],
    ["reason", reason],
  ]);
export const sunsetEvent = (month: bigint, reason: string) =>
  event(EventType.Sunset, [
    ["month", month.toString()],
    ["reason", reason],
  ]);
export const challengeOpenedEvent = (period: bigint, seed: string, deadline: bigint) =>
  event(EventType.ChallengeOpened, [
    ["period", period.toString()],
    ["seed", seed],
    ["deadline", deadline.toString()],
  ]);
export const challengeAnsweredEvent = (operator: string, period: bigint) =>
  event(EventType.ChallengeAnswered, [
    ["operator", operator],
    ["period", period.toString()],
  ]);
export const challengeMissedEvent = (operator: string, period: bigint) =>
  event(EventType.ChallengeMissed, [
    ["operator", operator],
    ["period", period.toString()],
  ]);
export const selfDealingEvent = (operator: string, month: bigint) =>
  event(EventType.SelfDealing, [
    ["operator", operator],
    ["month", month.toString()],
  ]);
