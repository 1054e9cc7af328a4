/**
 * @module The step commitment and the one-step proof at any step of a job, for the defender (and the
 * challenger) of a fraud game: a session re-runs the job deterministically from the start and moves
 * forward only, so a bisection that narrows upward reuses it; going back means a new session.
 */

import type { HostState } from "../../common/wasm/hostState.js";
import type { Machine, RunStatus } from "../../common/wasm/machine.js";
import type { FinalOpening } from "../../common/wasm/proof/ends.js";
import type { StepProof } from "../../common/wasm/proof/proof.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { hashStepState, type StepState } from "../../common/wasm/proof/stepState.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import type { Hash } from "../../common/wasm/trace/hashing.js";
import { statusCode } from "../../common/wasm/trace/trace.js";

/** A job as the trace sees it: the module and the run options (traceEvery is ignored). */
export interface StepJob {
  readonly bytes: Uint8Array;
  readonly opts: RunOptions;
}

/**
 * One job paused at a step n, counted from the set-up invocation (checkpoint 0) as the trace counts:
 * the commitment at n is checkpoint n/K when K divides n, and the final state for every n past the end.
 */
export class StepSession {
  readonly machine: Machine;
  private readonly prover: StepProver;
  private readonly host: HostState;
  private status: RunStatus | undefined;
  private readonly base: number;
  private pos = 0;

  constructor(job: StepJob) {
    const p = prepareJob(job.bytes, job.opts);
    if (!p.ok) throw new Error(`job refused: ${p.refusal.message}`);
    const { machine, instance, host, started: status } = p.job;
    if (!instance) throw new Error("instantiation trapped: the job has no trace");
    this.machine = machine;
    this.status = status;
    this.base = machine.steps;
    this.host = host;
    this.prover = new StepProver(machine, instance, host, job.opts.costs);
  }

  /** The step the session is at. */
  get step(): number {
    return this.pos;
  }
  /** Whether the invocation has finished (done, trap or exit) at or before this step. */
  get finished(): boolean {
    return this.status !== undefined && this.status.status !== "paused";
  }

  /** Moves forward to step `n` (never back). */
  advance(n: number): this {
    if (!Number.isSafeInteger(n) || n < this.pos) throw new RangeError(`cannot move from step ${this.pos} to ${n}`);
    if (!this.finished) this.status = this.machine.run(this.base + n);
    this.pos = n;
    return this;
  }

  /** The step state (in the clear) and its commitment at the current step. */
  state(): StepState {
    return this.prover.commitment(statusCode(this.status));
  }
  commitment(): Hash {
    return hashStepState(this.state());
  }

  /** The opening of the current (finished) state: what a receipt's output hash, kv root and steps are checked by. */
  opening(): FinalOpening {
    return this.prover.opening(statusCode(this.status));
  }
  /** The steps the run took, once it has finished. */
  get totalSteps(): number {
    return this.machine.steps - this.base;
  }
  /** The bytes the job has written so far. */
  output(): Uint8Array {
    return this.host.output();
  }

  /**
   * The proof of the step from here to here + 1 (verifyStep(commitment(), proof) = the commitment at
   * step + 1). Throws when the run has finished (the final state is a fixed point: there is no step to
   * prove) or UnsupportedStepError for an instruction class without proofs.
   */
  prove(): StepProof {
    if (this.finished) throw new RangeError(`the run has finished by step ${this.pos}: no step to prove`);
    return this.prover.prove();
  }
}

/** The step commitment of `job` after `n` steps (re-runs from the start). */
export function stepCommitmentAt(job: StepJob, n: number): Hash {
  return new StepSession(job).advance(n).commitment();
}

/** The proof of step n → n + 1 with both commitments (re-runs from the start). */
export function proveStepAt(job: StepJob, n: number): { pre: Hash; proof: StepProof; post: Hash } {
  const s = new StepSession(job).advance(n);
  const pre = s.commitment();
  const proof = s.prove();
  const post = s.advance(n + 1).commitment();
  return { pre, proof, post };
}
