/** @module The public outcome of a DKG (group key, verifying shares) and its mapping to noble's FROST packages. */
import type { FrostPublic, FrostSecret } from "@noble/curves/abstract/frost.js";
import type { DkgResult, KeyShare } from "../../proto/gen/dsdn/committee/v1/frost.js";
import { toHex } from "../hash.js";
import { u8 } from "./bytes.js";
import { frostIdentifier } from "./committee.js";

/** What anyone needs to check signature shares and aggregate them; recorded on chain after the DKG. */
export interface FrostGroupInfo {
  readonly epoch: bigint;
  readonly threshold: number;
  /** Identity keys in participant order (members[i] is participant i+1). */
  readonly members: readonly Uint8Array[];
  /** 32 bytes: a plain Ed25519 public key. */
  readonly groupPublicKey: Uint8Array;
  /** verifyingShares[i] is participant i+1's public share (32-byte point). */
  readonly verifyingShares: readonly Uint8Array[];
  /** The summed VSS commitments (t points); commitments[0] is the group key. */
  readonly commitments: readonly Uint8Array[];
}

export function groupInfoFromResult(r: DkgResult | KeyShare): FrostGroupInfo {
  return {
    epoch: r.epoch,
    threshold: r.threshold,
    members: r.members,
    groupPublicKey: r.groupPublicKey,
    verifyingShares: r.verifyingShares,
    commitments: r.commitments,
  };
}

/** noble's public package for this group. */
export function toFrostPublic(g: FrostGroupInfo): FrostPublic {
  const verifyingShares: Record<string, Uint8Array<ArrayBuffer>> = {};
  g.verifyingShares.forEach((v, i) => {
    verifyingShares[frostIdentifier(i + 1)] = u8(v);
  });
  return {
    signers: { min: g.threshold, max: g.members.length },
    commitments: g.commitments.map(u8),
    verifyingShares,
  };
}

/** noble's secret package for a participant's stored share. */
export function toFrostSecret(share: KeyShare): FrostSecret {
  return { identifier: frostIdentifier(share.participantIndex), signingShare: u8(share.signingShare) };
}

/** A short stable name for a group key, used in file names and logs. */
export function groupKeyHex(g: { groupPublicKey: Uint8Array }): string {
  return toHex(g.groupPublicKey);
}
