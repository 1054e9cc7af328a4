/**
 * @module The bisection game's pure arithmetic over step indexes [0, steps]: checkpoints every K steps (the last at
 * `steps`), the initial range of each dispute type, and the midpoint — over checkpoints while the range spans more
 * than one (phase 1, openings proven against the trace root), then inside the K-range (phase 2). Each halving
 * leaves ⌈log2(steps/K)⌉ + ⌈log2 K⌉ rounds at most. An InvalidStateTransition with an empty claim first descends the
 * checkpoint tree (one round per level) to the checkpoint it then disputes.
 */
import { DisputeType } from "../../proto/gen/dsdn/fraud/v1/fraud.js";

export const checkpointCount = (steps: bigint, k: bigint): bigint => (steps + k - 1n) / k + 1n;
export const checkpointStep = (i: bigint, steps: bigint, k: bigint): bigint => (i * k < steps ? i * k : steps);
/** The checkpoint index at step `s`, or undefined when no checkpoint falls there. */
export function checkpointIndexAt(s: bigint, steps: bigint, k: bigint): bigint | undefined {
  if (s === steps) return checkpointCount(steps, k) - 1n;
  return s % k === 0n && s < steps ? s / k : undefined;
}

/** The step the defender opens next in [lo, hi] (hi - lo ≥ 2). */
export function midpoint(lo: bigint, hi: bigint, steps: bigint, k: bigint): bigint {
  const a = checkpointIndexAt(lo, steps, k);
  const b = checkpointIndexAt(hi, steps, k);
  if (a !== undefined && b !== undefined && b - a >= 2n) return checkpointStep((a + b) / 2n, steps, k);
  return lo + (hi - lo) / 2n;
}

const log2ceil = (n: bigint) => (n <= 1n ? 0 : (n - 1n).toString(2).length);

/** Most rounds a game over `steps` with checkpoints every `k` can take: ⌈log2(checkpoint intervals)⌉ + ⌈log2 k⌉. */
export function maxRounds(steps: bigint, k: bigint): number {
  return log2ceil(checkpointCount(steps, k) - 1n) + log2ceil(k < steps ? k : steps);
}

/** Depth of the checkpoint tree (the length of every checkpoint's path): ⌈log2 count⌉. */
export const treeDepth = (steps: bigint, k: bigint): number => log2ceil(checkpointCount(steps, k));

/**
 * Most rounds of a Merkle-descent game: one pick per level of the checkpoint tree (⌈log2 count⌉), then the
 * InvalidStateTransition game over one checkpoint interval (⌈log2 K⌉).
 */
export function maxDescentRounds(steps: bigint, k: bigint): number {
  return treeDepth(steps, k) + log2ceil(k < steps ? k : steps);
}

/** An InvalidStateTransition with an empty claim: the checkpoint is found by a Merkle descent. */
export const isDescentClaim = (type: DisputeType, claim: Uint8Array): boolean =>
  type === DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION && claim.length === 0;

/** The first checkpoint index under the node at `depth` (0 = root), `index` of a tree `treeDepth` deep. */
export const firstLeafOf = (depth: number, index: bigint, depthOfTree: number): bigint =>
  index << BigInt(depthOfTree - depth);

/**
 * The checkpoint a descent that reached leaf `leaf` disputes: the leaf itself, or checkpoint 1 for leaf 0 (step 0 is
 * settled by the pin of the start, which the range [0, step 1] opens).
 */
export const descentCheckpoint = (leaf: bigint): bigint => (leaf < 1n ? 1n : leaf);

/** The disputed range [lo, hi] a challenge opens, or why the claim does not fit its type. */
export function initialRange(
  type: DisputeType,
  claim: Uint8Array,
  steps: bigint,
  k: bigint,
  outputHash: Uint8Array,
): { lo: bigint; hi: bigint } | string {
  const count = checkpointCount(steps, k);
  const index = (): bigint | undefined =>
    claim.length === 8 ? new DataView(claim.buffer, claim.byteOffset, 8).getBigUint64(0) : undefined;
  switch (type) {
    case DisputeType.DISPUTE_TYPE_INVALID_OUTPUT:
      if (claim.length !== 32) return "claim must be the challenger's 32-byte output hash";
      if (Buffer.compare(Buffer.from(claim), Buffer.from(outputHash)) === 0)
        return "claim equals the receipt's output hash: nothing is disputed";
      return { lo: 0n, hi: steps };
    case DisputeType.DISPUTE_TYPE_INVALID_STATE_TRANSITION: {
      if (claim.length === 0) {
        // The Merkle descent: the disputed range is the whole run until the descent names a checkpoint.
        if (count < 2n) return "a run with one checkpoint has no transition to dispute";
        return { lo: 0n, hi: steps };
      }
      const i = index();
      if (i === undefined || i < 1n || i >= count) return `claim must be a u64 checkpoint index in 1..${count - 1n}`;
      return { lo: checkpointStep(i - 1n, steps, k), hi: checkpointStep(i, steps, k) };
    }
    case DisputeType.DISPUTE_TYPE_FAKE_EXECUTION: {
      const i = index();
      if (i === undefined || i < 1n || i >= count) return `claim must be a u64 checkpoint index in 1..${count - 1n}`;
      return { lo: 0n, hi: checkpointStep(i, steps, k) };
    }
    default:
      return "unknown dispute type";
  }
}
