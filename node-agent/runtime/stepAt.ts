/**
 * @module The step commitment and the one-step proof at any step of a job, for the defender (and the
 * challenger) of a fraud game: a session re-runs the job deterministically and moves forward only; the
 * job's kept checkpoints (machine snapshots every few steps, bounded in number and bytes) let a session
 * start from the nearest one at or before the step asked, so answering step n of a long run costs the
 * distance to that checkpoint, not n.
 */
import type { HostState } from "../../common/wasm/hostState.js";
import type { Machine, RunStatus } from "../../common/wasm/machine.js";
import type { FinalOpening } from "../../common/wasm/proof/ends.js";
import type { StepProof } from "../../common/wasm/proof/proof.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { hashStepState, type StepState } from "../../common/wasm/proof/stepState.js";
import { prepareJob, type RunOptions } from "../../common/wasm/run.js";
import type { Instance } from "../../common/wasm/runtime.js";
import { type MachineSnapshot, restoreSnapshot, snapshotBytes, takeSnapshot } from "../../common/wasm/snapshot.js";
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
  private readonly instance: Instance;
  private readonly host: HostState;
  private readonly prover: StepProver;
  private status: RunStatus | undefined;
  private readonly base: number;
  private pos = 0;

  /** A fresh run of `job` at step 0, or at the step of `from` (a snapshot of the same job). */
  constructor(job: StepJob, from?: MachineSnapshot) {
    const p = prepareJob(job.bytes, job.opts);
    if (!p.ok) throw new Error(`job refused: ${p.refusal.message}`);
    const { machine, instance, host, started: status } = p.job;
    if (!instance) throw new Error("instantiation trapped: the job has no trace");
    this.machine = machine;
    this.instance = instance;
    this.host = host;
    this.status = status;
    this.base = machine.steps;
    if (from) {
      // before the prover exists: its commitment trees are built from the restored state
      restoreSnapshot(machine, instance, host, from);
      this.status = from.status;
      this.pos = machine.steps - this.base;
    }
    this.prover = new StepProver(machine, instance, host, job.opts.costs);
  }

  /** A copy of the session's state, to start another session here later. */
  snapshot(): MachineSnapshot {
    return takeSnapshot(this.machine, this.instance, this.host, this.status);
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

/** Where a job keeps its checkpoints: every `every` steps, at most `keep` of them and `maxBytes` in all. */
export interface CheckpointOptions {
  readonly every: number;
  readonly keep: number;
  readonly maxBytes: number;
}
export const DEFAULT_CHECKPOINTS: CheckpointOptions = { every: 1 << 20, keep: 16, maxBytes: 256 * 1024 * 1024 };

/**
 * The kept checkpoints of one job. `sessionAt(n)` restores the nearest snapshot at or before n (or starts
 * afresh) and runs forward, taking a snapshot at each multiple of the interval past the last one kept.
 * Over `keep` snapshots or `maxBytes`, the interval doubles and the snapshots off it are dropped, so a
 * run of any length keeps a bounded number spread over it.
 */
export class JobCheckpoints {
  private readonly snaps: { step: number; snap: MachineSnapshot; bytes: number }[] = [];
  private every: number;

  constructor(
    private readonly job: StepJob,
    private readonly opts: CheckpointOptions = DEFAULT_CHECKPOINTS,
  ) {
    if (!Number.isSafeInteger(opts.every) || opts.every < 1) throw new RangeError("checkpoint interval must be ≥ 1");
    this.every = opts.every;
  }

  /** Steps of the kept snapshots (ascending). */
  get kept(): number[] {
    return this.snaps.map((x) => x.step);
  }
  /** The current snapshot interval. */
  get interval(): number {
    return this.every;
  }

  /** A session at step `n`. */
  sessionAt(n: number): StepSession {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`no step ${n}`);
    let near: MachineSnapshot | undefined;
    for (const x of this.snaps) if (x.step <= n) near = x.snap;
    const s = new StepSession(this.job, near);
    const last = () => this.snaps.at(-1)?.step ?? 0;
    for (let next = (Math.floor(s.step / this.every) + 1) * this.every; next <= n && !s.finished; ) {
      s.advance(next);
      if (!s.finished && next > last()) this.add(next, s.snapshot());
      next = (Math.floor(next / this.every) + 1) * this.every;
    }
    return s.advance(n);
  }

  private add(step: number, snap: MachineSnapshot): void {
    this.snaps.push({ step, snap, bytes: snapshotBytes(snap) });
    const total = () => this.snaps.reduce((a, x) => a + x.bytes, 0);
    // ends: once the interval passes the last step kept, nothing is left
    while (this.snaps.length > this.opts.keep || total() > this.opts.maxBytes) {
      this.every *= 2;
      const every = this.every;
      // a snapshot over the byte budget on its own is not kept at all
      const keep = this.snaps.filter((x) => x.step % every === 0 && x.bytes <= this.opts.maxBytes);
      this.snaps.splice(0, this.snaps.length, ...keep);
    }
  }
}

/** Checkpoints kept per job object (a party asks about one job many times during a game). */
const kept = new WeakMap<StepJob, JobCheckpoints>();
function checkpointsOf(job: StepJob): JobCheckpoints {
  let c = kept.get(job);
  if (!c) {
    c = new JobCheckpoints(job);
    kept.set(job, c);
  }
  return c;
}

/** The step commitment of `job` after `n` steps (from the nearest kept checkpoint of this job object). */
export function stepCommitmentAt(job: StepJob, n: number): Hash {
  return checkpointsOf(job).sessionAt(n).commitment();
}

/** The proof of step n → n + 1 with both commitments (from the nearest kept checkpoint of this job object). */
export function proveStepAt(job: StepJob, n: number): { pre: Hash; proof: StepProof; post: Hash } {
  const s = checkpointsOf(job).sessionAt(n);
  const pre = s.commitment();
  const proof = s.prove();
  const post = s.advance(n + 1).commitment();
  return { pre, proof, post };
}
