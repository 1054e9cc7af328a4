/** @module Principals (node ids and account addresses) as canonical strings for maps and views. */

import { isValidAddress } from "../../../common/secp256k1.js";
import type { Principal } from "../../../proto/gen/dsdn/da/v1/events.js";

/** Node ids are lowercase hex of the 32-byte ed25519 key; accounts are bech32 "nusa1…" — never ambiguous. */
export function principalKey(p: Principal | undefined): string | undefined {
  if (p === undefined) return undefined;
  if (p.nodeId !== undefined && p.address === undefined)
    return p.nodeId.length === 32 ? p.nodeId.toString("hex") : undefined;
  if (p.address !== undefined && p.nodeId === undefined) return isValidAddress(p.address) ? p.address : undefined;
  return undefined;
}

export function nodeIdHex(id: Uint8Array): string {
  return Buffer.from(id.buffer, id.byteOffset, id.byteLength).toString("hex");
}
