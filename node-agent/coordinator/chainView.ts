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
import { NodeStatus as ChainNodeStatus, type Node } from "../../proto/gen/dsdn/nodes/v1/nodes.js";
import { QueryNodeRequest, QueryNodeResponse } from "../../proto/gen/dsdn/nodes/v1/query.js";
import { QueryGetStakeRequest, QueryGetStakeResponse } from "../../proto/gen/dsdn/stake/v1/query.js";
import { NodeClass } from "../../proto/gen/dsdn/stake/v1/stake.js";
import type { NodeStatusName } from "../da/replay/state.js";

export type { AdmissionRefusal, NodeClaim };

export interface ChainNode {
  readonly operator: string;
  readonly zone: string;
  readonly nodeClass: "regular" | "datacenter" | "unspecified";
  readonly endpoint: string;
  readonly capacityBytes: bigint;
  readonly tlsCertFingerprint: Uint8Array;
  readonly status: NodeStatusName;
  readonly statusReason: string;
}

/** What the coordinator asks the chain; a fake implements it in unit tests. */
export interface ChainView {
  admission(claim: NodeClaim): Promise<{ admitted: boolean; refusals: AdmissionRefusal[] }>;
  /** The last committed chain height (what a placement records so it can be recomputed later). */
  height(): Promise<bigint>;
  /** The chain's record of a node (at `height`, default latest), or undefined when the node is not registered. */
  node(nodeId: Uint8Array, height?: bigint): Promise<ChainNode | undefined>;
  /** floor(10^6 · log2(stake/min)) per operator at `height` (default latest), as the stake module reports it. */
  stakeWeight(operator: string, height?: bigint): Promise<bigint>;
  close(): void;
}

const CLASS: Record<number, ChainNode["nodeClass"]> = {
  [NodeClass.NODE_CLASS_REGULAR]: "regular",
  [NodeClass.NODE_CLASS_DATA_CENTER]: "datacenter",
};

const STATUS: Record<number, NodeStatusName> = {
  [ChainNodeStatus.NODE_STATUS_PENDING]: "pending",
  [ChainNodeStatus.NODE_STATUS_ACTIVE]: "active",
  [ChainNodeStatus.NODE_STATUS_QUARANTINED]: "quarantined",
  [ChainNodeStatus.NODE_STATUS_BANNED]: "banned",
};

/** The chain's node record in the coordinator's terms. */
export function chainNodeOf(n: Node): ChainNode {
  return {
    operator: n.operator,
    zone: n.zone,
    nodeClass: CLASS[n.class] ?? "unspecified",
    endpoint: n.endpoint,
    capacityBytes: BigInt(n.capacityBytes),
    tlsCertFingerprint: n.tlsCertFingerprint,
    status: STATUS[n.status] ?? "pending",
    statusReason: n.statusReason,
  };
}

/** Connects to a CometBFT RPC of Chain Nusantara (CosmJS). */
export async function connectChainView(rpcUrl: string): Promise<ChainView> {
  let comet: Awaited<ReturnType<typeof connectComet>>;
  try {
    comet = await connectComet(rpcUrl);
  } catch (e) {
    throw new BaseError(ErrorCode.Unavailable, `cannot reach Chain Nusantara RPC at ${rpcUrl}`, { cause: e });
  }
  const q = QueryClient.withExtensions(comet, setupNodesExtension, setupStakeExtension, setupSlashingExtension);
  // Historical queries (the app keeps every committed version): a placement's inputs stay readable later.
  const at = async (path: string, data: Uint8Array, height: bigint | undefined) =>
    (await q.queryAbci(path, data, height === undefined ? undefined : Number(height))).value;
  return {
    admission: (claim) => checkNodeAdmission(q, claim),
    async height() {
      // The app's last committed height (abci_info), not /status's latest block: CometBFT saves a block before the
      // app commits it, so a query pinned at /status's height can fail in that window (seen under load).
      return BigInt((await comet.abciInfo()).lastBlockHeight ?? 0);
    },
    async node(nodeId, height) {
      try {
        const n = QueryNodeResponse.decode(
          await at(
            "/dsdn.nodes.v1.Query/Node",
            QueryNodeRequest.encode({ nodeId: Buffer.from(nodeId) }).finish(),
            height,
          ),
        ).node;
        return n ? chainNodeOf(n) : undefined;
      } catch (e) {
        if (/not found/.test((e as Error).message)) return undefined;
        throw e;
      }
    },
    async stakeWeight(operator, height) {
      const s = QueryGetStakeResponse.decode(
        await at("/dsdn.stake.v1.Query/GetStake", QueryGetStakeRequest.encode({ address: operator }).finish(), height),
      );
      return /^\d+$/.test(s.stakeWeight) ? BigInt(s.stakeWeight) : 0n;
    },
    close: () => comet.disconnect(),
  };
}
