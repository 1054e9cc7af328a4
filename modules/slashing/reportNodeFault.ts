/**
 * @module MsgReportNodeFault: slash a storage node's bond for a fault, quarantine it for a cooldown,
 * and on repeated malice force-unbond and ban it. TEMPORARY authority: only `params.faultAuthority`
 * may report, until the coordinator committee module attests faults with its threshold signature.
 */

import type { Context } from "../../chain-app/context.js";
import { concat } from "../../chain-app/encoding.js";
import type { MsgDef } from "../../chain-app/module.js";
import { sha256, toHex } from "../../common/hash.js";
import { NodeFault, nodeFaultToJSON } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { MsgReportNodeFault, MsgReportNodeFaultResponse } from "../../proto/gen/dsdn/slashing/v1/tx.js";
import { BondKind } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SlashingErrors } from "./errors.js";
import { nodeBanEvent, nodeFaultEvent } from "./events.js";
import type { NodesKeeper, StakeKeeper } from "./expectedKeepers.js";
import { OffenceKind, type SlashingKeeper } from "./keeper.js";
import { defaultSlashingParams, type SlashingParams } from "./params.js";

export const MSG_REPORT_NODE_FAULT_TYPE_URL = "/dsdn.slashing.v1.MsgReportNodeFault";
export const MAX_EVIDENCE_BYTES = 65_536;

function faultTerms(f: NodeFault, p: SlashingParams): { kind: string; ppm: bigint } | undefined {
  if (f === NodeFault.NODE_FAULT_LIVENESS) return { kind: OffenceKind.Liveness, ppm: p.slashFractionLivenessPpm };
  if (f === NodeFault.NODE_FAULT_DATA_CORRUPTION)
    return { kind: OffenceKind.DataCorruption, ppm: p.slashFractionDataCorruptionPpm };
  if (f === NodeFault.NODE_FAULT_COMPUTE_FRAUD)
    return { kind: OffenceKind.ComputeFraud, ppm: p.slashFractionComputeFraudPpm };
  return undefined;
}

/**
 * Slashes a node's bond for a fault (at `height`), records the offence and its evidence hash, quarantines the
 * node for the cooldown, and on repeated malice force-unbonds and bans it. Shared by MsgReportNodeFault and
 * other modules' proven faults (fraud's compute-fraud verdict, through app wiring).
 */
export function punishNodeFault(
  ctx: Context,
  keeper: SlashingKeeper,
  stake: StakeKeeper,
  nodes: NodesKeeper,
  nodeId: Uint8Array,
  fault: NodeFault,
  evidenceHash: Uint8Array,
  height: bigint,
): { slashed: bigint; banned: boolean } {
  const p = keeper.getParams(ctx);
  const node = nodes.getNode(ctx, nodeId);
  if (!node) throw SlashingErrors.UnknownNode.wrap(toHex(nodeId));
  const terms = faultTerms(fault, p);
  if (!terms) throw SlashingErrors.InvalidFault.wrap(String(fault));
  keeper.setEvidence(ctx, evidenceHash, ctx.block.height);
  const op = addressBytesOf(node.operator);
  const now = ctx.block.timeSeconds;
  const slashed = stake.slash(ctx, op, BondKind.BOND_KIND_NODE, terms.ppm, { height });
  const { record, maliciousInWindow } = keeper.recordOffence(ctx, op, {
    height: ctx.block.height,
    time: now,
    kind: terms.kind,
    slashed: slashed.toString(),
    evidenceHash: Buffer.from(evidenceHash),
  });
  const cooldownUntil = now + p.nodeCooldownSeconds;
  nodes.setCooldown(ctx, op, cooldownUntil);
  let banned = false;
  let bannedUntil = record.bannedUntil;
  if (maliciousInWindow >= p.maliceThreshold) {
    // Repeated malice: all node stake starts unbonding (still slashable) and the node is banned.
    stake.forceUnbondNode(ctx, op);
    bannedUntil = now + p.banSeconds;
    nodes.ban(ctx, op, bannedUntil);
    banned = true;
    ctx.emit(nodeBanEvent(toHex(nodeId), node.operator, bannedUntil));
  }
  keeper.setRecord(ctx, op, {
    ...record,
    cooldownUntil: cooldownUntil > record.cooldownUntil ? cooldownUntil : record.cooldownUntil,
    bannedUntil,
  });
  ctx.emit(nodeFaultEvent(toHex(nodeId), node.operator, nodeFaultToJSON(fault), slashed, cooldownUntil));
  return { slashed, banned };
}

export function msgReportNodeFault(
  keeper: SlashingKeeper,
  stake: StakeKeeper,
  nodes: NodesKeeper,
): MsgDef<MsgReportNodeFault> {
  return {
    typeUrl: MSG_REPORT_NODE_FAULT_TYPE_URL,
    codec: MsgReportNodeFault,
    signers: (m) => [m.signer],
    validateBasic(m) {
      addressBytesOf(m.signer);
      if (m.nodeId.length !== 32) throw SlashingErrors.UnknownNode.wrap("node_id must be 32 bytes");
      if (faultTerms(m.fault, defaultSlashingParams) === undefined)
        throw SlashingErrors.InvalidFault.wrap(String(m.fault));
      if (m.evidence.length === 0 || m.evidence.length > MAX_EVIDENCE_BYTES)
        throw SlashingErrors.InvalidEvidence.wrap(`1..${MAX_EVIDENCE_BYTES} bytes`);
    },
    handle(ctx, m) {
      const p = keeper.getParams(ctx);
      if (p.faultAuthority === "" || m.signer !== p.faultAuthority) throw SlashingErrors.NotAuthority.wrap(m.signer);
      const node = nodes.getNode(ctx, m.nodeId);
      if (!node) throw SlashingErrors.UnknownNode.wrap(toHex(m.nodeId));
      const terms = faultTerms(m.fault, p);
      if (!terms) throw SlashingErrors.InvalidFault.wrap(String(m.fault));
      const height = m.infractionHeight === 0n ? ctx.block.height : m.infractionHeight;
      if (height < 1n || height > ctx.block.height || ctx.block.height - height > p.maxEvidenceAgeBlocks)
        throw SlashingErrors.InvalidInfractionHeight.wrap(
          `${m.infractionHeight} at block ${ctx.block.height} (max age ${p.maxEvidenceAgeBlocks} blocks)`,
        );
      const evidenceHash = sha256(concat(m.nodeId, Uint8Array.of(m.fault), m.evidence));
      if (keeper.hasEvidence(ctx, evidenceHash)) throw SlashingErrors.DuplicateEvidence;
      const { slashed, banned } = punishNodeFault(ctx, keeper, stake, nodes, m.nodeId, m.fault, evidenceHash, height);
      return {
        typeUrl: "/dsdn.slashing.v1.MsgReportNodeFaultResponse",
        value: MsgReportNodeFaultResponse.encode({ slashed: slashed.toString(), banned }).finish(),
      };
    },
  };
}
