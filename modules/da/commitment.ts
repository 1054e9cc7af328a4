/** @module The validator-quorum DA blob commitment: shared by the chain (records it) and readers (check bytes against it). */
import { concatBytes, sha256 } from "../../common/hash.js";

const DOMAIN = new TextEncoder().encode("dsdn.da.v1.Blob\0");
export const NAMESPACE_BYTES = 29;

/** sha256("dsdn.da.v1.Blob\0" || namespace(29) || data): the namespace is fixed-size, so no ambiguity. */
export function blobCommitment(namespace: Uint8Array, data: Uint8Array): Uint8Array {
  return sha256(concatBytes(DOMAIN, namespace, data));
}

/** Version-0 namespace as Celestia's: 29 bytes, version byte 0, then 18 zero bytes, then a 10-byte id. */
export function namespaceProblem(ns: Uint8Array): string | undefined {
  if (ns.length !== NAMESPACE_BYTES) return `namespace must be ${NAMESPACE_BYTES} bytes, got ${ns.length}`;
  for (let i = 0; i < 19; i++) if (ns[i] !== 0) return "namespace must be version 0 with 18 leading zero bytes";
  return undefined;
}
