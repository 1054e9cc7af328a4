/** @module What the receipt committee reads from Chain Nusantara, and that view over CometBFT RPC + the DSDN SDK. */
import { QueryClient } from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { setupCommitteeExtension } from "../../../clients/sdk/committee.js";
import { setupNodesExtension } from "../../../clients/sdk/nodes.js";
import { setupReceiptsExtension } from "../../../clients/sdk/receipts.js";
import { parseReceiptsParams, type ReceiptsParams } from "../../../modules/receipts/params.js";
import { type Committee, CommitteeStatus, type SeedRequest } from "../../../proto/gen/dsdn/committee/v1/committee.js";
import type { Node } from "../../../proto/gen/dsdn/nodes/v1/nodes.js";

export interface ReceiptsChain {
  chainId(): Promise<string>;
  /** The committee of `epoch` (default: the current one); undefined when none. */
  committee(epoch?: bigint): Promise<Committee | undefined>;
  /** The open request for the next epoch's seed, if any. */
  seedRequest(): Promise<SeedRequest | undefined>;
  /** The committee module's params (canonical JSON values). */
  committeeParams(): Promise<Record<string, string>>;
  /** Time (unix s) of the latest block: seed slots run on block time. */
  latestBlockTime(): Promise<bigint>;
  receiptsParams(): Promise<ReceiptsParams>;
  node(nodeId: Uint8Array): Promise<Node | undefined>;
  /** The hash of the block at `height` (CometBFT block id hash). */
  blockHash(height: bigint): Promise<Uint8Array>;
  latestHeight(): Promise<bigint>;
  disconnect(): void;
}

/**
 * The committee that signs receipts now: the current one once its key is recorded; while its DKG is pending,
 * the previous one (the chain accepts its receipts until the new key is recorded). Undefined when neither is.
 */
export async function servingCommittee(chain: Pick<ReceiptsChain, "committee">): Promise<Committee | undefined> {
  const cur = await chain.committee();
  if (!cur || cur.status === CommitteeStatus.COMMITTEE_STATUS_ACTIVE || cur.epoch <= 1n) return cur;
  const prev = await chain.committee(cur.epoch - 1n);
  return prev?.status === CommitteeStatus.COMMITTEE_STATUS_ACTIVE ? prev : cur;
}

export async function connectReceiptsChain(rpcUrl: string): Promise<ReceiptsChain> {
  const comet = await connectComet(rpcUrl);
  const q = QueryClient.withExtensions(comet, setupCommitteeExtension, setupNodesExtension, setupReceiptsExtension);
  let chainId: string | undefined;
  return {
    async chainId() {
      chainId ??= (await comet.status()).nodeInfo.network;
      return chainId;
    },
    committee: (epoch) => q.committee.committee(epoch),
    seedRequest: () => q.committee.seedRequest(),
    committeeParams: () => q.committee.params(),
    async latestBlockTime() {
      return BigInt(Math.floor((await comet.status()).syncInfo.latestBlockTime.getTime() / 1000));
    },
    receiptsParams: async () => parseReceiptsParams(await q.receipts.params()),
    async node(nodeId) {
      try {
        return (await q.nodes.node(nodeId)).node;
      } catch (e) {
        if (/not found/.test((e as Error).message)) return undefined;
        throw e;
      }
    },
    async blockHash(height) {
      return (await comet.block(Number(height))).blockId.hash;
    },
    async latestHeight() {
      return BigInt((await comet.status()).syncInfo.latestBlockHeight);
    },
    disconnect: () => comet.disconnect(),
  };
}
