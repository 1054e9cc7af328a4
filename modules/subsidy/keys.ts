/** @module Store layout of the subsidy module (keys under "subsidy/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "subsidy";

export const Prefix = {
  /** 0x01 -> SubsidyParams (canonical JSON) */
  Params: 0x01,
  /** 0x02 -> SubsidyState (canonical JSON): start time, last settled month, sunset */
  State: 0x02,
  /** 0x03 | month(u64) | len(1) | operator -> Activity (canonical JSON) for that month */
  Activity: 0x03,
  /** 0x04 | month(u64) -> {organic, subsidy} unusa paid to nodes that month (canonical JSON) */
  Revenue: 0x04,
  /** 0x05 | len(1) | operator -> dsdn.subsidy.v1.NodeSubsidy: the node's last settled month */
  Record: 0x05,
  /** 0x06 -> Challenge (canonical JSON): the current liveness challenge (period, seed, opened at, judged) */
  Challenge: 0x06,
  /** 0x07 | len(1) | operator -> u64 BE: the last challenge period the operator's node answered */
  Answered: 0x07,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const stateKey = Uint8Array.of(Prefix.State);
export const activityPrefix = (month: bigint) => concat(Uint8Array.of(Prefix.Activity), u64be(month));
export const activityKey = (month: bigint, op: Uint8Array) => concat(activityPrefix(month), addrKey(op));
export const revenueKey = (month: bigint) => concat(Uint8Array.of(Prefix.Revenue), u64be(month));
export const recordKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.Record), addrKey(op));
export const recordPrefix = Uint8Array.of(Prefix.Record);
export const challengeKey = Uint8Array.of(Prefix.Challenge);
export const answeredKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.Answered), addrKey(op));
