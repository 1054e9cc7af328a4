/** @module Deleting the signer's pin of a file: an owner-signed request, published on DA by the coordinator. */
import { CoordinatorClient } from "../../node-agent/coordinator/client.js";
import { signDeleteRequest } from "../../node-agent/da/events/bindings.js";
import { DeleteRequested } from "../../proto/gen/dsdn/da/v1/events.js";
import type { UploaderKey } from "./uploaderKey.js";

export interface DeleteReturnType {
  readonly daHeight: string;
  /** False when this owner had already deleted the file (nothing new was published). */
  readonly published: boolean;
  /** Objects whose pin by this owner was removed. */
  readonly removed: string[];
}

/** Signs a delete of `cid` for `key`'s account, bound to the current DA height (so it cannot be replayed later). */
export async function deleteViaCoordinator(
  coordinator: string,
  cid: string,
  key: UploaderKey,
): Promise<DeleteReturnType> {
  const c = new CoordinatorClient(coordinator);
  const head = BigInt((await c.health()).daHeight);
  const req = signDeleteRequest(cid, head, { kind: "account", secretKey: key.secretKey, publicKey: key.publicKey });
  return c.requestDelete(Buffer.from(DeleteRequested.encode(req).finish()).toString("base64"));
}
