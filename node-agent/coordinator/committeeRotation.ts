/** @module Announces each committee rotation recorded on chain as a CommitteeRotated DA event (and in the audit log). */
import { toHex } from "../../common/hash.js";
import type { Committee } from "../../proto/gen/dsdn/committee/v1/committee.js";
import type { AuditLog } from "../audit/log.js";
import type { DAEventInput } from "../da/events/event.js";
import type { DALogger } from "../da/events/logger.js";
import type { EventPublisher } from "../da/events/publisher.js";

/** The DA event for a committee: members' identity keys (their DA publisher keys) sorted, group key, epoch, seed. */
export function committeeRotatedEvent(c: Committee, chainHeight: bigint): DAEventInput {
  const members = c.members
    .map((m) => Buffer.from(m.identityKey))
    .sort((a, b) => Buffer.compare(a, b))
    .slice(0, 256);
  return {
    type: "committeeRotated",
    value: {
      epoch: c.epoch,
      members,
      groupKey: Buffer.from(c.groupPublicKey),
      seed: Buffer.from(c.seed.subarray(0, 32)),
      chainHeight,
    },
  };
}

export interface CommitteeRotationAnnouncerOptions {
  /** The chain's current committee (committee(0)) and the height it was read at. */
  readonly current: () => Promise<{ committee: Committee | undefined; height: bigint }>;
  readonly publisher: EventPublisher;
  readonly audit?: AuditLog;
  readonly logger?: DALogger;
}

/**
 * Call `poll()` on the coordinator's chain loop. A committee is announced once its DKG is recorded (the
 * group key is part of the event), once per epoch per process; a restart announces the current epoch
 * again, which replay ignores as not newer.
 */
export class CommitteeRotationAnnouncer {
  private announced = 0n;
  constructor(private readonly o: CommitteeRotationAnnouncerOptions) {}

  /** Returns the epoch announced by this call, if any. */
  async poll(): Promise<bigint | undefined> {
    const { committee: c, height } = await this.o.current();
    if (!c || c.epoch <= this.announced || c.groupPublicKey.length === 0 || c.members.length === 0) return undefined;
    await this.o.publisher.publish(committeeRotatedEvent(c, height));
    this.announced = c.epoch;
    this.o.audit?.append("committee_rotation", {
      source: "coordinator",
      epoch: c.epoch.toString(),
      members: c.members.map((m) => toHex(m.identityKey)).join(","),
      group_key: toHex(c.groupPublicKey),
      seed: toHex(c.seed),
      chain_height: height.toString(),
    });
    this.o.logger?.info("announced committee rotation on DA", { epoch: c.epoch, members: c.members.length });
    return c.epoch;
  }
}
