/** @module da events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import { toHex } from "../../common/hash.js";

export const EventType = { PostBlob: "da_post_blob", Prune: "da_prune" } as const;

export const postBlobEvent = (
  signer: string,
  namespace: Uint8Array,
  height: bigint,
  index: number,
  size: number,
  commitment: Uint8Array,
  fee: bigint,
) =>
  event(EventType.PostBlob, [
    ["signer", signer],
    ["namespace", toHex(namespace)],
    ["height", height.toString()],
    ["index", index.toString()],
    ["size", size.toString()],
    ["commitment", toHex(commitment)],
    ["fee", fee.toString()],
  ]);

export const pruneEvent = (count: number, throughHeight: bigint) =>
  event(EventType.Prune, [
    ["count", count.toString()],
    ["through_height", throughHeight.toString()],
  ]);
