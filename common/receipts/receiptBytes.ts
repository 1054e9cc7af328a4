/**
 * @module The receipt byte format: what the committee signs, what the node countersigns, the receipt id and
 * replay key, and the stateless well-formedness rules (shared by the chain, coordinators and nodes).
 */

import {
  type ExecutionCommitment,
  ExecutionKind,
  ReceiptData,
  ReceiptKind,
  ThresholdReceipt,
} from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { u64be, utf8 } from "../encoding.js";
import { concatBytes as concat, sha256 } from "../hash.js";
import { decodeCanonical, encodeMessage } from "../protobuf.js";
import { isValidAddress } from "../secp256k1.js";

/** Receipt v2: `reward` is the usage's value in nano-USD, paid in unusa at the oracle price when claimed. */
export const RECEIPT_VERSION = 2;
/** Receipt v1 priced usage in unusa; the chain refuses it (ReceiptVersionRetired) rather than guess its price. */
export const RECEIPT_VERSION_V1 = 1;
/** Domain tags: the committee's and the node's signatures can never be replayed as each other or as anything else. */
export const RECEIPT_SIGN_DOMAIN = utf8("dsdn.receipts.v1.ReceiptData\0");
export const NODE_SIGN_DOMAIN = utf8("dsdn.receipts.v1.NodeSignature\0");
const ZERO32 = new Uint8Array(32);

/** The message the committee's FROST group key signs for these receipt bytes. */
export function receiptSigningMessage(receiptData: Uint8Array): Uint8Array {
  return concat(RECEIPT_SIGN_DOMAIN, receiptData);
}

/** The message the node's own ed25519 key signs to accept the receipt (MsgClaimReward.node_signature). */
export function nodeSigningMessage(receiptData: Uint8Array): Uint8Array {
  return concat(NODE_SIGN_DOMAIN, receiptData);
}

/** Receipt id: sha256 of the signed message (unique per receipt bytes). */
export function receiptId(receiptData: Uint8Array): Uint8Array {
  return sha256(receiptSigningMessage(receiptData));
}

/** One receipt per (kind, workload, node, epoch, sequence): two different receipts with this key conflict. */
export function replayKey(d: ReceiptData): Uint8Array {
  return sha256(
    concat(
      utf8("dsdn.receipts.v1.replay\0"),
      Uint8Array.of(d.kind),
      d.workloadId,
      d.nodeId,
      u64be(d.epoch),
      u64be(d.sequence),
    ),
  );
}

export function encodeReceiptData(d: Partial<ReceiptData>): Uint8Array {
  return encodeMessage(ReceiptData, d);
}

/** Decodes receipt bytes, insisting on the canonical encoding (one byte string per receipt). */
export function decodeReceiptData(bytes: Uint8Array): ReceiptData {
  return decodeCanonical(ReceiptData, bytes, "ReceiptData");
}

export function decodeThresholdReceipt(bytes: Uint8Array): ThresholdReceipt {
  return decodeCanonical(ThresholdReceipt, bytes, "ThresholdReceipt");
}

const is32 = (b: Uint8Array | undefined): boolean => b !== undefined && b.length === 32;

/**
 * Bounds of a compute commitment's game fields: a fraud game bisects [0, steps] over checkpoints every
 * `trace_every` steps, so both must be positive and small enough that checkpoint indexes and Merkle paths
 * stay bounded (2^48 steps is ~3 days at 10^9 steps/s; K ≤ 2^32).
 */
export const MAX_COMMITTED_STEPS = 1n << 48n;
export const MAX_TRACE_EVERY = 1n << 32n;
/** The signed spec's bounds (node-agent/compute/workload.ts): fuel ≤ 10^15 (a safe integer), ≤ 65 536 pages (4 GiB). */
export const MAX_COMMITTED_FUEL = 1_000_000_000_000_000n;
export const MAX_MEMORY_PAGES = 65_536;

