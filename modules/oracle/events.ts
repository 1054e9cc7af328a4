/** @module oracle events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";

export const EventType = {
  PriceUpdate: "oracle_price",
  PriceStale: "oracle_price_stale",
  MissPenalty: "oracle_miss_penalty",
} as const;

export const priceUpdateEvent = (median: bigint, accepted: bigint, reporters: number, windowStart: bigint) =>
  event(EventType.PriceUpdate, [
    ["median_nano_usd", median.toString()],
    ["price_nano_usd", accepted.toString()],
    ["clamped", String(median !== accepted)],
    ["reporters", String(reporters)],
    ["window_start", windowStart.toString()],
  ]);
export const priceStaleEvent = (price: bigint, updatedAt: bigint) =>
  event(EventType.PriceStale, [
    ["price_nano_usd", price.toString()],
    ["updated_at", updatedAt.toString()],
  ]);
/** A validator below the minimum valid-report share at the end of a slash window (slashing emits slash/jail too). */
export const missPenaltyEvent = (
  consAddr: string,
  windows: bigint,
  misses: bigint,
  slashed: bigint,
  jailedUntil: bigint,
) =>
  event(EventType.MissPenalty, [
    ["validator", consAddr],
    ["windows", windows.toString()],
    ["misses", misses.toString()],
    ["slashed", slashed.toString()],
    ["jailed_until", jailedUntil.toString()],
  ]);
