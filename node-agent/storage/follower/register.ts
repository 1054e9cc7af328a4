/** @module A storage node's registration with the coordinator: a NodeRegistered signed by the node key. */
import { NodeClass, NodeRegistered } from "../../../proto/gen/dsdn/da/v1/events.js";
import type { CoordinatorClient } from "../../coordinator/client.js";
import { signNodeRegistration } from "../../da/events/bindings.js";
import type { NodeIdentity } from "../identity.js";

export interface NodeRegistrationParams {
  readonly identity: NodeIdentity;
  readonly operator: string;
  readonly zone: string;
  readonly class: "regular" | "datacenter";
  readonly capacityBytes: bigint;
  readonly endpoint: string;
  /** sha256 of the endpoint's TLS certificate, as registered on chain (32 bytes). */
  readonly tlsFingerprint: Uint8Array;
  /** The DA head this node has seen: orders re-registrations. */
  readonly daHeight: bigint;
}

/** Encoded NodeRegistered with node_signature by the node key (only the key holder can produce it). */
export function signedRegistration(p: NodeRegistrationParams): Uint8Array {
  const reg = signNodeRegistration(
    {
      nodeId: Buffer.from(p.identity.publicKey),
      operator: p.operator,
      zone: p.zone,
      class: p.class === "datacenter" ? NodeClass.NODE_CLASS_DATACENTER : NodeClass.NODE_CLASS_REGULAR,
      capacityBytes: p.capacityBytes,
      endpoint: p.endpoint,
      tlsFingerprint: Buffer.from(p.tlsFingerprint),
      registeredAtHeight: p.daHeight,
    },
    p.identity.secretKey,
  );
  return NodeRegistered.encode(reg).finish();
}

/** Sends the registration; the coordinator refuses (403, with every reason) unless the chain admits the node. */
export function registerWithCoordinator(client: CoordinatorClient, p: NodeRegistrationParams) {
  return client.register(signedRegistration(p));
}
