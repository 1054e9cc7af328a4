/** @module Store layout of the committee module (keys under "committee/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "committee";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | len(1) | operator -> dsdn.committee.v1.Candidate */
  Candidate: 0x02,
  /** 0x03 | identity key(32) -> operator(20): one seat per identity key */
  CandidateByIdentity: 0x03,
  /** 0x04 | epoch(u64) -> dsdn.committee.v1.Committee */
  Committee: 0x04,
  /** 0x05 -> current epoch (u64); absent before the first committee */
  CurrentEpoch: 0x05,
  /** 0x06 | sha256(dispute evidence)(32) -> height(u64): each piece of evidence slashes once */
  Dispute: 0x06,
  /** 0x07 -> dsdn.committee.v1.SeedRequest: the open request for the next epoch's seed; absent otherwise */
  SeedRequest: 0x07,
  /** 0x08 -> dsdn.committee.v1.CandidatePool: the pool of the epoch after the open request's */
  NextPool: 0x08,
  /** 0x09 | len(1) | operator -> epoch(u64): the operator is out of every pool up to and including that epoch */
  ExcludedThrough: 0x09,
  /** 0x0A | epoch(u64) -> block time (u64 seconds) when that epoch's committee was first selected: evidence age */
  SelectedAt: 0x0a,
  /**
   * 0x0B | epoch(u64) -> block time (u64 seconds) when that epoch's committee lost its authority (its handoff
   * ended): the end of its term for receipts, and the clock of its retention (pruned with the committee record)
   */
  TermEnd: 0x0b,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const candidateKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.Candidate), addrKey(op));
export const candidateByIdentityKey = (id: Uint8Array) => concat(Uint8Array.of(Prefix.CandidateByIdentity), id);
export const committeeKey = (epoch: bigint) => concat(Uint8Array.of(Prefix.Committee), u64be(epoch));
export const currentEpochKey = Uint8Array.of(Prefix.CurrentEpoch);
export const disputeKey = (hash: Uint8Array) => concat(Uint8Array.of(Prefix.Dispute), hash);
export const seedRequestKey = Uint8Array.of(Prefix.SeedRequest);
export const nextPoolKey = Uint8Array.of(Prefix.NextPool);
export const excludedThroughKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.ExcludedThrough), addrKey(op));
export const selectedAtKey = (epoch: bigint) => concat(Uint8Array.of(Prefix.SelectedAt), u64be(epoch));
export const termEndKey = (epoch: bigint) => concat(Uint8Array.of(Prefix.TermEnd), u64be(epoch));
