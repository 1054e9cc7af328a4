/** @module Store layout of the distribution module (keys under "distribution/"). Prefixes are never reused. */
import { addrKey, concat } from "../../chain-app/encoding.js";

export const MODULE_NAME = "distribution";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 -> Pool (canonical JSON): the cumulative reward per unit of power, total tracked power, totals */
  Pool: 0x02,
  /** 0x03 | len(1) | operator -> ValidatorRewards (canonical JSON): tracked power, snapshot, accrued */
  Validator: 0x03,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const poolKey = Uint8Array.of(Prefix.Pool);
export const validatorKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.Validator), addrKey(op));
