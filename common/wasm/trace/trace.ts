/**
 * @module Execution trace: the machine pauses every K instructions and its step commitment
 * (`hashStepState`, the very hash `verifyStep` maps from and to) is a checkpoint; the checkpoints form a
 * Merkle tree whose root, with their count and K bound into it, is the `execution_trace_merkle_root`.
 * Checkpoint i is the commitment after i·K steps counted from the set-up invocation (checkpoint 0); the
 * last is the final state, a fixed point: the commitment after any step count past the end is the final
 * one (a run ended by fuel exhaustion has one more transition than `steps`: the trap itself).
 */
import type { HostState } from "../hostState.js";
import type { Machine, RunStatus } from "../machine.js";
import { hashStepState, StepStateBuilder } from "../proof/stepState.js";
import type { Instance } from "../runtime.js";
import { bindCount, equal, type Hash, merkleProof, merkleRoot, merkleRootFromProof, Writer } from "./hashing.js";
import { STATUS } from "./stateHash.js";

export interface Checkpoint {
  readonly index: number;
  /** Instructions executed when the checkpoint was taken (informational; the hash commits to it). */
  readonly steps: number;
  readonly hash: Hash;
}

export interface Trace {
  readonly every: number;
  readonly checkpoints: readonly Checkpoint[];
  readonly root: Hash;
}

export interface CheckpointProof {
  readonly checkpoint: Checkpoint;
  readonly count: number;
  /** K, bound into the root like the count. */
  readonly every: number;
  readonly path: readonly Hash[];
}

/** The step-commitment status of a run status (`paused` = still running). */
export function statusCode(s: RunStatus | undefined): number {
  if (!s || s.status === "paused") return STATUS.running;
  return STATUS[s.status];
}

/** The trace root: the checkpoint tree (count bound in) with K bound in. */
export function traceRoot(hashes: readonly Hash[], every: number): Hash {
  return bindEvery(merkleRoot(hashes), every);
}
/**
 * The trace root of a checkpoint tree whose unbound root is `tree`, over `count` checkpoints taken every `every`
 * steps: what a fraud game's Merkle descent checks the revealed tree root against.
 */
export function traceRootOfTree(tree: Hash, count: number, every: number): Hash {
  return bindEvery(bindCount(tree, count), every);
}
function bindEvery(inner: Hash, every: number): Hash {
  return new Writer().u8(0x03).u64(BigInt(every)).bytes(inner).digest();
}

/**
 * Runs an invocation already set up by `machine.start` (pass its immediate result, if any) to the
 * end, taking a checkpoint every `every` instructions. `builder` is the machine's commitment builder
 * (one per machine: it consumes the memory's dirty marks); a fresh one by default.
 */
export function runTraced(
  machine: Machine,
  inst: Instance,
  host: HostState | undefined,
  every: number,
  started: RunStatus | undefined,
  builder: StepStateBuilder = new StepStateBuilder(machine, inst, host),
): { status: RunStatus; trace: Trace } {
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError("checkpoint interval must be a positive integer");
  const checkpoints: Checkpoint[] = [];
  const take = (s: RunStatus | undefined) =>
    checkpoints.push({
      index: checkpoints.length,
      steps: machine.steps,
      hash: hashStepState(builder.snapshot(statusCode(s)).state),
    });
  let status: RunStatus | undefined = started;
  // Steps count from the set-up state (a start function's instructions belong to the set-up).
  const base = machine.steps;
  take(status);
  while (status === undefined || status.status === "paused") {
    status = machine.run(base + checkpoints.length * every);
    take(status);
  }
  const hashes = checkpoints.map((c) => c.hash);
  return { status, trace: { every, checkpoints, root: traceRoot(hashes, every) } };
}

/** getCheckpoint(i): the checkpoint with its Merkle proof against the trace root. */
export function getCheckpoint(trace: Trace, i: number): CheckpointProof {
  const c = trace.checkpoints[i];
  if (!c) throw new RangeError(`no checkpoint ${i} (trace has ${trace.checkpoints.length})`);
  return {
    checkpoint: c,
    count: trace.checkpoints.length,
    every: trace.every,
    path: merkleProof(
      trace.checkpoints.map((x) => x.hash),
      i,
    ),
  };
}

/** Pure check of a checkpoint proof against a trace root (what a verifier or the chain runs). */
export function verifyCheckpoint(root: Hash, proof: CheckpointProof): boolean {
  if (!Number.isSafeInteger(proof.every) || proof.every < 1) return false;
  const c = proof.checkpoint;
  const inner = merkleRootFromProof(proof.count, c.index, c.hash, proof.path);
  return inner !== undefined && equal(bindEvery(inner, proof.every), root);
}
