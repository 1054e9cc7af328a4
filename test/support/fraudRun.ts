/**
 * @module A real WASM run as a fraud game sees it: the step commitment (hashStepState) after every step, the
 * trace root over checkpoints every K steps (what rt-trace's step-commitment checkpoints give), checkpoint
 * openings, one-step proofs at any step (re-running deterministically to it), and a dishonest copy whose states
 * from one step on are tampered.
 */
import { compileModule, instantiate } from "../../common/wasm/instantiate.js";
import { Machine, type RunStatus } from "../../common/wasm/machine.js";
import { StepProver } from "../../common/wasm/proof/prover.js";
import { hashStepState } from "../../common/wasm/proof/stepState.js";
import type { FuncInst } from "../../common/wasm/runtime.js";
import { type Hash, merkleProof, merkleRoot, sha256Of } from "../../common/wasm/trace/hashing.js";
import { STATUS } from "../../common/wasm/trace/stateHash.js";
import type { Value } from "../../common/wasm/types.js";
import { checkpointCount, checkpointStep, encodeStepProofJson } from "../../modules/fraud/index.js";
import { fixture } from "../../node-agent/runtime/testing.js";

const statusCode = (s: RunStatus | undefined) => (!s || s.status === "paused" ? STATUS.running : STATUS[s.status]);

function session(module: Uint8Array, invoke: string, args: Value[]) {
  const c = compileModule(module);
  if (!c.ok) throw new Error(c.message);
  const machine = new Machine({});
  const inst = instantiate(machine, c.module, () => undefined);
  if (!inst.ok) throw new Error(inst.message);
  const exp = c.module.decoded.exports.find((e) => e.name === invoke);
  const status = machine.start(inst.instance.funcs[exp?.index ?? -1] as FuncInst, args);
  return { machine, prover: new StepProver(machine, inst.instance), status };
}

export interface Run {
  readonly module: Uint8Array;
  readonly steps: bigint;
  readonly k: bigint;
  /** Commitment after each step, [0] = the state before the first. */
  readonly commitments: readonly Hash[];
  readonly root: Hash;
  /** The commitment at `step`, with its checkpoint path when a checkpoint falls there. */
  opening(step: bigint): { step: bigint; commitment: Buffer; path: Buffer[] };
  /** The encoded one-step proof of step `lo` → lo + 1 of the honest run. */
  stepProof(lo: bigint): Uint8Array;
}

export function realRun(file: string, invoke: string, args: Value[], k: bigint, tamperFrom?: bigint): Run {
  const module = fixture(file);
  const s = session(module, invoke, args);
  const honest: Hash[] = [hashStepState(s.prover.commitment(statusCode(s.status)))];
  let status = s.status;
  while (status === undefined || status.status === "paused") {
    status = s.machine.run(s.machine.steps + 1);
    honest.push(hashStepState(s.prover.commitment(statusCode(status))));
  }
  const steps = BigInt(honest.length - 1);
  // A node that lies from `tamperFrom` on: every later state it commits to differs from the real one.
  const commitments = honest.map((h, i) =>
    tamperFrom !== undefined && BigInt(i) >= tamperFrom ? sha256Of(h, new TextEncoder().encode("tampered")) : h,
  );
  const leaves = Array.from(
    { length: Number(checkpointCount(steps, k)) },
    (_, i) => commitments[Number(checkpointStep(BigInt(i), steps, k))]!,
  );
  const root = merkleRoot(leaves);
  return {
    module,
    steps,
    k,
    commitments,
    root,
    opening(step) {
      const commitment = Buffer.from(commitments[Number(step)]!);
      const atCheckpoint = step === steps || step % k === 0n;
      const index = step === steps ? leaves.length - 1 : Number(step / k);
      return { step, commitment, path: atCheckpoint ? merkleProof(leaves, index).map((h) => Buffer.from(h)) : [] };
    },
    stepProof(lo) {
      const t = session(module, invoke, args);
      if (lo > 0n) t.machine.run(Number(lo));
      return encodeStepProofJson(t.prover.prove());
    },
  };
}
