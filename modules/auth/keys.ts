/** @module Store layout of the auth module (keys under "auth/"). Prefixes are never reused. */
import { addrKey, concat } from "../../chain-app/encoding.js";

export const MODULE_NAME = "auth";

export const Prefix = {
  /** 0x01 | len(1) | address -> cosmos.auth.v1beta1.BaseAccount (protobuf) */
  Account: 0x01,
  /** 0x02 -> next account number (u64 big-endian) */
  NextAccountNumber: 0x02,
  /** 0x03 -> Params (canonical JSON) */
  Params: 0x03,
  /** 0x04 -> chain id (utf-8), fixed at genesis; signatures commit to it */
  ChainId: 0x04,
} as const;

export const accountKey = (addr: Uint8Array): Uint8Array => concat(Uint8Array.of(Prefix.Account), addrKey(addr));
export const nextAccountNumberKey = Uint8Array.of(Prefix.NextAccountNumber);
export const paramsKey = Uint8Array.of(Prefix.Params);
export const chainIdKey = Uint8Array.of(Prefix.ChainId);
