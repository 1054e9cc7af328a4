/** @module SDK-style ABCI events: every attribute indexed, so CometBFT's kv indexer can search them. */
import type { Event } from "cosmjs-types/tendermint/abci/types";

export type Attributes = ReadonlyArray<readonly [string, string]>;

export function event(type: string, attributes: Attributes): Event {
  return { type, attributes: attributes.map(([key, value]) => ({ key, value, index: true })) };
}

/** Adds `msg_index` to every event a message emitted, as SDK v0.50 does. */
export function withMsgIndex(events: Event[], index: number): Event[] {
  return events.map((e) => ({
    ...e,
    attributes: [...e.attributes, { key: "msg_index", value: String(index), index: true }],
  }));
}
