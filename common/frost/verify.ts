/**
 * @module Pure checks others (the committee and receipts chain modules, clients) need: a DKG outcome signed
 * by every member, and a threshold-signed receipt against its group. No I/O, no clock, deterministic.
 */

import type { DkgResult, SignedReceipt } from "../../proto/gen/dsdn/committee/v1/frost.js";
import { ed25519Verify } from "../ed25519.js";
import { bytesEqual } from "../hash.js";
import { SignedTypes, verifyMessage } from "./auth.js";
import { validateCommittee } from "./committee.js";
import { FrostProtocolError } from "./errors.js";
import type { FrostGroupInfo } from "./group.js";

function sameList(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  return a.length === b.length && a.every((x, i) => bytesEqual(x, b[i]!));
}

/**
 * Checks n DkgResults, results[i] signed by members[i] (the members listed in the results themselves),
 * all describing the same group: one 32-byte group key equal to commitments[0], t commitments, n verifying
 * shares. Returns that group. Throws FrostAuthError / FrostProtocolError naming the first bad result.
 */
export function verifyDkgResults(results: readonly DkgResult[]): FrostGroupInfo {
  const ref = results[0];
  if (!ref) throw new FrostProtocolError("no DKG results");
  const members = ref.members;
  validateCommittee({ epoch: ref.epoch, threshold: ref.threshold, members });
  if (results.length !== members.length) {
    throw new FrostProtocolError(`need ${members.length} DKG results (one per member), got ${results.length}`);
  }
  if (ref.groupPublicKey.length !== 32 || ref.verifyingShares.length !== members.length) {
    throw new FrostProtocolError("DKG result: malformed group key or verifying shares");
  }
  if (ref.commitments.length !== ref.threshold || !bytesEqual(ref.commitments[0]!, ref.groupPublicKey)) {
    throw new FrostProtocolError("DKG result: commitments do not match the threshold or the group key");
  }
  results.forEach((r, i) => {
    verifyMessage(SignedTypes.DkgResult, r, members[i]);
    const same =
      bytesEqual(r.sessionId, ref.sessionId) &&
      r.epoch === ref.epoch &&
      r.threshold === ref.threshold &&
      sameList(r.members, members) &&
      bytesEqual(r.groupPublicKey, ref.groupPublicKey) &&
      sameList(r.verifyingShares, ref.verifyingShares) &&
      sameList(r.commitments, ref.commitments);
    if (!same) throw new FrostProtocolError(`DKG result of participant ${i + 1} differs from participant 1's`);
  });
  return {
    epoch: ref.epoch,
    threshold: ref.threshold,
    members,
    groupPublicKey: ref.groupPublicKey,
    verifyingShares: ref.verifyingShares,
    commitments: ref.commitments,
  };
}

/**
 * True when `receipt.signature` is a valid Ed25519 signature of `receipt.message` under the group's key and
 * the receipt names that group and epoch. `signer_indexes` is informational: the aggregate does not prove
 * who signed (only that at least t shares were combined), so it is checked for shape only.
 */
export function verifySignedReceipt(receipt: SignedReceipt, group: FrostGroupInfo): boolean {
  if (!bytesEqual(receipt.groupPublicKey, group.groupPublicKey) || receipt.epoch !== group.epoch) return false;
  const idx = receipt.signerIndexes;
  const n = group.members.length;
  if (idx.length < group.threshold || idx.some((i, k) => i < 1 || i > n || (k > 0 && i <= idx[k - 1]!))) return false;
  return ed25519Verify(receipt.signature, receipt.message, group.groupPublicKey);
}
