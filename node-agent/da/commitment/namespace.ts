/** @module Celestia namespaces (go-square share/namespace.go): 29 bytes, version 0 rules for blob namespaces. */

import { InvalidArgumentError } from "../../../common/errors.js";
import { bytesEqual, fromHex, sha256, toHex } from "../../../common/hash.js";

export const NAMESPACE_VERSION_SIZE = 1;
export const NAMESPACE_ID_SIZE = 28;
export const NAMESPACE_SIZE = NAMESPACE_VERSION_SIZE + NAMESPACE_ID_SIZE;
/** A version-0 id starts with 18 zero bytes; only the last 10 bytes are free. */
export const NAMESPACE_V0_PREFIX_SIZE = 18;
export const NAMESPACE_V0_SUB_ID_SIZE = NAMESPACE_ID_SIZE - NAMESPACE_V0_PREFIX_SIZE;
/** Version 255 holds parity and tail padding; every byte 0xFF is the parity-share namespace. */
export const NAMESPACE_VERSION_MAX = 0xff;

/** A validated 29-byte namespace. */
export type Namespace = Uint8Array & { readonly __namespace: unique symbol };

/** The parity namespace (all 0xFF) that the NMT's IgnoreMaxNamespace rule looks for. */
export const PARITY_SHARE_NAMESPACE: Uint8Array = new Uint8Array(NAMESPACE_SIZE).fill(0xff);

/**
 * Checks the rules a blob namespace must meet: 29 bytes, version 0, 18 leading zero id bytes, and
 * above the reserved range (every v0 namespace ≤ …00FF belongs to the protocol: tx, PFB, padding).
 * Returns a problem description, or undefined when the namespace is usable.
 */
export function namespaceProblem(ns: Uint8Array): string | undefined {
  if (ns.length !== NAMESPACE_SIZE)
    return `a namespace is ${NAMESPACE_SIZE} bytes (58 hex characters), got ${ns.length}`;
  if (ns[0] !== 0) return `only version-0 namespaces can hold blobs, got version ${ns[0]}`;
  for (let i = 1; i <= NAMESPACE_V0_PREFIX_SIZE; i++) {
    if (ns[i] !== 0) return `a version-0 namespace id must start with ${NAMESPACE_V0_PREFIX_SIZE} zero bytes`;
  }
  // Reserved: the sub-id read as a number is ≤ 0xFF, i.e. bytes 19..27 are zero.
  let high = 0;
  for (let i = 1 + NAMESPACE_V0_PREFIX_SIZE; i < NAMESPACE_SIZE - 1; i++) high |= ns[i] as number;
  if (high === 0) return "namespaces up to 0x…00FF are reserved by the protocol";
  return undefined;
}

/** Validates bytes as a blob namespace, throwing InvalidArgumentError with the exact rule broken. */
export function toNamespace(ns: Uint8Array): Namespace {
  const problem = namespaceProblem(ns);
  if (problem !== undefined) throw new InvalidArgumentError(`invalid namespace: ${problem}`);
  return new Uint8Array(ns) as Namespace;
}

/** Parses the 58-hex form used by DA_NAMESPACE and celestia tooling (the whole 29 bytes). */
export function parseNamespaceHex(hex: string): Namespace {
  const clean = hex.startsWith("0x") ? hex.slice(2) : hex;
  if (!/^[0-9a-fA-F]{58}$/.test(clean)) {
    throw new InvalidArgumentError(`invalid namespace: expected 58 hex characters, got ${clean.length}`);
  }
  return toNamespace(fromHex(clean));
}

/** Parses the base64 form used on the JSON-RPC wire. */
export function parseNamespaceBase64(b64: string): Namespace {
  return toNamespace(new Uint8Array(Buffer.from(b64, "base64")));
}

/** Builds a version-0 namespace from a sub-id of at most 10 bytes (left-padded with zeros like go-square). */
export function namespaceV0(subId: Uint8Array): Namespace {
  if (subId.length > NAMESPACE_V0_SUB_ID_SIZE) {
    throw new InvalidArgumentError(
      `a version-0 sub-id is at most ${NAMESPACE_V0_SUB_ID_SIZE} bytes, got ${subId.length}`,
    );
  }
  const ns = new Uint8Array(NAMESPACE_SIZE);
  ns.set(subId, NAMESPACE_SIZE - subId.length);
  return toNamespace(ns);
}

/** Deterministic namespace for a name: sha256(name)[:10] as the version-0 sub-id. */
export function namespaceFromName(name: string): Namespace {
  return namespaceV0(sha256(new TextEncoder().encode(name)).subarray(0, NAMESPACE_V0_SUB_ID_SIZE));
}

export function namespaceToHex(ns: Uint8Array): string {
  return toHex(ns);
}

export function namespaceToBase64(ns: Uint8Array): string {
  return Buffer.from(ns.buffer, ns.byteOffset, ns.byteLength).toString("base64");
}

export function namespaceEquals(a: Uint8Array, b: Uint8Array): boolean {
  return bytesEqual(a, b);
}
