/**
 * @module The two ends of a fraud game, as pure functions the chain can run: the commitment of
 * checkpoint 0 computed from the job itself (module, input, invocation, limits), and the opening of
 * a final commitment into what a receipt states (status, sha256 of the output, kv root, exit code).
 */
import { bytesToHex } from "@noble/hashes/utils.js";
import { type HostCommit, hashHostCommit } from "../hostState.js";
import { finishMidstate } from "../outputDigest.js";
import { prepareJob, type RunOptions } from "../run.js";
import { equal, type Hash } from "../trace/hashing.js";
import { statusCode } from "../trace/trace.js";
import { StepProofError } from "./sparseTree.js";
import { hashStepState, restHashOf, type StepState, StepStateBuilder } from "./stepState.js";

/** Size caps on what the chain agrees to re-instantiate for a disputed step 0. */
export interface InitialCaps {
  readonly maxModuleBytes: number;
  readonly maxInputBytes: number;
}
export const DEFAULT_INITIAL_CAPS: InitialCaps = { maxModuleBytes: 4 << 20, maxInputBytes: 4 << 20 };

/**
 * hashStepState of checkpoint 0 (the state after instantiation, the start function and the
 * invocation's set-up). Throws on a refused job, on sizes over `caps`, and when instantiation traps
 * (there is no machine state to commit; the receipt's trap is then checked by re-running).
 */
export function initialStepCommitment(
  moduleBytes: Uint8Array,
  input: Uint8Array,
  opts: Omit<RunOptions, "input" | "traceEvery">,
  caps: InitialCaps = DEFAULT_INITIAL_CAPS,
): Hash {
  if (moduleBytes.length > caps.maxModuleBytes)
    throw new RangeError(`module of ${moduleBytes.length} bytes is over the ${caps.maxModuleBytes}-byte cap`);
  if (input.length > caps.maxInputBytes)
    throw new RangeError(`input of ${input.length} bytes is over the ${caps.maxInputBytes}-byte cap`);
  const p = prepareJob(moduleBytes, { ...opts, input });
  if (!p.ok) throw new RangeError(`${p.refusal.kind}: ${p.refusal.message}`);
  const { machine, host, instance, started } = p.job;
  if (!instance) throw new RangeError("the job traps during instantiation: there is no checkpoint 0");
  return hashStepState(new StepStateBuilder(machine, instance, host).snapshot(statusCode(started)).state);
}

/** What opens a final commitment: its clear fields, the segments hash and the host commit. */
export interface FinalOpening {
  readonly state: StepState;
  readonly segments: Hash;
  readonly host: HostCommit;
}

export interface FinalClaims {
  readonly status: "done" | "trap" | "exit";
  /** sha256 of the whole output (hex): the receipt's output_hash. */
  readonly outputHash: string;
  readonly outputLength: number;
  /** Root of the key-value state (hex): the receipt's state_root_after. */
  readonly kvRoot: string;
  readonly exitCode: number | null;
  readonly steps: number;
  readonly fuelLeft: number;
}

const NAMES = ["running", "done", "trap", "exit"] as const;

/** Checks `opening` against the final commitment and returns what it states; throws StepProofError otherwise. */
export function openFinalCommitment(final: Hash, opening: FinalOpening): FinalClaims {
  const { state, host } = opening;
  if (!equal(hashStepState(state), final)) throw new StepProofError("the opening does not hash to the commitment");
  if (!equal(restHashOf(opening.segments, hashHostCommit(host)), state.restHash))
    throw new StepProofError("the host commit does not match the commitment");
  const status = NAMES[state.status];
  if (status === undefined || status === "running") throw new StepProofError("the committed state has not finished");
  if (host.output.tail.length >= 64 || host.output.h.length !== 8)
    throw new StepProofError("malformed output midstate");
  if ((status === "exit") !== (host.exitCode !== null))
    throw new StepProofError("the exit code and the status disagree");
  return {
    status,
    outputHash: bytesToHex(finishMidstate(host.output)),
    outputLength: host.output.length,
    kvRoot: bytesToHex(host.kvRoot),
    exitCode: host.exitCode,
    steps: state.steps,
    fuelLeft: state.fuelLeft,
  };
}
