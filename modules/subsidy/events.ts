/** @module subsidy events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  Paid: "subsidy_paid",
  Ineligible: "subsidy_ineligible",
  Sunset: "subsidy_sunset",
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
