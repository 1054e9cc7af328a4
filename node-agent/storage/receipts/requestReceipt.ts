/**
 * @module The node's receipt round trip: anchor on the chain's latest block, build and sign the usage proof,
 * ask a committee member for the threshold receipt, countersign it with the node key, keep the receipt file,
 * and (auto-claim) submit MsgClaimReward with the operator's key through the SDK.
 */
import { join } from "node:path";
import type { SigningStargateClient } from "@cosmjs/stargate";
import { type ClaimOutcome, claimReceipt, nodeSignReceipt, writeReceiptFile } from "../../../clients/sdk/receipts.js";
import type { Ed25519KeyPair } from "../../../common/ed25519.js";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { toHex } from "../../../common/hash.js";
import { decodeReceiptData, decodeThresholdReceipt } from "../../../modules/receipts/receiptBytes.js";
import type { ThresholdReceipt } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import { type ReceiptsChain, servingCommittee } from "../../coordinator/receipts/chain.js";
import { requestReceipt } from "../../coordinator/receipts/server.js";
import type { Storage } from "../storage.js";
import { buildUsageProof } from "./usageProof.js";

export interface NodeReceiptInput {
  readonly storage: Storage;
  readonly identity: Ed25519KeyPair;
  readonly chain: ReceiptsChain;
  /** A committee member's endpoint (any member can propose). */
  readonly coordinator: string;
  readonly manifestCid: string;
  readonly submitter: string;
  readonly cids: readonly string[];
  readonly periodStart: bigint;
  readonly periodEnd: bigint;
  readonly heldSince?: ReadonlyMap<string, bigint>;
  /** Where the receipt file goes (`<dir>/<receipt id>.json`). */
  readonly receiptsDir?: string;
}

export interface NodeReceipt {
  readonly receipt: ThresholdReceipt;
  readonly receiptId: string;
  readonly nodeSignature: Uint8Array;
  readonly file?: string;
}

export async function obtainReceipt(i: NodeReceiptInput): Promise<NodeReceipt> {
  const committee = await servingCommittee(i.chain);
  if (!committee) throw new BaseError(ErrorCode.Unavailable, "the chain has no coordinator committee yet");
  const height = await i.chain.latestHeight();
  const proof = await buildUsageProof({
    storage: i.storage,
    identity: i.identity,
    chainId: await i.chain.chainId(),
    manifestCid: i.manifestCid,
    submitter: i.submitter,
    cids: i.cids,
    epoch: committee.epoch,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    ...(i.heldSince ? { heldSince: i.heldSince } : {}),
    anchor: { height, hash: await i.chain.blockHash(height) },
  });
  const res = await requestReceipt(i.coordinator, UsageProof.encode(proof).finish());
  const receipt = decodeThresholdReceipt(res.thresholdReceipt);
  const d = decodeReceiptData(receipt.receiptData);
  if (toHex(d.nodeId) !== toHex(i.identity.publicKey))
    throw new BaseError(ErrorCode.Integrity, "the committee returned another node's receipt");
  const nodeSignature = nodeSignReceipt(receipt, i.identity.secretKey);
  const receiptId = toHex(res.receiptId);
  let file: string | undefined;
  if (i.receiptsDir) {
    file = join(i.receiptsDir, `${receiptId}.json`);
    await writeReceiptFile(file, receipt, nodeSignature);
  }
  return { receipt, receiptId, nodeSignature, ...(file ? { file } : {}) };
}

/** Auto-claim: submit the receipt right away with the operator's signing client. */
export function autoClaim(client: SigningStargateClient, operator: string, r: NodeReceipt): Promise<ClaimOutcome> {
  return claimReceipt(client, operator, r.receipt, { nodeSignature: r.nodeSignature });
}
