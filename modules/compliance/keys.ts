/** @module Store layout of the compliance module (keys under "compliance/"). Prefixes are never reused. */
import { concat, u64be, utf8 } from "../../chain-app/encoding.js";

export const MODULE_NAME = "compliance";

export const Prefix = {
  /** 0x01 -> ComplianceParams (canonical JSON) */
  Params: 0x01,
  /** 0x02 | kind(1) | value -> dsdn.compliance.v1.Block: the pointers blocked now */
  Block: 0x02,
  /** 0x03 | id(u64) -> dsdn.compliance.v1.Decision: every decision, only ever appended */
  Decision: 0x03,
  /** 0x04 -> next decision id (u64) */
  NextDecisionId: 0x04,
  /** 0x05 | kind(1) | len(u16) | value | id(u64) -> empty: decisions by pointer */
  DecisionByPointer: 0x05,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const nextDecisionIdKey = Uint8Array.of(Prefix.NextDecisionId);
export const blockKey = (kind: number, value: string) => concat(Uint8Array.of(Prefix.Block, kind), utf8(value));
export const decisionKey = (id: bigint) => concat(Uint8Array.of(Prefix.Decision), u64be(id));
export function decisionByPointerPrefix(kind: number, value: string): Uint8Array {
  const v = utf8(value);
  return concat(Uint8Array.of(Prefix.DecisionByPointer, kind, v.length >> 8, v.length & 0xff), v);
}
export const decisionByPointerKey = (kind: number, value: string, id: bigint) =>
  concat(decisionByPointerPrefix(kind, value), u64be(id));
