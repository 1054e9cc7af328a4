/** @module Blob share commitment (go-square inclusion/commitment.go): shares → NMT subtree roots → RFC 6962 root. */

import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual, concatBytes } from "../../../common/hash.js";
import { merkleMountainRangeSizes, merkleRoot, subtreeWidth } from "./merkle.js";
import { nmtRoot } from "./nmt.js";
import { type ShareVersion, splitBlobToShares } from "./shares.js";

/** celestia-app's SubtreeRootThreshold (appconsts), unchanged through app v9. */
export const SUBTREE_ROOT_THRESHOLD = 64;
export const COMMITMENT_SIZE = 32;

export interface CommitmentOptions {
  readonly shareVersion?: ShareVersion;
  /** 20-byte signer address, required for share version 1. */
  readonly signer?: Uint8Array;
  readonly subtreeRootThreshold?: number;
  /** Root over the subtree roots; RFC 6962 by default (tests swap it to check go-square's own vectors). */
  readonly merkleRootFn?: (roots: readonly Uint8Array[]) => Uint8Array;
}

/** The 90-byte NMT roots the commitment is built over, one per mountain of the range. */
export function subtreeRoots(namespace: Uint8Array, data: Uint8Array, options: CommitmentOptions = {}): Uint8Array[] {
  const shares = splitBlobToShares(namespace, data, options.shareVersion ?? 0, options.signer);
  const width = subtreeWidth(shares.length, options.subtreeRootThreshold ?? SUBTREE_ROOT_THRESHOLD);
  const roots: Uint8Array[] = [];
  let cursor = 0;
  for (const size of merkleMountainRangeSizes(shares.length, width)) {
    // The namespace is prefixed again to each share, matching the NMT wrapper used for the data square.
    const leaves = shares.slice(cursor, cursor + size).map((s) => concatBytes(namespace, s));
    roots.push(nmtRoot(leaves));
    cursor += size;
  }
  return roots;
}

/** The 32-byte share commitment of one blob. */
export function createCommitment(namespace: Uint8Array, data: Uint8Array, options: CommitmentOptions = {}): Uint8Array {
  const roots = subtreeRoots(namespace, data, options);
  return (options.merkleRootFn ?? merkleRoot)(roots);
}

/** Recomputes the commitment and throws IntegrityError when the blob does not match it. */
export function verifyCommitment(
  namespace: Uint8Array,
  data: Uint8Array,
  commitment: Uint8Array,
  options: CommitmentOptions = {},
): void {
  const actual = createCommitment(namespace, data, options);
  if (!bytesEqual(actual, commitment)) {
    throw new IntegrityError("blob does not match its share commitment", {
      meta: {
        expected: Buffer.from(commitment).toString("base64"),
        actual: Buffer.from(actual).toString("base64"),
      },
    });
  }
}
