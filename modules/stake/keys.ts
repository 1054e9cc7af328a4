/** @module Store layout of the stake module (keys under "stake/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "stake";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | len(1) | operator -> dsdn.stake.v1.Validator */
  Validator: 0x02,
  /** 0x03 | len(1) | consensus address -> operator(20) */
  ValidatorByConsAddr: 0x03,
  /** 0x04 | len(1) | operator -> dsdn.stake.v1.NodeStake */
  NodeStake: 0x04,
  /** 0x05 | completion time(u64) | id(u64) -> dsdn.stake.v1.UnbondingEntry (the maturity queue) */
  UnbondingQueue: 0x05,
  /** 0x06 -> next unbonding id (u64) */
  NextUnbondingId: 0x06,
  /** 0x07 | len(1) | owner | id(u64) -> completion time(u64) (an owner's unbondings) */
  UnbondingByOwner: 0x07,
  /** 0x08 | len(1) | consensus address -> empty: validators whose power must be recomputed at end block */
  PowerChanged: 0x08,
  /** 0x09 -> empty: set by genesis import; the first end block re-sends every validator's power */
  GenesisResync: 0x09,
  /** 0x0A | (2^64-1 - power)(u64) | len(1) | operator -> empty: unjailed validators by power, highest first */
  PowerIndex: 0x0a,
  /** 0x0B | len(1) | operator -> empty: validators CometBFT holds with a positive power (<= max_validators) */
  LastActive: 0x0b,
} as const;

const MAX_U64 = (1n << 64n) - 1n;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const validatorKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.Validator), addrKey(op));
export const consAddrKey = (cons: Uint8Array) => concat(Uint8Array.of(Prefix.ValidatorByConsAddr), addrKey(cons));
export const nodeStakeKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.NodeStake), addrKey(op));
export const unbondingQueueKey = (time: bigint, id: bigint) =>
  concat(Uint8Array.of(Prefix.UnbondingQueue), u64be(time), u64be(id));
export const nextUnbondingIdKey = Uint8Array.of(Prefix.NextUnbondingId);
export const unbondingByOwnerPrefix = (owner: Uint8Array) =>
  concat(Uint8Array.of(Prefix.UnbondingByOwner), addrKey(owner));
export const unbondingByOwnerKey = (owner: Uint8Array, id: bigint) => concat(unbondingByOwnerPrefix(owner), u64be(id));
export const powerChangedKey = (cons: Uint8Array) => concat(Uint8Array.of(Prefix.PowerChanged), addrKey(cons));
export const genesisResyncKey = Uint8Array.of(Prefix.GenesisResync);
export const powerIndexKey = (power: bigint, op: Uint8Array) =>
  concat(Uint8Array.of(Prefix.PowerIndex), u64be(MAX_U64 - power), addrKey(op));
export const lastActiveKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.LastActive), addrKey(op));
