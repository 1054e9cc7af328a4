/** @module committee events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import { toHex } from "../../common/hash.js";

export const EventType = {
  RegisterCoordinator: "register_coordinator",
  DeregisterCoordinator: "deregister_coordinator",
  CommitteeSelected: "committee_selected",
  DkgRecorded: "committee_dkg_recorded",
  DisputeSlash: "committee_dispute_slash",
} as const;

export const registerCoordinatorEvent = (operator: string, identity: Uint8Array, endpoint: string) =>
  event(EventType.RegisterCoordinator, [
    ["operator", operator],
    ["identity_key", toHex(identity)],
    ["endpoint", endpoint],
  ]);
export const deregisterCoordinatorEvent = (operator: string) =>
  event(EventType.DeregisterCoordinator, [["operator", operator]]);
export const committeeSelectedEvent = (epoch: bigint, n: number, t: number, seed: Uint8Array, hash: Uint8Array) =>
  event(EventType.CommitteeSelected, [
    ["epoch", epoch.toString()],
    ["size", String(n)],
    ["threshold", String(t)],
    ["seed", toHex(seed)],
    ["committee_hash", toHex(hash)],
  ]);
export const dkgRecordedEvent = (epoch: bigint, groupKey: Uint8Array) =>
  event(EventType.DkgRecorded, [
    ["epoch", epoch.toString()],
    ["group_public_key", toHex(groupKey)],
  ]);
export const disputeSlashEvent = (kind: string, epoch: bigint, operator: string, amount: bigint) =>
  event(EventType.DisputeSlash, [
    ["dispute", kind],
    ["epoch", epoch.toString()],
    ["operator", operator],
    ["slashed", amount.toString()],
  ]);
