/** @module Store layout of the nodes module (keys under "nodes/"). Prefixes are never reused. */
import { addrKey, concat, u64be } from "../../chain-app/encoding.js";

export const MODULE_NAME = "nodes";

export const Prefix = {
  /** 0x01 -> Params (canonical JSON) */
  Params: 0x01,
  /** 0x02 | node_id(32) -> dsdn.nodes.v1.Node */
  Node: 0x02,
  /** 0x03 | len(1) | operator -> node_id(32) (one node per operator) */
  NodeByOperator: 0x03,
  /** 0x04 | time(u64) | node_id(32) -> empty: re-derive the node's status once block time reaches `time` */
  StatusTimer: 0x04,
} as const;

export const paramsKey = Uint8Array.of(Prefix.Params);
export const nodeKey = (id: Uint8Array) => concat(Uint8Array.of(Prefix.Node), id);
export const operatorKey = (op: Uint8Array) => concat(Uint8Array.of(Prefix.NodeByOperator), addrKey(op));
export const timerKey = (time: bigint, id: Uint8Array) => concat(Uint8Array.of(Prefix.StatusTimer), u64be(time), id);
