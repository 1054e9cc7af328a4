/** @module committee events: types and attribute keys as constants, plus constructors. */
import { event } from "../../chain-app/events.js";
import { toHex } from "../../common/hash.js";

export const EventType = {
  RegisterCoordinator: "register_coordinator",
  DeregisterCoordinator: "deregister_coordinator",
  CommitteeSelected: "committee_selected",
  DkgRecorded: "committee_dkg_recorded",
  DisputeSlash: "committee_dispute_slash",
  SeedRequested: "committee_seed_requested",
  SeedRecorded: "committee_seed_recorded",
  AbsencePenalty: "committee_absence_penalty",
  DkgReselected: "committee_dkg_reselected",
  DkgPresence: "committee_dkg_presence",
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
export const seedRequestedEvent = (epoch: bigint, producer: string, pool: number) =>
  event(EventType.SeedRequested, [
    ["epoch", epoch.toString()],
    ["first_producer", producer],
    ["pool_size", String(pool)],
  ]);
export const seedRecordedEvent = (epoch: bigint, producer: string, seed: Uint8Array) =>
  event(EventType.SeedRecorded, [
    ["epoch", epoch.toString()],
    ["producer", producer],
    ["seed", toHex(seed)],
  ]);
/** kind: "seed_withheld" | "dkg_absent". */
export const absencePenaltyEvent = (kind: string, epoch: bigint, operator: string, amount: bigint, through: bigint) =>
  event(EventType.AbsencePenalty, [
    ["absence", kind],
    ["epoch", epoch.toString()],
    ["operator", operator],
    ["slashed", amount.toString()],
    ["excluded_through_epoch", through.toString()],
  ]);
export const dkgReselectedEvent = (epoch: bigint, attempt: number, absent: number, size: number) =>
  event(EventType.DkgReselected, [
    ["epoch", epoch.toString()],
    ["attempt", String(attempt)],
    ["absent", String(absent)],
    ["size", String(size)],
  ]);
export const dkgPresenceEvent = (epoch: bigint, attempt: number, operator: string) =>
  event(EventType.DkgPresence, [
    ["epoch", epoch.toString()],
    ["attempt", String(attempt)],
    ["operator", operator],
  ]);
