/** @module Store layout of the bank module (keys under "bank/"). Prefixes are never reused. */
import { addrKey, concat, utf8 } from "../../chain-app/encoding.js";

export const MODULE_NAME = "bank";

export const Prefix = {
  /** 0x01 | len(1) | address | denom -> amount (decimal ASCII; absent when zero) */
  Balance: 0x01,
  /** 0x02 | denom -> total supply (decimal ASCII) */
  Supply: 0x02,
  /** 0x03 -> Params (canonical JSON) */
  Params: 0x03,
} as const;

export const balancesPrefix = (addr: Uint8Array): Uint8Array => concat(Uint8Array.of(Prefix.Balance), addrKey(addr));
export const balanceKey = (addr: Uint8Array, denom: string): Uint8Array => concat(balancesPrefix(addr), utf8(denom));
export const supplyKey = (denom: string): Uint8Array => concat(Uint8Array.of(Prefix.Supply), utf8(denom));
export const paramsKey = Uint8Array.of(Prefix.Params);
