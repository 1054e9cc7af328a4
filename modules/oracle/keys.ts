/** @module Store layout of the oracle module (keys under "oracle/"). Prefixes are never reused. */
import { concat } from "../../chain-app/encoding.js";

export const MODULE_NAME = "oracle";

export const Prefix = {
  /** 0x01 -> OracleParams (canonical JSON) */
  Params: 0x01,
  /** 0x02 -> PriceState (canonical JSON): accepted price, its time, the open window */
  State: 0x02,
  /** 0x03 | consensus address(20) -> Report (canonical JSON): the validator's latest price in the open window */
  Report: 0x03,
  /** 0x04 | consensus address(20) -> MissCounter (canonical JSON): windows judged and missed in the open slash window */
  MissCounter: 0x04,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const stateKey = Uint8Array.of(Prefix.State);
export const reportPrefix = Uint8Array.of(Prefix.Report);
export const reportKey = (cons: Uint8Array) => concat(reportPrefix, cons);
export const missPrefix = Uint8Array.of(Prefix.MissCounter);
export const missKey = (cons: Uint8Array) => concat(missPrefix, cons);
