/** @module CosmJS-style SDK for the nodes module: `setupNodesExtension` queries and the signed registration message. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromBech32Address } from "../../common/secp256k1.js";
import { signNodeBinding } from "../../modules/nodes/binding.js";
import { type Node, NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  QueryGetNodeClassRequest,
  QueryGetNodeClassResponse,
  QueryNodeRequest,
  QueryNodeResponse,
  QueryNodesRequest,
  QueryNodesResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/nodes/v1/query.js";
import { MsgRegisterNode } from "../../proto/gen/dsdn/nodes/v1/tx.js";
import type { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import type { SlashingExtension } from "./slashing.js";
import type { StakeExtension } from "./stake.js";

const SERVICE = "dsdn.nodes.v1.Query";

export const nodesTypeUrls = { registerNode: "/dsdn.nodes.v1.MsgRegisterNode" } as const;
// ts-proto's writer type comes from a newer @bufbuild/protobuf than CosmJS declares; at run time CosmJS
// only calls encode(…).finish(), decode and fromPartial, which these codecs provide.
export const nodesMessageTypes: ReadonlyArray<[string, GeneratedType]> = [
  [nodesTypeUrls.registerNode, MsgRegisterNode as unknown as GeneratedType],
];

export interface NodesExtension {
  readonly nodes: {
    getNodeClass(address: string): Promise<QueryGetNodeClassResponse>;
    node(nodeId: Uint8Array): Promise<QueryNodeResponse>;
    /** One page of nodes sorted by node_id, optionally only one status. */
    nodes(o?: { key?: Uint8Array; limit?: bigint; status?: NodeStatus }): Promise<QueryNodesResponse>;
    /** The module's params (registration limits and the compute scheduler's weights), integers as strings. */
    params(): Promise<Record<string, string>>;
  };
}

export function setupNodesExtension(base: QueryClient): NodesExtension {
  const rpc = createProtobufRpcClient(base);
  return {
    nodes: {
      getNodeClass: async (address) =>
        QueryGetNodeClassResponse.decode(
          await rpc.request(SERVICE, "GetNodeClass", QueryGetNodeClassRequest.encode({ address }).finish()),
        ),
      node: async (nodeId) =>
        QueryNodeResponse.decode(
          await rpc.request(SERVICE, "Node", QueryNodeRequest.encode({ nodeId: Buffer.from(nodeId) }).finish()),
        ),
      params: async () =>
        JSON.parse(
          QueryParamsResponse.decode(await rpc.request(SERVICE, "Params", QueryParamsRequest.encode({}).finish()))
            .paramsJson,
        ),
      nodes: async (o = {}) =>
        QueryNodesResponse.decode(
          await rpc.request(
            SERVICE,
            "Nodes",
            QueryNodesRequest.encode({
              pagination: { key: Buffer.from(o.key ?? new Uint8Array()), limit: o.limit ?? 0n },
              status: o.status ?? 0,
            }).finish(),
          ),
        ),
    },
  };
}

export interface RegisterNodeParams {
  readonly chainId: string;
  readonly operator: string;
  /** The node's ed25519 seed (32 bytes): it signs the binding and never leaves this process. */
  readonly nodeSecretKey: Uint8Array;
  readonly tlsCertFingerprint: Uint8Array;
  readonly zone: string;
  readonly class: NodeClass;
  readonly capacityBytes: bigint;
  readonly endpoint: string;
}

/** A MsgRegisterNode whose node_signature binds the node key to operator and chain id. */
export function registerNodeMsg(p: RegisterNodeParams): EncodeObject {
  const node = ed25519KeyPair(p.nodeSecretKey);
  const fields = {
    tlsCertFingerprint: p.tlsCertFingerprint,
    zone: p.zone,
    class: p.class,
    capacityBytes: p.capacityBytes,
    endpoint: p.endpoint,
  };
  const sig = signNodeBinding(
    { chainId: p.chainId, operator: fromBech32Address(p.operator), nodeId: node.publicKey, ...fields },
    p.nodeSecretKey,
  );
  return {
    typeUrl: nodesTypeUrls.registerNode,
    value: MsgRegisterNode.fromPartial({
      signer: p.operator,
      nodeId: Buffer.from(node.publicKey),
      ...fields,
      tlsCertFingerprint: Buffer.from(p.tlsCertFingerprint),
      nodeSignature: Buffer.from(sig),
    }),
  };
}

/** Why a node may not join (Tahap 14B/16 gatekeeping), as the coordinator should check it via CosmJS. */
export type AdmissionRefusal =
  | "not_registered"
  | "operator_mismatch"
  | "tls_fingerprint_mismatch"
  | "no_stake"
  | "insufficient_stake"
  | "cooldown"
  | "banned"
  | "not_active";

export interface NodeClaim {
  /** The ed25519 node key the node proved it holds (e.g. in its TLS/handshake signature). */
  readonly nodeId: Uint8Array;
  /** The operator the node claims to belong to. */
  readonly operator: string;
  /** sha256 of the DER certificate the node presented on the live TLS connection. */
  readonly tlsCertFingerprint: Uint8Array;
}

/**
 * The chain-side admission check: registered to this operator, the presented certificate is the
 * registered one, stake at or above the class minimum, no cooldown or ban, status Active. (TLS
 * validity itself — expiry, key possession — is checked by the caller on the connection.)
 */
export async function checkNodeAdmission(
  q: QueryClient & NodesExtension & StakeExtension & SlashingExtension,
  claim: NodeClaim,
): Promise<{ admitted: boolean; refusals: AdmissionRefusal[] }> {
  let node: Node | undefined;
  try {
    node = (await q.nodes.node(claim.nodeId)).node;
  } catch (e) {
    if (!/not found/.test((e as Error).message)) throw e;
  }
  if (!node) return { admitted: false, refusals: ["not_registered"] };
  const refusals: AdmissionRefusal[] = [];
  if (node.operator !== claim.operator) refusals.push("operator_mismatch");
  if (Buffer.compare(Buffer.from(node.tlsCertFingerprint), Buffer.from(claim.tlsCertFingerprint)) !== 0)
    refusals.push("tls_fingerprint_mismatch");
  const stake = await q.stake.getStake(node.operator);
  if (BigInt(stake.nodeStake) === 0n) refusals.push("no_stake");
  else if (!stake.meetsNodeMinimum) refusals.push("insufficient_stake");
  const slashing = await q.slashing.getSlashingStatus(node.operator);
  if (slashing.inCooldown) refusals.push("cooldown");
  if (slashing.banned) refusals.push("banned");
  if (node.status !== NodeStatus.NODE_STATUS_ACTIVE) refusals.push("not_active");
  return { admitted: refusals.length === 0, refusals };
}
