/** @module Committee membership for FROST: identity keys, 1-based participant indexes, FROST identifiers. */
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import { InvalidArgumentError } from "../errors.js";
import { toHex } from "../hash.js";

/** Committee limits: FROST needs t >= 2 (t = 1 is a plain key), and indexes fit in a u8 on chain. */
export const MIN_THRESHOLD = 2;
export const MAX_MEMBERS = 255;

/** A committee as the DKG sees it: members[i] is participant i+1. */
export interface CommitteeSpec {
  readonly epoch: bigint;
  readonly threshold: number;
  /** ed25519 identity public keys, 32 bytes each, in participant order. */
  readonly members: readonly Uint8Array[];
}

/** Throws a clear error for a committee FROST cannot run: wrong sizes, duplicates, t out of range. */
export function validateCommittee(spec: CommitteeSpec): void {
  const n = spec.members.length;
  if (n < MIN_THRESHOLD || n > MAX_MEMBERS) {
    throw new InvalidArgumentError(`committee must have ${MIN_THRESHOLD}–${MAX_MEMBERS} members, got ${n}`);
  }
  if (!Number.isInteger(spec.threshold) || spec.threshold < MIN_THRESHOLD || spec.threshold > n) {
    throw new InvalidArgumentError(`threshold must be an integer in ${MIN_THRESHOLD}..${n}, got ${spec.threshold}`);
  }
  const seen = new Set<string>();
  spec.members.forEach((m, i) => {
    if (m.length !== 32) throw new InvalidArgumentError(`member ${i + 1}: identity key must be 32 bytes`);
    const hex = toHex(m);
    if (seen.has(hex)) throw new InvalidArgumentError(`member ${i + 1}: duplicate identity key ${hex}`);
    seen.add(hex);
  });
  if (spec.epoch < 0n) throw new InvalidArgumentError("epoch must be >= 0");
}

/** 1-based index of `key` among `members`, or 0 when it is not a member. */
export function memberIndex(members: readonly Uint8Array[], key: Uint8Array): number {
  const hex = toHex(key);
  const i = members.findIndex((m) => toHex(m) === hex);
  return i + 1;
}

/** The RFC 9591 identifier of participant `index` (the scalar `index`, as noble's hex encoding). */
export function frostIdentifier(index: number): string {
  return ed25519_FROST.Identifier.fromNumber(index);
}

/** Inverse of frostIdentifier for identifiers made by it (little-endian scalar < 2^32). */
export function indexOfIdentifier(id: string): number {
  const bytes = Buffer.from(id, "hex");
  if (bytes.length !== 32 || bytes.subarray(4).some((b) => b !== 0)) {
    throw new InvalidArgumentError(`not a participant-index identifier: ${id}`);
  }
  return bytes.readUInt32LE(0);
}
