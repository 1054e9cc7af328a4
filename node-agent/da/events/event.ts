/** @module The DAEvent union: one envelope payload, tagged by type, over the generated dsdn.da.v1 messages. */
import {
  ChunkDeclared,
  CommitteeRotated,
  ComputeDisagreement,
  ComputeReported,
  DeleteRequested,
  type EventEnvelope,
  FallbackActivated,
  NodeRegistered,
  NodeStatusChanged,
  ReceiptIssued,
  ReplicaAdded,
  ReplicaRemoved,
  WorkloadScheduled,
} from "../../../proto/gen/dsdn/da/v1/events.js";

export type DAEvent =
  | { readonly type: "nodeRegistered"; readonly value: NodeRegistered }
  | { readonly type: "nodeStatusChanged"; readonly value: NodeStatusChanged }
  | { readonly type: "chunkDeclared"; readonly value: ChunkDeclared }
  | { readonly type: "replicaAdded"; readonly value: ReplicaAdded }
  | { readonly type: "replicaRemoved"; readonly value: ReplicaRemoved }
  | { readonly type: "deleteRequested"; readonly value: DeleteRequested }
  | { readonly type: "receiptIssued"; readonly value: ReceiptIssued }
  | { readonly type: "workloadScheduled"; readonly value: WorkloadScheduled }
  | { readonly type: "computeReported"; readonly value: ComputeReported }
  | { readonly type: "computeDisagreement"; readonly value: ComputeDisagreement }
  | { readonly type: "committeeRotated"; readonly value: CommitteeRotated }
  | { readonly type: "fallbackActivated"; readonly value: FallbackActivated };

export type DAEventType = DAEvent["type"];

/** Same as DAEvent, but values may leave fields at their defaults (as ts-proto's fromPartial allows). */
export type DAEventInput = {
  [K in DAEvent as K["type"]]: { readonly type: K["type"]; readonly value: Partial<K["value"]> };
}[DAEventType];

export const DA_EVENT_TYPES: readonly DAEventType[] = [
  "nodeRegistered",
  "nodeStatusChanged",
  "chunkDeclared",
  "replicaAdded",
  "replicaRemoved",
  "deleteRequested",
  "receiptIssued",
  "workloadScheduled",
  "computeReported",
  "computeDisagreement",
  "committeeRotated",
  "fallbackActivated",
];

/** Fills defaults so the event encodes canonically. */
export function normalizeEvent(input: DAEventInput): DAEvent {
  switch (input.type) {
    case "nodeRegistered":
      return { type: input.type, value: NodeRegistered.fromPartial(input.value) };
    case "nodeStatusChanged":
      return { type: input.type, value: NodeStatusChanged.fromPartial(input.value) };
    case "chunkDeclared":
      return { type: input.type, value: ChunkDeclared.fromPartial(input.value) };
    case "replicaAdded":
      return { type: input.type, value: ReplicaAdded.fromPartial(input.value) };
    case "replicaRemoved":
      return { type: input.type, value: ReplicaRemoved.fromPartial(input.value) };
    case "deleteRequested":
      return { type: input.type, value: DeleteRequested.fromPartial(input.value) };
    case "receiptIssued":
      return { type: input.type, value: ReceiptIssued.fromPartial(input.value) };
    case "workloadScheduled":
      return { type: input.type, value: WorkloadScheduled.fromPartial(input.value) };
    case "computeReported":
      return { type: input.type, value: ComputeReported.fromPartial(input.value) };
    case "computeDisagreement":
      return { type: input.type, value: ComputeDisagreement.fromPartial(input.value) };
    case "committeeRotated":
      return { type: input.type, value: CommitteeRotated.fromPartial(input.value) };
    case "fallbackActivated":
      return { type: input.type, value: FallbackActivated.fromPartial(input.value) };
    default:
      throw new TypeError(`unknown DA event type "${(input as { type: string }).type}"`);
  }
}

/** The envelope's single payload; undefined when none or more than one oneof member is set (malformed). */
export function eventOfEnvelope(env: EventEnvelope): DAEvent | undefined {
  let found: DAEvent | undefined;
  let count = 0;
  if (env.nodeRegistered !== undefined) {
    found = { type: "nodeRegistered", value: env.nodeRegistered };
    count++;
  }
  if (env.nodeStatusChanged !== undefined) {
    found = { type: "nodeStatusChanged", value: env.nodeStatusChanged };
    count++;
  }
  if (env.chunkDeclared !== undefined) {
    found = { type: "chunkDeclared", value: env.chunkDeclared };
    count++;
  }
  if (env.replicaAdded !== undefined) {
    found = { type: "replicaAdded", value: env.replicaAdded };
    count++;
  }
  if (env.replicaRemoved !== undefined) {
    found = { type: "replicaRemoved", value: env.replicaRemoved };
    count++;
  }
  if (env.deleteRequested !== undefined) {
    found = { type: "deleteRequested", value: env.deleteRequested };
    count++;
  }
  if (env.receiptIssued !== undefined) {
    found = { type: "receiptIssued", value: env.receiptIssued };
    count++;
  }
  if (env.workloadScheduled !== undefined) {
    found = { type: "workloadScheduled", value: env.workloadScheduled };
    count++;
  }
  if (env.computeReported !== undefined) {
    found = { type: "computeReported", value: env.computeReported };
    count++;
  }
  if (env.computeDisagreement !== undefined) {
    found = { type: "computeDisagreement", value: env.computeDisagreement };
    count++;
  }
  if (env.committeeRotated !== undefined) {
    found = { type: "committeeRotated", value: env.committeeRotated };
    count++;
  }
  if (env.fallbackActivated !== undefined) {
    found = { type: "fallbackActivated", value: env.fallbackActivated };
    count++;
  }
  return count === 1 ? found : undefined;
}

/** Places the event in its oneof slot of an envelope under construction. */
export function envelopeEventFields(event: DAEvent): Partial<EventEnvelope> {
  return { [event.type]: event.value } as Partial<EventEnvelope>;
}
