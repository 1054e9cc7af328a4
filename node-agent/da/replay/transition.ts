/** @module What every state transition receives and returns. */
import type { NodeStatusName } from "./state.js";
import type { WriteKey } from "./writeKey.js";

export interface ApplyContext {
  readonly publisherHex: string;
  /** The publisher is one of the configured coordinators. */
  readonly isCoordinator: boolean;
  /** Write key of the envelope (observed height, publisher || sequence). */
  readonly key: WriteKey;
  /** DA height of the blob that carried the event; signed heights must lie before it. */
  readonly blobHeight: bigint;
}

/** A visible change to the derived state, for followers (storage nodes, coordinator) to react to. */
export type StateChange =
  | { readonly type: "nodeRegistered"; readonly nodeId: string }
  | { readonly type: "nodeStatusChanged"; readonly nodeId: string; readonly status: NodeStatusName }
  | { readonly type: "chunkDeclared"; readonly cid: string }
  | { readonly type: "chunkDeleted"; readonly cid: string; readonly manifestCid: string }
  | { readonly type: "replicaAdded"; readonly cid: string; readonly nodeId: string }
  | { readonly type: "replicaRemoved"; readonly cid: string; readonly nodeId: string };

export type ApplyOutcome =
  | { readonly status: "applied"; readonly changes: readonly StateChange[] }
  /** Valid, but a newer write (by write key) already holds that place: no change. */
  | { readonly status: "superseded" }
  | { readonly status: "rejected"; readonly reason: string };

export const applied = (changes: readonly StateChange[]): ApplyOutcome => ({ status: "applied", changes });
export const superseded: ApplyOutcome = { status: "superseded" };
export const rejected = (reason: string): ApplyOutcome => ({ status: "rejected", reason });
