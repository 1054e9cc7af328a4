/** @module Signatures inside payloads: a node's registration binding and an owner's delete request. */

import { adr036Sign, adr036Verify } from "../../../common/adr036.js";
import { ed25519Sign } from "../../../common/ed25519.js";
import { nativeVerify } from "../../../common/ed25519Native.js";
import { concatBytes } from "../../../common/hash.js";
import { pubKeyToAddress } from "../../../common/secp256k1.js";
import { DeleteRequested, NodeRegistered } from "../../../proto/gen/dsdn/da/v1/events.js";
import { DELETE_REQUEST_SIGN_DOMAIN, NODE_REGISTRATION_SIGN_DOMAIN } from "./format.js";

/** What the node signs: domain || NodeRegistered with node_signature empty. */
export function nodeRegistrationSignBytes(reg: Partial<NodeRegistered>): Uint8Array {
  const unsigned = NodeRegistered.fromPartial({ ...reg, nodeSignature: Buffer.alloc(0) });
  return concatBytes(NODE_REGISTRATION_SIGN_DOMAIN, NodeRegistered.encode(unsigned).finish());
}

/** Returns the registration with `nodeSignature` filled in by the node's ed25519 key (seed). */
export function signNodeRegistration(reg: Partial<NodeRegistered>, nodeSecretKey: Uint8Array): NodeRegistered {
  const signature = ed25519Sign(nodeRegistrationSignBytes(reg), nodeSecretKey);
  return NodeRegistered.fromPartial({ ...reg, nodeSignature: Buffer.from(signature) });
}

export function verifyNodeRegistration(reg: NodeRegistered): boolean {
  return nativeVerify(reg.nodeSignature, nodeRegistrationSignBytes(reg), reg.nodeId);
}

export function deleteRequestSignBytes(req: Partial<DeleteRequested>): Uint8Array {
  const unsigned = DeleteRequested.fromPartial({ ...req, ownerSignature: Buffer.alloc(0) });
  return concatBytes(DELETE_REQUEST_SIGN_DOMAIN, DeleteRequested.encode(unsigned).finish());
}

/** An owner's signing key: a node's ed25519 seed, or an account's secp256k1 key (33-byte compressed public key). */
export type OwnerKey =
  | { readonly kind: "node"; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array }
  | { readonly kind: "account"; readonly secretKey: Uint8Array; readonly publicKey: Uint8Array };

/** Builds a signed DeleteRequested for `manifestCid` owned by `key`. */
export function signDeleteRequest(manifestCid: string, requestedAtHeight: bigint, key: OwnerKey): DeleteRequested {
  const base: Partial<DeleteRequested> =
    key.kind === "node"
      ? { manifestCid, owner: { nodeId: Buffer.from(key.publicKey) }, requestedAtHeight }
      : {
          manifestCid,
          owner: { address: pubKeyToAddress(key.publicKey) },
          ownerPublicKey: Buffer.from(key.publicKey),
          requestedAtHeight,
        };
  const bytes = deleteRequestSignBytes(base);
  const signature =
    key.kind === "node" ? ed25519Sign(bytes, key.secretKey) : adr036Sign(bytes, key.secretKey, key.publicKey);
  return DeleteRequested.fromPartial({ ...base, ownerSignature: Buffer.from(signature) });
}

/** True when the request is signed by the principal it names as owner. */
export function verifyDeleteRequest(req: DeleteRequested): boolean {
  const owner = req.owner;
  if (owner === undefined) return false;
  const bytes = deleteRequestSignBytes(req);
  if (owner.nodeId !== undefined && owner.address === undefined) {
    return req.ownerPublicKey.length === 0 && nativeVerify(req.ownerSignature, bytes, owner.nodeId);
  }
  if (owner.address !== undefined && owner.nodeId === undefined) {
    // ADR-036, so a wallet (Keplr `signArbitrary`) can sign a delete too.
    return adr036Verify(owner.address, bytes, req.ownerPublicKey, req.ownerSignature);
  }
  return false;
}
