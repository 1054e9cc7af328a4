/** @module Store layout of the fraud module (keys under "fraud/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "fraud";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | game id(u64) -> dsdn.fraud.v1.Game */
  Game: 0x02,
  /** 0x03 -> next game id (u64) */
  NextId: 0x03,
  /** 0x04 | receipt id(32) | game id(u64) -> empty: every game on a receipt */
  ByReceipt: 0x04,
  /** 0x05 | receipt id(32) | len | challenger -> game id: one open game per challenger and receipt */
  OpenByChallenger: 0x05,
  /** 0x06 | deadline(u64 block time) | game id(u64) -> empty: open games by deadline (end-block sweep) */
  Deadline: 0x06,
  /** 0x07 | receipt id(32) -> game id that proved fraud: the receipt is void */
  Void: 0x07,
  /** 0x08 | receipt id(32) -> open games on it (u64) */
  OpenCount: 0x08,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const nextIdKey = Uint8Array.of(Prefix.NextId);
export const gameKey = (id: bigint) => concat(Uint8Array.of(Prefix.Game), u64be(id));
export const byReceiptPrefix = (receipt: Uint8Array) => concat(Uint8Array.of(Prefix.ByReceipt), receipt);
export const byReceiptKey = (receipt: Uint8Array, id: bigint) => concat(byReceiptPrefix(receipt), u64be(id));
export const openByChallengerKey = (receipt: Uint8Array, challenger: Uint8Array) =>
  concat(Uint8Array.of(Prefix.OpenByChallenger), receipt, addrKey(challenger));
export const deadlineKey = (deadline: bigint, id: bigint) =>
  concat(Uint8Array.of(Prefix.Deadline), u64be(deadline < 0n ? 0n : deadline), u64be(id));
export const voidKey = (receipt: Uint8Array) => concat(Uint8Array.of(Prefix.Void), receipt);
export const openCountKey = (receipt: Uint8Array) => concat(Uint8Array.of(Prefix.OpenCount), receipt);
