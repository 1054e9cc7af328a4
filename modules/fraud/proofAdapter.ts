/**
 * @module The one place that decodes and checks runtime proofs for fraud games: checkpoint openings against the
 * trace root, the checkpoint-tree nodes a Merkle descent reveals, one-step proofs (the runtime's canonical binary
 * codec, `decodeStepProof`, size-capped before any allocation), and the pins of a run's ends (rt-host's
 * `initialStepCommitment` and `openFinalCommitment`; a final opening travels as bounded tagged JSON).
 */

import { compileModule } from "../../common/wasm/instantiate.js";
import { DEFAULT_LIMITS } from "../../common/wasm/params.js";
import { decodeStepProof, MAX_STEP_PROOF_BYTES } from "../../common/wasm/proof/codec.js";
import {
  DEFAULT_INITIAL_CAPS,
  type FinalOpening,
  initialStepCommitment,
  openFinalCommitment,
} from "../../common/wasm/proof/ends.js";
import { verifyStep } from "../../common/wasm/proof/verifyStep.js";
import { equal, type Hash, hashNode } from "../../common/wasm/trace/hashing.js";
import { traceRootOfTree, verifyCheckpoint } from "../../common/wasm/trace/trace.js";
import { ExternRef, FuncRef } from "../../common/wasm/types.js";

export interface StepVerifier {
  /** Whether `commitment` is checkpoint `index` of `count` under `root`, a trace with a checkpoint every `every` steps. */
  checkpoint(root: Hash, index: bigint, count: bigint, every: bigint, commitment: Hash, path: readonly Hash[]): boolean;
  /** Whether `tree` is the unbound root of a checkpoint tree that `root` commits to (with `count` and `every`). */
  treeRoot(root: Hash, tree: Hash, count: bigint, every: bigint): boolean;
  /** Whether `parent` is the checkpoint-tree node over `left` and `right` (rt-trace's hashNode). */
  treeNode(parent: Hash, left: Hash, right: Hash): boolean;
  /** Decodes a proof of at most `maxBytes` and runs one step from `pre`; throws when the proof is not valid. */
  step(pre: Hash, proof: Uint8Array, maxBytes: number): Hash;
  /**
   * The commitment of step 0 of `module` run on `input` under `limits` from the empty kv state (rt-host); throws
   * when the chain will not re-instantiate it; undefined = not available.
   */
  initialCommitment?: (module: Uint8Array, input: Uint8Array, limits: JobLimits) => Hash;
  /** Opens a final commitment (bounded bytes) into the output hash and kv root it states; throws when it does not open. */
  openFinal?: (
    final: Hash,
    opening: Uint8Array,
    maxBytes: number,
  ) => { outputHash: string; kvRoot: string; steps: number };
}

/** The limits a receipt's run started under (its execution commitment's fuel_limit and memory_pages). */
export interface JobLimits {
  readonly fuel: bigint;
  readonly memoryPages: number;
}

/**
 * The job a compute receipt commits to is a WASI command (`_start`, input on stdin) from the empty kv state under
 * the receipt's fuel and memory limits and the protocol's other defaults: what the chain re-instantiates to pin
 * step 0. Caps: the module's `maxPinBytes` bounds module and input; memory the chain allocates is bounded below.
 */
export const RECEIPT_JOB = { invoke: "_start" } as const;
/**
 * Most linear memory the chain allocates to re-instantiate a job (the module's declared initial pages, 64 MiB):
 * the receipt's memory_pages may be up to 4 GiB, and instantiation allocates the declared minimum at once.
 */
export const MAX_PIN_INITIAL_PAGES = DEFAULT_LIMITS.memoryPages;
export const MAX_FINAL_OPENING_BYTES = 16 * 1024;

const MAX_JSON_DEPTH = 12;

/**
 * A final opening as tagged JSON: bytes {"$b":hex}, bigint {"$n":"…"}, funcref {"$f":addr}, externref {"$e":id};
 * undefined omitted. (Step proofs use the binary codec: `encodeStepProof`.)
 */
