/**
 * @module A real WASM job as a fraud game sees it: the step commitment (hashStepState) after every step, the trace
 * root over checkpoints every K steps (rt-trace's `traceRoot`, as `runTraced` builds it), checkpoint openings, the
 * opening of the final state, one-step proofs at any step (re-running deterministically to it), and a dishonest
 * run whose machine state was flipped once.
 */
import type { RunStatus } from "../../common/wasm/machine.js";
import { DEFAULT_LIMITS } from "../../common/wasm/params.js";
import { encodeStepProof } from "../../common/wasm/proof/codec.js";
import { openFinalCommitment } from "../../common/wasm/proof/ends.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import { childrenAt, type Hash, merkleLevels, merkleProof } from "../../common/wasm/trace/hashing.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import { traceRoot } from "../../common/wasm/trace/trace.js";
import { checkpointCount, checkpointStep, encodeOpeningJson } from "../../modules/fraud/index.js";
import { flipTop, madeUpCheckpoint } from "../../node-agent/fraud/tamper.js";
import { fixture } from "../../node-agent/runtime/testing.js";

const statusCode = (s: RunStatus | undefined) => (!s || s.status === "paused" ? STATUS.running : STATUS[s.status]);

function session(module: Uint8Array, opts: RunOptions) {
  const p = prepareJob(module, opts);
  if (!p.ok) throw new Error(p.refusal.message);
  const { machine, host, instance, started } = p.job;
  if (!instance) throw new Error("instantiation trapped");
  return { machine, prover: new StepProver(machine, instance, host), status: started };
}

export interface Run {
  readonly module: Uint8Array;
  readonly input: Uint8Array;
  /** The limits the run started under (what its receipt's fuel_limit and memory_pages state when honest). */
  readonly fuel: bigint;
  readonly memoryPages: number;
  readonly steps: bigint;
  readonly k: bigint;
  /** What its final state opens to: the receipt's output_hash and state_root_after. */
  readonly outputHash: Buffer;
  readonly stateRootAfter: Buffer;
  /** Commitment after each step, [0] = checkpoint 0 (the state before the first step). */
  readonly commitments: readonly Hash[];
  readonly root: Hash;
  /** The commitment at `step`, with its checkpoint path when a checkpoint falls there. */
  opening(step: bigint): { step: bigint; commitment: Buffer; path: Buffer[] };
  /** The encoded opening of the honest final state. */
  readonly finalOpening: Uint8Array;
  /** The one-step proof of step `lo` → lo + 1 of the honest run, in the runtime's binary codec. */
  stepProof(lo: bigint): Uint8Array;
  /** The checkpoint commitments the root is built over (made-up ones included). */
  readonly leaves: readonly Hash[];
  /** The checkpoint tree's unbound root, and the children of its node at `depth` (0 = root), `index`. */
  readonly treeRoot: Hash;
  children(depth: number, index: bigint): [Buffer, Buffer];
}

/**
 * Runs `file` (a fixture's name or module bytes) as a WASI job on `input`. With `tamperAt`, the node's machine state is flipped once after
 * `tamperAt` steps and the run continues from it: everything it commits to from there (its trace, its final
 * state, its output) is a real run of a tampered machine — what a node that executed one step wrongly shows.
 */
export function realRun(
  /** A fixture's name (node-agent/runtime/fixtures) or the module's bytes. */
  file: string | Uint8Array,
  input: Uint8Array,
  k: bigint,
  tamperAt?: bigint,
  limits?: RunOptions["limits"],
  /** Checkpoints whose commitment the root is built over made-up (the run itself stays honest). */
  fakeCheckpoints: readonly number[] = [],
): Run {
  const module = typeof file === "string" ? fixture(file) : file;
  const opts: RunOptions = { invoke: "_start", input, ...(limits ? { limits } : {}) };
  const s = session(module, opts);
  const commitments: Hash[] = [hashStepState(s.prover.commitment(statusCode(s.status)))];
  let status = s.status;
  if (tamperAt === 0n) {
    flipTop(s.machine);
    commitments[0] = hashStepState(s.prover.commitment(statusCode(status)));
  }
  while (status === undefined || status.status === "paused") {
    status = s.machine.run(s.machine.steps + 1);
    if (tamperAt !== undefined && BigInt(s.machine.steps) === tamperAt && status.status === "paused")
      flipTop(s.machine);
    commitments.push(hashStepState(s.prover.commitment(statusCode(status))));
  }
  const opening = s.prover.opening(statusCode(status));
  const claims = openFinalCommitment(commitments.at(-1)!, opening);
  const steps = BigInt(commitments.length - 1);
  const leaves = Array.from(
    { length: Number(checkpointCount(steps, k)) },
    (_, i) => commitments[Number(checkpointStep(BigInt(i), steps, k))]!,
  );
  for (const i of fakeCheckpoints) leaves[i] = madeUpCheckpoint(leaves[i]!, i);
  const root = traceRoot(leaves, Number(k));
  const levels = merkleLevels(leaves);
  return {
    module,
    input,
    fuel: BigInt(limits?.fuel ?? DEFAULT_LIMITS.fuel),
    memoryPages: limits?.memoryPages ?? DEFAULT_LIMITS.memoryPages,
    steps,
    k,
    outputHash: Buffer.from(claims.outputHash, "hex"),
    stateRootAfter: Buffer.from(claims.kvRoot, "hex"),
    commitments,
    root,
    finalOpening: encodeOpeningJson(opening),
    opening(step) {
      const atCheckpoint = step === steps || step % k === 0n;
      const index = step === steps ? leaves.length - 1 : Number(step / k);
      const commitment = Buffer.from(atCheckpoint ? leaves[index]! : commitments[Number(step)]!);
      return { step, commitment, path: atCheckpoint ? merkleProof(leaves, index).map((h) => Buffer.from(h)) : [] };
    },
    leaves,
    treeRoot: levels.at(-1)![0]!,
    children: (depth, index) => childrenAt(levels, depth, index).map((h) => Buffer.from(h)) as [Buffer, Buffer],
    stepProof(lo) {
      // Always the honest machine's step: whoever submits a valid proof, the chain learns the true next state.
      const t = session(module, opts);
      if (lo > 0n) t.machine.run(t.machine.steps + Number(lo)); // steps count from the set-up state
      return encodeStepProof(t.prover.prove());
    },
  };
}