/**
 * Stateless rules every receipt must meet; returns the first violation (undefined when well formed).
 * Execution commitment: always present with six 32-byte hashes and the receipt's workload id; a compute
 * receipt's input, output and trace root must be non-zero (a fraud proof needs them; its state roots are zero
 * for an empty key-value state); a storage receipt's must be zero (storage has no execution to commit to).
 */
export function receiptProblem(d: ReceiptData, chainId?: string): string | undefined {
  if (d.version !== RECEIPT_VERSION) return `version must be ${RECEIPT_VERSION}`;
  if (chainId !== undefined && d.chainId !== chainId) return `chain_id "${d.chainId}" is not "${chainId}"`;
  if (d.kind !== ReceiptKind.RECEIPT_KIND_STORAGE && d.kind !== ReceiptKind.RECEIPT_KIND_COMPUTE) return "unknown kind";
  if (!is32(d.workloadId)) return "workload_id must be 32 bytes";
  if (!is32(d.nodeId)) return "node_id must be 32 bytes";
  if (!is32(d.usageProofHash)) return "usage_proof_hash must be 32 bytes";
  if (!isValidAddress(d.submitter)) return "submitter is not a valid address";
  if (!d.usage) return "usage missing";
  if (!/^(0|[1-9][0-9]{0,76})$/.test(d.reward)) return "reward must be a non-negative integer";
  const s = d.signers;
  if (s.length === 0 || s.some((x, i) => x < 1 || (i > 0 && x <= s[i - 1]!)))
    return "signers must be increasing indexes ≥ 1";
  const ec = executionCommitmentProblem(d.executionCommitment, d.workloadId, d.kind);
  if (ec) return `execution commitment: ${ec}`;
  if (d.kind === ReceiptKind.RECEIPT_KIND_STORAGE && (d.usage.bytes === 0n || d.usage.chunks === 0n))
    return "a storage receipt must cover at least one chunk";
  if (d.kind === ReceiptKind.RECEIPT_KIND_COMPUTE && d.usage.computeCycles === 0n)
    return "a compute receipt must meter some cycles";
  if (d.kind === ReceiptKind.RECEIPT_KIND_COMPUTE && d.timestamp <= 0n)
    return "a compute receipt must carry its signing time (its challenge window starts there)";
  return undefined;
}

export function executionCommitmentProblem(
  ec: ExecutionCommitment | undefined,
  workloadId: Uint8Array,
  kind: ReceiptKind,
): string | undefined {
  if (!ec) return "missing";
  if (ec.executionKind === ExecutionKind.EXECUTION_KIND_MICROVM_REDUNDANT)
    return kind === ReceiptKind.RECEIPT_KIND_COMPUTE
      ? microvmCommitmentProblem(ec, workloadId)
      : "only a compute commitment can be of the MicroVM kind";
  if (ec.executionKind !== ExecutionKind.EXECUTION_KIND_TRACED_WASM) return "unknown execution_kind";
  const hashes = [ec.inputHash, ec.outputHash, ec.stateRootBefore, ec.stateRootAfter, ec.executionTraceMerkleRoot];
  if (!is32(ec.workloadId) || hashes.some((h) => !is32(h))) return "every field must be 32 bytes";
  if (Buffer.compare(Buffer.from(ec.workloadId), Buffer.from(workloadId)) !== 0)
    return "workload_id differs from the receipt's";
  if (kind === ReceiptKind.RECEIPT_KIND_COMPUTE) {
    // The state roots may be zero: the key-value state's root is all zeros when it is empty (a job that keeps
    // no state), as the runtime's kv tree defines it. Input, output and trace root are hashes of something.
    if ([ec.inputHash, ec.outputHash, ec.executionTraceMerkleRoot].some(isZero32))
      return "a compute commitment has a zero hash (input, output or trace root)";
    if (!is32(ec.moduleHash)) return "module_hash must be 32 bytes";
    if (isZero32(ec.moduleHash)) return "module_hash is a zero hash";
    if (ec.steps < 1n || ec.steps > MAX_COMMITTED_STEPS) return `steps must be 1..${MAX_COMMITTED_STEPS}`;
    if (ec.traceEvery < 1n || ec.traceEvery > MAX_TRACE_EVERY) return `trace_every must be 1..${MAX_TRACE_EVERY}`;
    if (ec.outputSize > MAX_COMMITTED_STEPS) return `output_size must be at most ${MAX_COMMITTED_STEPS}`;
    // Step 0 holds the limits the run started under: without them the chain cannot recompute the start.
    if (ec.fuelLimit < 1n || ec.fuelLimit > MAX_COMMITTED_FUEL) return `fuel_limit must be 1..${MAX_COMMITTED_FUEL}`;
    if (ec.memoryPages < 1 || ec.memoryPages > MAX_MEMORY_PAGES) return `memory_pages must be 1..${MAX_MEMORY_PAGES}`;
  }
  if (kind === ReceiptKind.RECEIPT_KIND_STORAGE) {
    if (!hashes.every(isZero32)) return "a storage commitment must have zero hashes";
    if (ec.fuelLimit !== 0n || ec.memoryPages !== 0) return "a storage commitment has no fuel_limit or memory_pages";
    if (ec.steps !== 0n || ec.traceEvery !== 0n || ec.outputSize !== 0n)
      return "a storage commitment has no steps, trace_every or output_size";
    if (ec.moduleHash.length !== 0 && !(is32(ec.moduleHash) && isZero32(ec.moduleHash)))
      return "a storage commitment has no module_hash";
  }
  return undefined;
}

