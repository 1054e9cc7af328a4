/** @module CosmJS-style SDK for the nodes module: `setupNodesExtension` queries and the signed registration message. */
import type { EncodeObject, GeneratedType } from "@cosmjs/proto-signing";
import { createProtobufRpcClient, type QueryClient } from "@cosmjs/stargate";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromBech32Address } from "../../common/secp256k1.js";
import { signNodeBinding } from "../../modules/nodes/binding.js";
import type { NodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  QueryGetNodeClassRequest,
  QueryGetNodeClassResponse,
  QueryNodeRequest,
  QueryNodeResponse,
  QueryNodesRequest,
  QueryNodesResponse,
} from "../../proto/gen/dsdn/nodes/v1/query.js";
import { MsgRegisterNode } from "../../proto/gen/dsdn/nodes/v1/tx.js";
import type { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";

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
