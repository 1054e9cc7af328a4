/**
 * @module What a faulty node (test-only `--fault`, localnet only) reports instead of its honest run: a false
 * output (`wrong-output`), a real run whose state was flipped after step N (`wrong-step@N`, so its trace, final
 * state and output are a tampered run's), an honest run whose trace root is over a made-up checkpoint N
 * (`wrong-trace@N`: output, state root and steps right), or made-up roots for a run it never did (`skip-execution`).
 */
import { randomBytes } from "node:crypto";
import { concatBytes, sha256 } from "../../common/hash.js";
import { openFinalCommitment } from "../../common/wasm/proof/ends.js";
import type { RunOptions } from "../../common/wasm/run.js";
import type { ExecutionCommitment } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { type Fault, replayFault } from "../fraud/fault.js";
import { Replay } from "../fraud/replay.js";

export interface Reported {
  readonly commitment: ExecutionCommitment;
  readonly output: Uint8Array;
}

/** The commitment and output a node with `fault` reports, from its honest ones (`honest`). */
export function faultyReport(fault: Fault, module: Uint8Array, opts: RunOptions, honest: Reported): Reported {
  const ec = honest.commitment;
  if (fault.kind === "wrong-output") {
    const output = concatBytes(honest.output, new TextEncoder().encode("!"));
    return {
      commitment: { ...ec, outputHash: Buffer.from(sha256(output)), outputSize: BigInt(output.length) },
      output,
    };
  }
  if (fault.kind === "skip-execution") {
    const made = () => Buffer.from(randomBytes(32));
    const output = randomBytes(32);
    return {
      commitment: {
        ...ec,
        outputHash: Buffer.from(sha256(output)),
        stateRootAfter: made(),
        executionTraceMerkleRoot: made(),
        outputSize: 32n,
      },
      output,
    };
  }
  const s = new Replay({ module, opts, ...replayFault(fault) }).summary();
  // wrong-trace: the run, its output, state root and steps are the honest ones; only the trace root is over a fake.
  if (fault.kind === "wrong-trace")
    return { commitment: { ...ec, executionTraceMerkleRoot: Buffer.from(s.root) }, output: honest.output };
  const claims = openFinalCommitment(s.leaves.at(-1)!, s.finalOpening);
  return {
    commitment: {
      ...ec,
      outputHash: Buffer.from(claims.outputHash, "hex"),
      stateRootAfter: Buffer.from(claims.kvRoot, "hex"),
      executionTraceMerkleRoot: Buffer.from(s.root),
      steps: s.steps,
      outputSize: BigInt(s.output.length),
    },
    output: s.output,
  };
}
