/**
 * @module Execution trace: the machine pauses every K instructions, the state is committed (memory
 * rehashed only for dirty pages), and the checkpoint hashes form a Merkle tree whose root is the
 * `execution_trace_merkle_root` of an ExecutionCommitment. Checkpoint 0 is the state right after the
 * invocation was set up; the last one is the final state (done, trap or exit), wherever it falls.
 */
import type { HostState } from "../hostState.js";
import type { Machine, RunStatus } from "../machine.js";
import type { Instance } from "../runtime.js";
import { type Hash, merkleProof, merkleRoot, verifyMerkleProof } from "./hashing.js";
import { MemoryMerkle } from "./memoryMerkle.js";
import { hashState, STATUS, stateParts } from "./stateHash.js";

export interface Checkpoint {
  readonly index: number;
  /** Instructions executed when the checkpoint was taken. */
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
  readonly path: readonly Hash[];
}

function statusCode(s: RunStatus | undefined): number {
  if (!s || s.status === "paused") return STATUS.running;
  return STATUS[s.status];
}

/**
 * Runs an invocation already set up by `machine.start` (pass its immediate result, if any) to the
 * end, taking a checkpoint every `every` instructions.
 */
export function runTraced(
  machine: Machine,
  inst: Instance,
  host: HostState,
  codeHash: Hash,
  every: number,
  started: RunStatus | undefined,
): { status: RunStatus; trace: Trace } {
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError("checkpoint interval must be a positive integer");
  const mem = new MemoryMerkle();
  const checkpoints: Checkpoint[] = [];
  const take = (s: RunStatus | undefined) =>
    checkpoints.push({
      index: checkpoints.length,
      steps: machine.steps,
      hash: hashState(stateParts(machine, inst, host, mem, codeHash, statusCode(s))),
    });
  let status: RunStatus | undefined = started;
  take(status);
  while (status === undefined || status.status === "paused") {
    status = machine.run(machine.steps + every);
    take(status);
  }
  const hashes = checkpoints.map((c) => c.hash);
  return { status, trace: { every, checkpoints, root: merkleRoot(hashes) } };
}

/** getCheckpoint(i): the checkpoint with its Merkle proof against the trace root. */
export function getCheckpoint(trace: Trace, i: number): CheckpointProof {
  const c = trace.checkpoints[i];
  if (!c) throw new RangeError(`no checkpoint ${i} (trace has ${trace.checkpoints.length})`);
  return {
    checkpoint: c,
    count: trace.checkpoints.length,
    path: merkleProof(
      trace.checkpoints.map((x) => x.hash),
      i,
    ),
  };
}

/** Pure check of a checkpoint proof against a trace root (what a verifier or the chain runs). */
export function verifyCheckpoint(root: Hash, proof: CheckpointProof): boolean {
  return verifyMerkleProof(root, proof.count, proof.checkpoint.index, proof.checkpoint.hash, proof.path);
}
