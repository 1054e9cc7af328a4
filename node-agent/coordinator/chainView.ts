/** @module The coordinator's read-only view of Chain Nusantara: node admission, chain node status, stake weights. */
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import {
  type AdmissionRefusal,
  checkNodeAdmission,
  type NodeClaim,
  setupNodesExtension,
} from "../../clients/sdk/nodes.js";
import { setupSlashingExtension } from "../../clients/sdk/slashing.js";
import { setupStakeExtension } from "../../clients/sdk/stake.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { NodeStatus as ChainNodeStatus } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import type { NodeStatusName } from "../da/replay/state.js";

export type { AdmissionRefusal, NodeClaim };

export interface ChainNode {
  readonly operator: string;
  readonly zone: string;
  readonly endpoint: string;
  readonly capacityBytes: bigint;
  readonly tlsCertFingerprint: Uint8Array;
  readonly status: NodeStatusName;
  readonly statusReason: string;
}

/** What the coordinator asks the chain; a fake implements it in unit tests. */
export interface ChainView {
  admission(claim: NodeClaim): Promise<{ admitted: boolean; refusals: AdmissionRefusal[] }>;
  /** The chain's record of a node, or undefined when the node is not registered. */
  node(nodeId: Uint8Array): Promise<ChainNode | undefined>;
  /** floor(10^6 · log2(stake/min)) per operator, as the stake module reports it. */
  stakeWeight(operator: string): Promise<bigint>;
  close(): void;
}

const STATUS: Record<number, NodeStatusName> = {
  [ChainNodeStatus.NODE_STATUS_PENDING]: "pending",
  [ChainNodeStatus.NODE_STATUS_ACTIVE]: "active",
  [ChainNodeStatus.NODE_STATUS_QUARANTINED]: "quarantined",
  [ChainNodeStatus.NODE_STATUS_BANNED]: "banned",
};

/** Connects to a CometBFT RPC of Chain Nusantara (CosmJS). */
export async function connectChainView(rpcUrl: string): Promise<ChainView> {
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(rpcUrl);
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `cannot reach Chain Nusantara RPC at ${rpcUrl}`, { cause: e });
  }
  const q = QueryClient.withExtensions(comet, setupNodesExtension, setupStakeExtension, setupSlashingExtension);
  return {
    admission: (claim) => checkNodeAdmission(q, claim),
    async node(nodeId) {
      try {
        const n = (await q.nodes.node(nodeId)).node;
        if (!n) return undefined;
        return {
          operator: n.operator,
          zone: n.zone,
          endpoint: n.endpoint,
          capacityBytes: BigInt(n.capacityBytes),
          tlsCertFingerprint: n.tlsCertFingerprint,
          status: STATUS[n.status] ?? "pending",
          statusReason: n.statusReason,
        };
      } catch (e) {
        if (/not found/.test((e as Error).message)) return undefined;
        throw e;
      }
    },
    async stakeWeight(operator) {
      const s = await q.stake.getStake(operator);
      return /^\d+$/.test(s.stakeWeight) ? BigInt(s.stakeWeight) : 0n;
    },
    close: () => comet.disconnect(),
  };
}