export function encodeOpeningJson(p: FinalOpening): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify(p, (_k, v) => {
      if (v instanceof Uint8Array) return { $b: Buffer.from(v).toString("hex") };
      if (typeof v === "bigint") return { $n: v.toString() };
      if (v instanceof FuncRef) return { $f: v.addr };
      if (v instanceof ExternRef) return { $e: v.id };
      return v;
    }),
  );
}

/** Refuses nesting deeper than the proof's shape before parsing (the reviver recurses). */
function depthWithin(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return false;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return true;
}

export function decodeOpeningJson(bytes: Uint8Array, maxBytes: number): FinalOpening {
  if (bytes.length > maxBytes) throw new Error(`proof is ${bytes.length} bytes, at most ${maxBytes}`);
  const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  if (!depthWithin(text, MAX_JSON_DEPTH)) throw new Error("proof nests too deeply");
  return JSON.parse(text, (_k, v) => {
    if (typeof v === "number" && !Number.isSafeInteger(v)) throw new Error("proof numbers must be integers");
    if (v && typeof v === "object" && !Array.isArray(v)) {
      if (typeof v.$b === "string") {
        if (!/^([0-9a-f]{2})*$/.test(v.$b)) throw new Error("bad hex");
        return new Uint8Array(Buffer.from(v.$b, "hex"));
      }
      if (typeof v.$n === "string") {
        if (!/^-?[0-9]{1,20}$/.test(v.$n)) throw new Error("bad integer");
        return BigInt(v.$n);
      }
      if (typeof v.$f === "number") return new FuncRef(v.$f);
      if (typeof v.$e === "number") return new ExternRef(v.$e);
    }
    return v;
  }) as FinalOpening;
}

export const runtimeStepVerifier: StepVerifier = {
  checkpoint(root, index, count, every, commitment, path) {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    if (index >= count || count > max || every > max || path.length > 64) return false;
    return verifyCheckpoint(root, {
      checkpoint: { index: Number(index), steps: 0, hash: commitment },
      count: Number(count),
      every: Number(every),
      path,
    });
  },
  treeRoot(root, tree, count, every) {
    const max = BigInt(Number.MAX_SAFE_INTEGER);
    if (count < 1n || count > max || every < 1n || every > max) return false;
    return equal(traceRootOfTree(tree, Number(count), Number(every)), root);
  },
  treeNode(parent, left, right) {
    return equal(hashNode(left, right), parent);
  },
  step(pre, proof, maxBytes) {
    return verifyStep(pre, decodeStepProof(proof, Math.min(maxBytes, MAX_STEP_PROOF_BYTES)));
  },
  initialCommitment(module, input, limits) {
    // Instantiation runs a start function with the job's whole fuel: on chain that would be unbounded work for a
    // per-byte gas price, so modules with a start section are not pinned here.
    const c = compileModule(module);
    if (!c.ok) throw new RangeError(`module does not compile: ${c.message}`);
    if (c.module.decoded.start !== undefined)
      throw new RangeError("a module with a start function is not re-instantiated on chain");
    const declared = c.module.decoded.memories.reduce((n, m) => n + m.min, 0);
    if (declared > MAX_PIN_INITIAL_PAGES)
      throw new RangeError(`a module declaring ${declared} initial memory pages is not re-instantiated on chain`);
    if (limits.fuel < 1n || limits.fuel > BigInt(Number.MAX_SAFE_INTEGER) || limits.memoryPages < 1)
      throw new RangeError("the receipt states no usable fuel and memory limits");
    const opts = { ...RECEIPT_JOB, limits: { fuel: Number(limits.fuel), memoryPages: limits.memoryPages } };
    return initialStepCommitment(module, input, opts, DEFAULT_INITIAL_CAPS);
  },
  openFinal(final, opening, maxBytes) {
    const c = openFinalCommitment(final, decodeOpeningJson(opening, maxBytes));
    return { outputHash: c.outputHash, kvRoot: c.kvRoot, steps: c.steps };
  },
};

export { equal as hashEqual };