const isZero32 = (h: Uint8Array) => is32(h) && Buffer.compare(Buffer.from(h), Buffer.from(ZERO32)) === 0;

/**
 * A MicroVM run is not provable step by step: the kind says so explicitly, and the fields a fraud game would use
 * (state roots, trace root, steps, trace_every) must be empty — never a zero hash standing in for "none".
 */
function microvmCommitmentProblem(ec: ExecutionCommitment, workloadId: Uint8Array): string | undefined {
  if (!is32(ec.workloadId) || Buffer.compare(Buffer.from(ec.workloadId), Buffer.from(workloadId)) !== 0)
    return "workload_id differs from the receipt's";
  for (const [name, h] of [
    ["input_hash", ec.inputHash],
    ["output_hash", ec.outputHash],
    ["module_hash", ec.moduleHash],
  ] as const)
    if (!is32(h) || isZero32(h)) return `a MicroVM commitment's ${name} must be a 32-byte non-zero hash`;
  if (ec.stateRootBefore.length || ec.stateRootAfter.length || ec.executionTraceMerkleRoot.length)
    return "a MicroVM commitment has no state roots or trace root (it is not provable step by step)";
  if (ec.steps !== 0n || ec.traceEvery !== 0n) return "a MicroVM commitment has no steps or trace_every";
  if (ec.fuelLimit !== 0n || ec.memoryPages !== 0) return "a MicroVM commitment has no fuel_limit or memory_pages";
  if (ec.outputSize > MAX_COMMITTED_STEPS) return `output_size must be at most ${MAX_COMMITTED_STEPS}`;
  return undefined;
}

/** The execution commitment a storage receipt carries: its workload id and zero hashes. */
export function storageCommitment(workloadId: Uint8Array): ExecutionCommitment {
  const z = () => Buffer.alloc(32);
  return {
    workloadId: Buffer.from(workloadId),
    inputHash: z(),
    outputHash: z(),
    stateRootBefore: z(),
    stateRootAfter: z(),
    executionTraceMerkleRoot: z(),
    steps: 0n,
    traceEvery: 0n,
    outputSize: 0n,
    moduleHash: z(),
    executionKind: ExecutionKind.EXECUTION_KIND_TRACED_WASM,
    fuelLimit: 0n,
    memoryPages: 0,
  };
}
