/**
 * @module The node's usage proof: build it from the chunks it stores (reading only the challenged ranges),
 * sign it with the node key, and the pure checks a coordinator runs on it (signature, shape, usage figures).
 */
import { concat, utf8 } from "../../../chain-app/encoding.js";
import { type Ed25519KeyPair, ed25519Sign, ed25519Verify } from "../../../common/ed25519.js";
import { InvalidArgumentError } from "../../../common/errors.js";
import { bytesEqual, toHex } from "../../../common/hash.js";
import type { Usage as ReceiptUsage } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { type RangeAnswer, UsageProof } from "../../../proto/gen/dsdn/receipts/v1/usage.js";
import type { Storage } from "../storage.js";
import { challengeSeed, deriveChallenges, rangeAnswer, storageWorkloadId } from "./challenges.js";

export const USAGE_PROOF_VERSION = 1;
const DOMAIN = utf8("dsdn.receipts.v1.UsageProof\0");

export function usageProofSigningBytes(p: UsageProof): Uint8Array {
  return concat(DOMAIN, UsageProof.encode({ ...p, nodeSignature: Buffer.alloc(0) }).finish());
}

export function verifyUsageProofSignature(p: UsageProof): boolean {
  return p.nodeId.length === 32 && ed25519Verify(p.nodeSignature, usageProofSigningBytes(p), p.nodeId);
}

/** The proof's usage figures: chunks, bytes, and bytes × seconds held within [period_start, period_end]. */
export function usageOf(p: UsageProof): ReceiptUsage {
  let bytes = 0n;
  let byteSeconds = 0n;
  for (const c of p.chunks) {
    bytes += c.size;
    const from = c.heldSince > p.periodStart ? c.heldSince : p.periodStart;
    if (p.periodEnd > from) byteSeconds += c.size * BigInt(p.periodEnd - from);
  }
  return { chunks: BigInt(p.chunks.length), bytes, byteSeconds, computeCycles: 0n };
}

/** Shape rules (no I/O): version, ids, sorted distinct chunks, a sane period, the workload id of the manifest. */
export function usageProofProblem(p: UsageProof): string | undefined {
  if (p.version !== USAGE_PROOF_VERSION) return `version must be ${USAGE_PROOF_VERSION}`;
  if (p.nodeId.length !== 32 || p.workloadId.length !== 32 || p.anchorHash.length !== 32) return "malformed ids";
  if (!bytesEqual(p.workloadId, storageWorkloadId(p.manifestCid))) return "workload_id is not the manifest's";
  if (p.chunks.length === 0) return "no chunks";
  if (p.chunks.some((c, i) => c.size === 0n || (i > 0 && c.cid <= p.chunks[i - 1]!.cid)))
    return "chunks must be sorted, distinct, non-empty";
  if (p.periodEnd < p.periodStart) return "period ends before it starts";
  return undefined;
}

async function readRange(storage: Storage, cid: string, offset: number, length: number): Promise<Uint8Array> {
  const r = await storage.getChunk(cid, { start: offset, end: offset + length - 1 });
  if (!r) throw new InvalidArgumentError(`chunk ${cid} is not stored here`);
  const parts: Buffer[] = [];
  for await (const piece of r.stream) parts.push(piece as Buffer);
  const out = Buffer.concat(parts);
  if (out.length !== length) throw new InvalidArgumentError(`chunk ${cid}: read ${out.length} of ${length} bytes`);
  return out;
}

export interface BuildUsageProofInput {
  readonly storage: Storage;
  readonly identity: Ed25519KeyPair;
  readonly chainId: string;
  readonly manifestCid: string;
  readonly submitter: string;
  readonly cids: readonly string[];
  /** unix seconds each chunk was stored (default: periodStart). */
  readonly heldSince?: ReadonlyMap<string, bigint>;
  readonly epoch: bigint;
  readonly periodStart: bigint;
  readonly periodEnd: bigint;
  readonly anchor: { readonly height: bigint; readonly hash: Uint8Array };
}

/** Builds and signs a usage proof; reads only the challenged ranges (cost ∝ challenges, not data held). */
export async function buildUsageProof(i: BuildUsageProofInput): Promise<UsageProof> {
  const cids = [...new Set(i.cids)].sort();
  const chunks = [];
  for (const cid of cids) {
    const st = await i.storage.statChunk(cid);
    if (!st) throw new InvalidArgumentError(`chunk ${cid} is not stored here`);
    chunks.push({ cid, size: BigInt(st.size), heldSince: i.heldSince?.get(cid) ?? i.periodStart });
  }
  const workloadId = storageWorkloadId(i.manifestCid);
  const seed = challengeSeed(i.anchor.hash, i.identity.publicKey, workloadId, i.epoch);
  const answers: RangeAnswer[] = [];
  for (const ch of deriveChallenges(seed, chunks)) {
    const bytes = await readRange(i.storage, ch.cid, ch.offset, ch.length);
    answers.push({
      cid: ch.cid,
      offset: BigInt(ch.offset),
      length: BigInt(ch.length),
      answer: Buffer.from(rangeAnswer(seed, bytes)),
    });
  }
  const unsigned = UsageProof.fromPartial({
    version: USAGE_PROOF_VERSION,
    chainId: i.chainId,
    nodeId: Buffer.from(i.identity.publicKey),
    workloadId: Buffer.from(workloadId),
    manifestCid: i.manifestCid,
    submitter: i.submitter,
    epoch: i.epoch,
    periodStart: i.periodStart,
    periodEnd: i.periodEnd,
    chunks,
    anchorHeight: i.anchor.height,
    anchorHash: Buffer.from(i.anchor.hash),
    answers,
  });
  return {
    ...unsigned,
    nodeSignature: Buffer.from(ed25519Sign(usageProofSigningBytes(unsigned), i.identity.secretKey)),
  };
}

export function describeProof(p: UsageProof): string {
  return `node ${toHex(p.nodeId).slice(0, 12)}… workload ${toHex(p.workloadId).slice(0, 12)}… ${p.chunks.length} chunks`;
}
