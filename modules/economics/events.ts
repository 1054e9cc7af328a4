/** @module economics events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import type { PeriodRecord } from "../../proto/gen/dsdn/economics/v1/economics.js";

export const EventType = {
  Period: "economics_period",
} as const;

export const periodEvent = (r: PeriodRecord) =>
  event(EventType.Period, [
    ["period", r.period.toString()],
    ["price_nano_usd", r.priceNanoUsd],
    ["node_cost_index", r.nodeCostIndex],
    ["reference_cost_usd_nano", r.referenceCostUsdNano],
    ["current_storage_price", r.currentStoragePrice],
    ["adaptive_storage_price", r.adaptiveStoragePrice],
    ["adaptive_burn", r.adaptiveBurn],
    ["applied", String(r.applied)],
  ]);
