/** @module MsgRegisterNode: bind an ed25519 node key (proved by its signature) to a staked operator. */
import type { MsgDef } from "../../chain-app/module.js";
import { parseEndpoint } from "../../common/endpoint.js";
import { toHex } from "../../common/hash.js";
import { Node, NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { MsgRegisterNode, MsgRegisterNodeResponse } from "../../proto/gen/dsdn/nodes/v1/tx.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { verifyNodeBinding } from "./binding.js";
import { NodesErrors } from "./errors.js";
import { registerNodeEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import type { NodesKeeper } from "./keeper.js";

export const MSG_REGISTER_NODE_TYPE_URL = "/dsdn.nodes.v1.MsgRegisterNode";

const ZONE = /^[a-z0-9][a-z0-9._-]*$/;

function checkEndpoint(endpoint: string): void {
  const e = parseEndpoint(endpoint);
  if (typeof e === "string") throw NodesErrors.InvalidField.wrap(`endpoint "${endpoint}": ${e}`);
}

export function msgRegisterNode(keeper: NodesKeeper, stake: StakeKeeper): MsgDef<MsgRegisterNode> {
  return {
    typeUrl: MSG_REGISTER_NODE_TYPE_URL,
    codec: MsgRegisterNode,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.nodeId.length !== 32) throw NodesErrors.InvalidNodeId.wrap(`${m.nodeId.length} bytes`);
      if (m.tlsCertFingerprint.length !== 32)
        throw NodesErrors.InvalidFingerprint.wrap(`${m.tlsCertFingerprint.length} bytes`);
      if (m.class !== NodeClass.NODE_CLASS_REGULAR && m.class !== NodeClass.NODE_CLASS_DATA_CENTER)
        throw NodesErrors.InvalidField.wrap(`class ${m.class}`);
      if (!ZONE.test(m.zone))
        throw NodesErrors.InvalidField.wrap(`zone "${m.zone}" (lower-case letters, digits, . _ -)`);
      if (m.capacityBytes <= 0n) throw NodesErrors.InvalidField.wrap("capacity_bytes must be positive");
      checkEndpoint(m.endpoint);
      if (m.nodeSignature.length !== 64) throw NodesErrors.InvalidSignature.wrap("signature must be 64 bytes");
    },
    handle(ctx, m) {
      const op = addressBytesOf(m.signer);
      const p = keeper.getParams(ctx);
      if (BigInt(m.zone.length) > p.maxZoneLength)
        throw NodesErrors.InvalidField.wrap(`zone longer than ${p.maxZoneLength}`);
      if (BigInt(m.endpoint.length) > p.maxEndpointLength)
        throw NodesErrors.InvalidField.wrap(`endpoint longer than ${p.maxEndpointLength}`);
      const binding = {
        chainId: ctx.block.chainId,
        operator: op,
        nodeId: m.nodeId,
        tlsCertFingerprint: m.tlsCertFingerprint,
        zone: m.zone,
        class: m.class,
        capacityBytes: m.capacityBytes,
        endpoint: m.endpoint,
      };
      ctx.gas.consume(p.sigVerifyCostEd25519, "node signature verification");
      if (!verifyNodeBinding(binding, m.nodeSignature)) throw NodesErrors.InvalidSignature;
      const existing = keeper.getNode(ctx, m.nodeId);
      if (existing && existing.operator !== m.signer) throw NodesErrors.NodeIdTaken.wrap(toHex(m.nodeId));
      const ownId = keeper.nodeIdOfOperator(ctx, op);
      if (ownId && Buffer.compare(Buffer.from(ownId), Buffer.from(m.nodeId)) !== 0)
        throw NodesErrors.OperatorHasNode.wrap(toHex(ownId));
      // CheckTx contexts carry no block time (0): leave the ban-time decision to FinalizeBlock then.
      const timeKnown = ctx.block.timeSeconds > 0n || ctx.mode === "finalize";
      if (existing && timeKnown && existing.bannedUntil > ctx.block.timeSeconds)
        throw NodesErrors.Banned.wrap(`until ${existing.bannedUntil}`);
      const ns = stake.getNodeStake(ctx, op);
      if (!ns || BigInt(ns.amount) === 0n) throw NodesErrors.NoStake.wrap(m.signer);
      if (ns.class !== m.class) throw NodesErrors.ClassMismatch;
      // Re-registering the same key updates its details; cooldown and ban carry over.
      const node = Node.fromPartial({
        nodeId: m.nodeId,
        operator: m.signer,
        tlsCertFingerprint: m.tlsCertFingerprint,
        zone: m.zone,
        class: m.class,
        capacityBytes: m.capacityBytes,
        endpoint: m.endpoint,
        status: existing?.status ?? NodeStatus.NODE_STATUS_PENDING,
        statusReason: existing?.statusReason ?? "",
        registeredHeight: existing?.registeredHeight ?? ctx.block.height,
        cooldownUntil: existing?.cooldownUntil ?? 0n,
        bannedUntil: existing?.bannedUntil ?? 0n,
      });
      const saved = keeper.refreshStatus(ctx, op, node);
      ctx.emit(registerNodeEvent(toHex(m.nodeId), m.signer, String(m.class), m.zone));
      return {
        typeUrl: "/dsdn.nodes.v1.MsgRegisterNodeResponse",
        value: MsgRegisterNodeResponse.encode({ status: saved.status }).finish(),
      };
    },
  };
}
