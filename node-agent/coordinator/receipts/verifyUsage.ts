/**
 * @module A committee member's independent check of a proposed storage receipt: the node's signed usage
 * proof (node Active on chain, fresh chain anchor, the challenges the anchor implies, the node's answers
 * re-read from the node, one whole chunk against its CID) and a receipt body that says exactly what the
 * proof shows at the chain's prices. Throws ReceiptRefusedError with the reason; returns the usage.
 */
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { bytesEqual, sha256, toHex } from "../../../common/hash.js";
import { RECEIPT_VERSION, storageCommitment } from "../../../common/receipts/receiptBytes.js";
import { usdValueOf } from "../../../modules/receipts/reward.js";
import { NodeStatus } from "../../../proto/gen/dsdn/nodes/v1/nodes.js";
import {
  ExecutionCommitment,
  type ReceiptData,
  ReceiptKind,
  Usage,
} from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import { challengeSeed, deriveChallenges, fullCheckIndex, rangeAnswer } from "../../storage/receipts/challenges.js";
import { usageOf, usageProofProblem, verifyUsageProofSignature } from "../../storage/receipts/usageProof.js";
import type { ReceiptsChain } from "./chain.js";
import type { ChunkFetcher } from "./chunkFetch.js";

export class ReceiptRefusedError extends BaseError {
  constructor(reason: string) {
    super(ErrorCode.Unauthorized, `receipt refused: ${reason}`);
  }
}

export interface VerifyDeps {
  readonly chain: ReceiptsChain;
  readonly fetcher: ChunkFetcher;
  /** The anchor block may be at most this many blocks old (default 200). */
  readonly maxAnchorAgeBlocks?: bigint;
  /** Allowed clock difference for the proposed timestamp (seconds, default 300). */
  readonly maxClockSkewSeconds?: bigint;
  readonly nowSeconds: () => bigint;
}

const refuse = (reason: string): never => {
  throw new ReceiptRefusedError(reason);
};

/** Checks the usage proof alone (its bytes are what the receipt's usage_proof_hash commits to). */
export async function verifyUsageProof(proofBytes: Uint8Array, d: VerifyDeps): Promise<UsageProof> {
  let p: UsageProof;
  try {
    p = UsageProof.decode(proofBytes);
  } catch {
    return refuse("usage proof does not decode");
  }
  const shape = usageProofProblem(p);
  if (shape) refuse(`usage proof: ${shape}`);
  if (!verifyUsageProofSignature(p)) refuse("usage proof is not signed by its node");
  if (p.chainId !== (await d.chain.chainId())) refuse(`usage proof is for chain ${p.chainId}`);
  const node = await d.chain.node(p.nodeId);
  if (!node) return refuse(`node ${toHex(p.nodeId).slice(0, 16)}… is not registered`);
  if (node.status !== NodeStatus.NODE_STATUS_ACTIVE) refuse(`node is not Active (${node.statusReason || node.status})`);
  const latest = await d.chain.latestHeight();
  if (p.anchorHeight > latest || latest - p.anchorHeight > (d.maxAnchorAgeBlocks ?? 200n))
    refuse(
      `anchor height ${p.anchorHeight} is not within the last ${d.maxAnchorAgeBlocks ?? 200n} blocks of ${latest}`,
    );
  if (!bytesEqual(await d.chain.blockHash(p.anchorHeight), p.anchorHash))
    refuse("anchor hash is not the chain's block hash");
  const seed = challengeSeed(p.anchorHash, p.nodeId, p.workloadId, p.epoch);
  const expected = deriveChallenges(seed, p.chunks);
  const same =
    expected.length === p.answers.length &&
    expected.every((c, i) => {
      const a = p.answers[i]!;
      return a.cid === c.cid && a.offset === BigInt(c.offset) && a.length === BigInt(c.length);
    });
  if (!same) refuse("answers are not for the challenges the anchor implies");
  const endpoint = node.endpoint;
  for (const c of p.chunks) {
    // Every challenged range re-read from the node must give the node's answer …
    for (const a of p.answers.filter((x) => x.cid === c.cid)) {
      let bytes: Uint8Array;
      try {
        bytes = await d.fetcher.range(endpoint, a.cid, Number(a.offset), Number(a.length));
      } catch (e) {
        return refuse(`node did not serve ${a.cid}: ${(e as Error).message}`);
      }
      if (!bytesEqual(rangeAnswer(seed, bytes), a.answer)) refuse(`wrong answer for ${a.cid}@${a.offset}`);
    }
  }
  // … and one chunk, chosen by the seed, is read whole and must hash to its CID at the stated size.
  const full = p.chunks[fullCheckIndex(seed, p.chunks.length)]!;
  if (!(await d.fetcher.wholeMatchesCid(endpoint, full.cid, full.size)))
    refuse(`chunk ${full.cid} does not match its CID`);
  return p;
}

/** Checks a proposed receipt body against its (already verified) usage proof and the chain's prices. */
export async function checkReceiptBody(
  body: ReceiptData,
  proof: UsageProof,
  proofBytes: Uint8Array,
  d: VerifyDeps,
): Promise<void> {
  const params = await d.chain.receiptsParams();
  const usage = usageOf(proof);
  const expectEq = (ok: boolean, what: string) => {
    if (!ok) refuse(`receipt ${what} does not match the usage proof`);
  };
  expectEq(body.version === RECEIPT_VERSION && body.kind === ReceiptKind.RECEIPT_KIND_STORAGE, "version/kind");
  expectEq(body.chainId === proof.chainId, "chain id");
  expectEq(bytesEqual(body.workloadId, proof.workloadId) && bytesEqual(body.nodeId, proof.nodeId), "workload/node");
  expectEq(body.submitter === proof.submitter && body.epoch === proof.epoch, "submitter/epoch");
  expectEq(bytesEqual(body.usageProofHash, sha256(proofBytes)), "usage_proof_hash");
  expectEq(body.sequence === 0n, "sequence");
  expectEq(
    bytesEqual(
      ExecutionCommitment.encode(body.executionCommitment ?? ExecutionCommitment.fromPartial({})).finish(),
      ExecutionCommitment.encode(storageCommitment(body.workloadId)).finish(),
    ),
    "execution commitment",
  );
  expectEq(
    bytesEqual(Usage.encode(body.usage ?? Usage.fromPartial({})).finish(), Usage.encode(usage).finish()),
    "usage",
  );
  expectEq(body.reward === usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, usage, params).toString(), "reward");
  const skew = d.nowSeconds() - body.timestamp;
  const max = d.maxClockSkewSeconds ?? 300n;
  if (skew > max || skew < -max) refuse(`timestamp ${body.timestamp} is more than ${max} s from this member's clock`);
  if (body.signers.length !== 0) refuse("a proposal must not name signers yet");
}
