/**
 * @module A compute job replayed for a fraud game (defender and challenger alike): the trace it commits to
 * (checkpoints every K steps, root, steps, final opening, output), the opening at any step (commitment plus
 * checkpoint path when one falls there) and the one-step proof at any step. Work is bounded by the job's own
 * fuel limit; checkpoints are recomputed, not stored. The checkpoint tree's nodes a Merkle descent asks for. With
 * `tamperAt`, the machine state after that many steps is flipped once (the test-only wrong-step fault): everything
 * from there is the tampered run's; with `fakeCheckpoint`, that checkpoint's commitment is made up (wrong-trace: the
 * run, its output and every other checkpoint stay honest, the root and that checkpoint's openings are the fake's).
 */

import { encodeStepProof } from "../../common/wasm/proof/codec.js";
import type { FinalOpening } from "../../common/wasm/proof/ends.js";
import type { RunOptions } from "../../common/wasm/run.js";
import { childrenAt, type Hash, merkleLevels, merkleProof } from "../../common/wasm/trace/hashing.js";
import { traceRoot } from "../../common/wasm/trace/trace.js";
import { checkpointIndexAt } from "../../modules/fraud/index.js";
import type { Opening } from "../../proto/gen/dsdn/fraud/v1/tx.js";
import { StepSession } from "../runtime/stepAt.js";
import { flipTop, madeUpCheckpoint } from "./tamper.js";

export interface ReplayJob {
  readonly module: Uint8Array;
  /** The run options the receipt's run used (runOptionsOf: `_start`, input, the signed limits, traceEvery = K). */
  readonly opts: RunOptions;
  /** Test-only: flip the machine state once after this many steps. */
  readonly tamperAt?: number;
  /** Test-only: commit to a made-up commitment for this checkpoint (wrong-trace). */
  readonly fakeCheckpoint?: number;
}

export interface ReplaySummary {
  readonly steps: bigint;
  readonly k: bigint;
  readonly root: Hash;
  /** Checkpoint c's commitment (the last is the final state). */
  readonly leaves: readonly Hash[];
  readonly finalOpening: FinalOpening;
  readonly output: Uint8Array;
}

export class Replay {
  readonly #job: ReplayJob;
  readonly #k: number;
  #session: StepSession | undefined;
  #flipped = false;
  #summary: ReplaySummary | undefined;
  #levels: Hash[][] | undefined;

  constructor(job: ReplayJob) {
    const k = job.opts.traceEvery;
    if (k === undefined || !Number.isSafeInteger(k) || k < 1) throw new RangeError("the job needs traceEvery (K)");
    this.#job = job;
    this.#k = k;
  }

  /** The job replayed (module and run options: what a pin of step 0 submits). */
  get job(): ReplayJob {
    return this.#job;
  }

  /** A session at step `n` (a new one when going back; the tamper applied on the way). */
  #at(n: number): StepSession {
    let s = this.#session;
    if (!s || s.step > n) {
      s = new StepSession({ bytes: this.#job.module, opts: this.#job.opts });
      this.#session = s;
      this.#flipped = false;
    }
    const t = this.#job.tamperAt;
    if (t !== undefined && !this.#flipped && t <= n) {
      s.advance(t);
      if (!s.finished) flipTop(s.machine);
      this.#flipped = true;
    }
    return s.advance(n);
  }

  /** The whole run once: checkpoint commitments, root, steps, final opening and output. */
  summary(): ReplaySummary {
    if (this.#summary) return this.#summary;
    const leaves: Hash[] = [];
    let s = this.#at(0);
    for (let step = 0; !s.finished; step += this.#k) {
      s = this.#at(step);
      leaves.push(s.commitment());
    }
    const steps = s.totalSteps;
    // Checkpoints at or past the end were taken after it: the last leaf is the final state, at `steps`.
    const kept = leaves.slice(0, Math.ceil(steps / this.#k));
    kept.push(s.commitment());
    const fake = this.#job.fakeCheckpoint;
    if (fake !== undefined) {
      if (!Number.isSafeInteger(fake) || fake < 0 || fake >= kept.length)
        throw new RangeError(`wrong-trace@${fake}: the run has checkpoints 0..${kept.length - 1}`);
      kept[fake] = madeUpCheckpoint(kept[fake]!, fake);
    }
    this.#summary = {
      steps: BigInt(steps),
      k: BigInt(this.#k),
      root: traceRoot(kept, this.#k),
      leaves: kept,
      finalOpening: s.opening(),
      output: s.output(),
    };
    return this.#summary;
  }

  /** The commitment at `step`, with its checkpoint path when a checkpoint falls there. */
  opening(step: bigint): Opening {
    const sum = this.summary();
    const index = checkpointIndexAt(step, sum.steps, sum.k);
    const commitment =
      index !== undefined
        ? sum.leaves[Number(index)]!
        : this.#at(Number(step < sum.steps ? step : sum.steps)).commitment();
    return {
      step,
      commitment: Buffer.from(commitment),
      path: index === undefined ? [] : merkleProof(sum.leaves, Number(index)).map((h) => Buffer.from(h)),
    };
  }

  /** Every level of the checkpoint tree, leaves first (merkleLevels). */
  #tree(): Hash[][] {
    this.#levels ??= merkleLevels(this.summary().leaves);
    return this.#levels;
  }

  /** The checkpoint tree's unbound root (the first hash a Merkle descent reveals). */
  treeRoot(): Hash {
    return this.#tree().at(-1)![0]!;
  }

  /** The two children of the tree's node at `depth` (0 = root), `index`; zero past a level's end (padding). */
  children(depth: number, index: bigint): [Hash, Hash] {
    return childrenAt(this.#tree(), depth, index);
  }

  /** The commitment at `step` only (the challenger's answer; past the end, the final state). */
  commitmentAt(step: bigint): Hash {
    return this.#at(Number(step)).commitment();
  }

  /** The one-step proof of step `lo` → lo + 1 of this run, in the runtime's binary codec (what the chain decodes). */
  stepProof(lo: bigint): Uint8Array {
    return encodeStepProof(this.#at(Number(lo)).prove());
  }
}
