/** @module Store layout of the slashing module (keys under "slashing/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "slashing";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | len(1) | consensus address -> dsdn.slashing.v1.SigningInfo */
  SigningInfo: 0x02,
  /** 0x03 | len(1) | consensus address | window index(u64) -> empty: the validator missed that slot */
  MissedBlock: 0x03,
  /** 0x04 | len(1) | address -> dsdn.slashing.v1.SlashingRecord */
  Record: 0x04,
  /** 0x05 | sha256(node_id ‖ fault ‖ evidence)(32) -> height(u64): each piece of evidence slashes once */
  Evidence: 0x05,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const signingInfoKey = (cons: Uint8Array) => concat(Uint8Array.of(Prefix.SigningInfo), addrKey(cons));
export const missedPrefix = (cons: Uint8Array) => concat(Uint8Array.of(Prefix.MissedBlock), addrKey(cons));
export const missedKey = (cons: Uint8Array, index: bigint) => concat(missedPrefix(cons), u64be(index));
export const recordKey = (addr: Uint8Array) => concat(Uint8Array.of(Prefix.Record), addrKey(addr));
export const evidenceKey = (hash: Uint8Array) => concat(Uint8Array.of(Prefix.Evidence), hash);
