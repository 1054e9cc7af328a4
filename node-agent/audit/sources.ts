/** @module What feeds the audit log: chain events the node follows, its DA posts (sequence numbers) and fallback changes. */
import type { EventEmitter } from "node:events";
import type { AuditLog } from "./log.js";
import type { AuditData, AuditKind } from "./record.js";

/** Chain event types (CometBFT `type`) and the audit kind each one is. Unlisted events are not audited. */
export const CHAIN_EVENT_AUDIT_KINDS: Readonly<Record<string, AuditKind>> = {
  slash: "slashing",
  jail: "slashing",
  node_fault: "slashing",
  node_ban: "slashing",
  stake_slash: "slashing",
  committee_dispute_slash: "slashing",
  committee_absence_penalty: "slashing",
  create_validator: "stake_change",
  bond_node: "stake_change",
  unbond: "stake_change",
  complete_unbonding: "stake_change",
  validator_power: "stake_change",
  receipt_self_dealing: "self_dealing",
  committee_selected: "committee_rotation",
  committee_dkg_recorded: "committee_rotation",
  receipt_challenged: "challenge",
};

/** Event-type prefixes of whole modules (gov, fraud, compliance). */
const PREFIX_KINDS: readonly (readonly [string, AuditKind])[] = [
  ["gov_", "governance"],
  ["proposal_", "governance"],
  ["fraud_verdict", "verdict"],
  ["fraud_", "challenge"],
  ["delete", "delete"],
  ["compliance_", "compliance"],
];

export function auditKindOfChainEvent(type: string): AuditKind | undefined {
  const k = CHAIN_EVENT_AUDIT_KINDS[type];
  if (k) return k;
  for (const [prefix, kind] of PREFIX_KINDS) if (type.startsWith(prefix)) return kind;
  return undefined;
}

export interface ChainEventLike {
  readonly type: string;
  readonly attributes: readonly { readonly key: string; readonly value: string }[];
}

/** Appends the audited events of one block (one fsync); returns how many were recorded. */
export function auditChainEvents(log: AuditLog, height: bigint, events: readonly ChainEventLike[]): number {
  const items: { kind: AuditKind; data: AuditData }[] = [];
  for (const e of events) {
    const kind = auditKindOfChainEvent(e.type);
    if (!kind) continue;
    const data: Record<string, string> = { source: "chain", height: height.toString(), event: e.type };
    for (const a of e.attributes.slice(0, 24)) if (!(a.key in data)) data[a.key] = a.value.slice(0, 1024);
    items.push({ kind, data });
  }
  if (items.length > 0) log.appendMany(items);
  return items.length;
}

/** Records each DA post of an EventPublisher ("posted": layer, height and the sequence range). */
export function auditPublisher(publisher: EventEmitter & { readonly publisherHex: string }, log: AuditLog): () => void {
  const on = (b: { ref: { layer: string; height: bigint }; firstSequence: bigint; lastSequence: bigint }) =>
    log.append("da_sequence", {
      publisher: publisher.publisherHex,
      layer: b.ref.layer,
      height: b.ref.height.toString(),
      first_sequence: b.firstSequence.toString(),
      last_sequence: b.lastSequence.toString(),
    });
  publisher.on("posted", on);
  return () => publisher.off("posted", on);
}

/** Records each fallback router transition. */
export function auditFallback(router: EventEmitter, log: AuditLog): () => void {
  const on = (a: { from: string; to: string; reason: string; layer: string; primaryHead: bigint }) =>
    log.append("fallback_activation", {
      from: a.from,
      to: a.to,
      reason: a.reason,
      layer: a.layer,
      primary_head: a.primaryHead.toString(),
    });
  router.on("transition", on);
  return () => router.off("transition", on);
}
