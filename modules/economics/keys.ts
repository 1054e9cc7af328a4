/** @module Store layout of the economics module (keys under "economics/"). Prefixes are never reused. */
export const MODULE_NAME = "economics";

export const Prefix = {
  /** 0x01 -> EconomicsParams (canonical JSON) */
  Params: 0x01,
  /** 0x02 -> dsdn.economics.v1.PeriodRecord: the last computed period */
  Last: 0x02,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const lastKey = Uint8Array.of(Prefix.Last);
