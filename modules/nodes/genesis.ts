/** @module nodes genesis: params, node records and pending status timers. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { fromHex, toHex } from "../../common/hash.js";
import { isValidAddress } from "../../common/secp256k1.js";
import { Node, type NodeStatus, nodeStatusFromJSON, nodeStatusToJSON } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { NodeClass, nodeClassFromJSON, nodeClassToJSON } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { NodesKeeper } from "./keeper.js";
import { defaultNodesParams, parseNodesParams } from "./params.js";

export interface GenesisNode {
  nodeId: string; // hex
  operator: string;
  tlsCertFingerprint: string; // hex
  zone: string;
  class: string; // NODE_CLASS_*
  capacityBytes: string;
  endpoint: string;
  status: string; // NODE_STATUS_*
  statusReason: string;
  registeredHeight: string;
  cooldownUntil: string;
  bannedUntil: string;
}
export interface NodesGenesis {
  params: Record<string, string>;
  nodes: GenesisNode[];
  timers: { time: string; nodeId: string }[];
}

export function defaultNodesGenesis(): NodesGenesis {
  return { params: JSON.parse(canonicalJson(defaultNodesParams)), nodes: [], timers: [] };
}

const HEX32 = /^[0-9a-f]{64}$/;
const INT = /^(0|[1-9][0-9]{0,19})$/;

export function validateNodesGenesis(raw: unknown): NodesGenesis {
  const g = { ...defaultNodesGenesis(), ...((raw ?? {}) as Partial<NodesGenesis>) } as NodesGenesis;
  parseNodesParams(g.params);
  const ids = new Set<string>();
  const ops = new Set<string>();
  for (const [i, n] of g.nodes.entries()) {
    const f = `nodes.nodes[${i}]`;
    if (!HEX32.test(n.nodeId)) throw new Error(`${f}.nodeId: expected 64 lower-case hex characters`);
    if (ids.has(n.nodeId)) throw new Error(`${f}.nodeId: duplicate`);
    ids.add(n.nodeId);
    if (!isValidAddress(n.operator)) throw new Error(`${f}.operator: invalid address`);
    if (ops.has(n.operator)) throw new Error(`${f}.operator: operates another node`);
    ops.add(n.operator);
    if (!HEX32.test(n.tlsCertFingerprint)) throw new Error(`${f}.tlsCertFingerprint: expected sha256 hex`);
    const cls = nodeClassFromJSON(n.class);
    if (cls !== NodeClass.NODE_CLASS_REGULAR && cls !== NodeClass.NODE_CLASS_DATA_CENTER)
      throw new Error(`${f}.class: expected NODE_CLASS_REGULAR or NODE_CLASS_DATA_CENTER`);
    if (nodeStatusFromJSON(n.status) <= 0) throw new Error(`${f}.status: unknown status`);
    for (const k of ["capacityBytes", "registeredHeight", "cooldownUntil", "bannedUntil"] as const)
      if (!INT.test(n[k])) throw new Error(`${f}.${k}: expected a decimal integer string`);
  }
  for (const [i, t] of g.timers.entries()) {
    if (!INT.test(t.time)) throw new Error(`nodes.timers[${i}].time: expected a decimal integer string`);
    if (!HEX32.test(t.nodeId)) throw new Error(`nodes.timers[${i}].nodeId: expected 64 hex characters`);
  }
  return g;
}

export function initNodesGenesis(ctx: Context, keeper: NodesKeeper, raw: unknown): void {
  const g = validateNodesGenesis(raw);
  keeper.setParams(ctx, parseNodesParams(g.params));
  for (const n of g.nodes) {
    keeper.putNode(
      ctx,
      addressBytesOf(n.operator),
      Node.fromPartial({
        nodeId: Buffer.from(fromHex(n.nodeId)),
        operator: n.operator,
        tlsCertFingerprint: Buffer.from(fromHex(n.tlsCertFingerprint)),
        zone: n.zone,
        class: nodeClassFromJSON(n.class),
        capacityBytes: BigInt(n.capacityBytes),
        endpoint: n.endpoint,
        status: nodeStatusFromJSON(n.status) as NodeStatus,
        statusReason: n.statusReason,
        registeredHeight: BigInt(n.registeredHeight),
        cooldownUntil: BigInt(n.cooldownUntil),
        bannedUntil: BigInt(n.bannedUntil),
      }),
    );
  }
  for (const t of g.timers) keeper.setTimer(ctx, BigInt(t.time), fromHex(t.nodeId));
}

export function exportNodesGenesis(ctx: Context, keeper: NodesKeeper): NodesGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    nodes: [...keeper.nodes(ctx)].map((n) => ({
      nodeId: toHex(n.nodeId),
      operator: n.operator,
      tlsCertFingerprint: toHex(n.tlsCertFingerprint),
      zone: n.zone,
      class: nodeClassToJSON(n.class),
      capacityBytes: n.capacityBytes.toString(),
      endpoint: n.endpoint,
      status: nodeStatusToJSON(n.status),
      statusReason: n.statusReason,
      registeredHeight: n.registeredHeight.toString(),
      cooldownUntil: n.cooldownUntil.toString(),
      bannedUntil: n.bannedUntil.toString(),
    })),
    timers: [...keeper.timers(ctx)].map((t) => ({ time: t.time.toString(), nodeId: toHex(t.nodeId) })),
  };
}
