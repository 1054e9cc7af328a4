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
/** UTF-8 of denoms, bounded: every balance read and write of a tx names the same one or two denoms. */
const denomBytes = new Map<string, Uint8Array>();
function denomUtf8(denom: string): Uint8Array {
  let b = denomBytes.get(denom);
  if (b === undefined) {
    b = utf8(denom);
    if (denomBytes.size >= 1024) denomBytes.clear();
    denomBytes.set(denom, b);
  }
  return b;
}

/** Built in one allocation (the key of every balance read and write). */
export const balanceKey = (addr: Uint8Array, denom: string): Uint8Array => {
  const d = denomUtf8(denom);
  // addrKey's own refusal of an empty or over-long address.
  if (addr.length === 0 || addr.length > 255) return concat(balancesPrefix(addr), d);
  const out = new Uint8Array(2 + addr.length + d.length);
  out[0] = Prefix.Balance;
  out[1] = addr.length;
  out.set(addr, 2);
  out.set(d, 2 + addr.length);
  return out;
};
export const supplyKey = (denom: string): Uint8Array => concat(Uint8Array.of(Prefix.Supply), utf8(denom));
export const paramsKey = Uint8Array.of(Prefix.Params);
