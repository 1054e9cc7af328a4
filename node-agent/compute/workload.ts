/**
 * @module The signed workload: the WorkloadSpec built from a resolved intent and the uploaded CIDs, its id,
 * and the submitter's ADR-036 signature (like upload declarations), checked for shape, freshness and signer.
 */
import { adr036Sign, adr036Verify } from "../../common/adr036.js";
import { u64be, utf8 } from "../../common/encoding.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { concatBytes, sha256 } from "../../common/hash.js";
import { isValidAddress, pubKeyToAddress } from "../../common/secp256k1.js";
import { WorkloadSpec, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { MAX_ARG_BYTES, MAX_COMMAND_ARGS } from "./intent.js";
import type { ResolvedWorkloadSpec } from "./resolve.js";

export const WORKLOAD_DOMAIN = utf8("dsdn.compute.v1.WorkloadSpec\0");
export const SUBMISSION_DOMAIN = utf8("dsdn.compute.v1.WorkloadSubmission\0");
/**
 * A submission is accepted this long around the chain's latest block header time (and each signature once). The
 * header time trails real time by about one block interval (seconds), so a just-signed submission is a little
 * "ahead" of it, well inside the bound; a chain halted for longer than this refuses new submissions.
 */
export const SUBMISSION_SKEW_MS = 60_000;
export const MAX_SUBMISSION_BYTES = 4096;

export class WorkloadRefusedError extends BaseError {
  override readonly name = "WorkloadRefusedError";
  readonly field: string;
  constructor(field: string, problem: string, code: ErrorCode = ErrorCode.InvalidArgument) {
    super(code, field ? `workload field "${field}": ${problem}` : `workload refused: ${problem}`, { meta: { field } });
    this.field = field;
  }
}

export function workloadId(spec: WorkloadSpec): Uint8Array {
  return sha256(concatBytes(WORKLOAD_DOMAIN, WorkloadSpec.encode(spec).finish()));
}

export function buildWorkloadSpec(
  r: ResolvedWorkloadSpec,
  a: {
    chainId: string;
    submitter: string;
    moduleCid: string;
    inputCid: string;
    moduleSize: number;
    inputSize: number;
    moduleHash: Uint8Array;
    inputHash: Uint8Array;
  },
): WorkloadSpec {
  if (r.type.value === "static") throw new WorkloadRefusedError("type", "a static site is published, not run");
  return WorkloadSpec.fromPartial({
    version: 1,
    chainId: a.chainId,
    submitter: a.submitter,
    moduleCid: a.moduleCid,
    inputCid: a.inputCid,
    workloadType: r.type.value,
    fuel: BigInt(r.fuel.value),
    memoryPages: r.memoryPages.value,
    traceEvery: BigInt(r.traceEvery.value),
    timeoutSeconds: r.timeoutSeconds.value,
    replicas: r.replicas.value,
    agreement: r.agreement.value,
    zones: [...r.zones.value],
    nodeClass: r.class.value,
    name: r.name.value,
    inputSize: BigInt(a.inputSize),
    moduleSize: BigInt(a.moduleSize),
    moduleHash: Buffer.from(a.moduleHash),
    inputHash: Buffer.from(a.inputHash),
    // "" for wasm keeps a WASM workload's encoding, and so its id, what it was before runtimes existed.
    runtime: r.runtime.value === "microvm" ? "microvm" : "",
    command: [...(r.command.value ?? [])],
    // "" for public keeps a public workload's encoding, and so its id, what it was before visibility was signed.
    visibility: r.visibility.value === "private" ? "private" : "",
  });
}

const CID_RE = /^bafkrei[a-z2-7]{52}$/; // isValidCid + length bound, cheap to check first

/** Stateless shape rules; returns [field, problem] of the first violation. */
export function workloadSpecProblem(s: WorkloadSpec): [string, string] | undefined {
  if (s.version !== 1) return ["version", "must be 1"];
  if (!s.chainId) return ["chain_id", "missing"];
  if (!isValidAddress(s.submitter)) return ["submitter", "not a valid address"];
  if (!CID_RE.test(s.moduleCid)) return ["module_cid", "not a CIDv1 raw sha2-256"];
  if (s.inputCid !== "" && !CID_RE.test(s.inputCid)) return ["input_cid", "not a CIDv1 raw sha2-256"];
  if (!["web_app", "batch", "ai"].includes(s.workloadType)) return ["workload_type", "must be web_app, batch or ai"];
  if (s.fuel < 1000n || s.fuel > 1_000_000_000_000_000n) return ["fuel", "must be 1000..10^15"];
  if (s.memoryPages < 1 || s.memoryPages > 65_536) return ["memory_pages", "must be 1..65536"];
  if (s.traceEvery < 1n || s.fuel / s.traceEvery > 1_000_000n) return ["trace_every", "must keep ≤ 10^6 checkpoints"];
  if (s.timeoutSeconds < 1 || s.timeoutSeconds > 86_400) return ["timeout_seconds", "must be 1..86400"];
  if (s.replicas < 1 || s.replicas > 3) return ["replicas", "must be 1..3"];
  if (s.agreement !== "majority" && s.agreement !== "unanimous") return ["agreement", "must be majority or unanimous"];
  if (s.zones.length > 8 || s.zones.some((z) => !/^[a-z0-9][a-z0-9-]{0,62}$/.test(z)))
    return ["zones", "≤ 8 zone names"];
  if (s.nodeClass !== "regular" && s.nodeClass !== "datacenter") return ["node_class", "must be regular or datacenter"];
  if (s.name.length > 64) return ["name", "at most 64 characters"];
  if (s.moduleSize < 8n || s.moduleSize > BigInt(64 << 20)) return ["module_size", "must be 8 bytes..64 MiB"];
  if (s.inputSize > BigInt(1 << 30) || (s.inputCid === "" && s.inputSize !== 0n))
    return ["input_size", "≤ 1 GiB, 0 without input"];
  if (s.moduleHash.length !== 32) return ["module_hash", "must be 32 bytes"];
  if (s.inputHash.length !== 32) return ["input_hash", "must be 32 bytes"];
  if (s.visibility !== "" && s.visibility !== "private") return ["visibility", 'must be "" (public) or private'];
  return runtimeProblem(s);
}

/** The runtime rules: a WASM spec has no command; a MicroVM spec is a batch/ai command run by ≥ 2 replicas. */
function runtimeProblem(s: WorkloadSpec): [string, string] | undefined {
  if (s.runtime === "") return s.command.length === 0 ? undefined : ["command", "only for runtime microvm"];
  if (s.runtime !== "microvm") return ["runtime", 'must be "" (wasm) or microvm'];
  if (s.workloadType !== "batch" && s.workloadType !== "ai") return ["runtime", "microvm runs only batch or ai"];
  if (s.command.length < 1 || s.command.length > MAX_COMMAND_ARGS)
    return ["command", `1..${MAX_COMMAND_ARGS} arguments`];
  if (s.command.some((a) => a.length < 1 || a.length > MAX_ARG_BYTES || a.includes("\0")))
    return ["command", `each argument 1..${MAX_ARG_BYTES} characters, no NUL`];
  // Not provable step by step: only agreeing replicas back the result (the committee's rule).
  if (s.replicas < 2) return ["replicas", "runtime microvm needs ≥ 2 replicas (it is not provable step by step)"];
  return undefined;
}

export function submissionBytes(id: Uint8Array, signedAtMs: bigint): Uint8Array {
  return concatBytes(SUBMISSION_DOMAIN, id, u64be(signedAtMs));
}

export function signSubmission(
  spec: WorkloadSpec,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
  nowMs = Date.now(),
): WorkloadSubmission {
  const at = BigInt(nowMs);
  return WorkloadSubmission.fromPartial({
    spec,
    signedAtMs: at,
    publicKey: Buffer.from(key.publicKey),
    signature: Buffer.from(adr036Sign(submissionBytes(workloadId(spec), at), key.secretKey, key.publicKey)),
  });
}

/**
 * Checks a submission completely (shape, chain, signer, and — with `nowMs`, the chain's latest block time — freshness);
 * returns its workload id.
 * Nodes and committee members re-check an already scheduled submission without the freshness rule.
 */
export function verifySubmission(sub: WorkloadSubmission, chainId: string, nowMs?: number): Uint8Array {
  const s = sub.spec;
  if (!s) throw new WorkloadRefusedError("spec", "missing");
  const p = workloadSpecProblem(s);
  if (p) throw new WorkloadRefusedError(p[0], p[1]);
  if (s.chainId !== chainId)
    throw new WorkloadRefusedError("chain_id", `is "${s.chainId}", this network is "${chainId}"`);
  const skew = nowMs === undefined ? 0 : Number(sub.signedAtMs) - nowMs;
  if (!Number.isSafeInteger(Number(sub.signedAtMs)) || Math.abs(skew) > SUBMISSION_SKEW_MS)
    throw new WorkloadRefusedError(
      "signed_at_ms",
      `must be within ${SUBMISSION_SKEW_MS / 1000} s of the chain's latest block time`,
    );
  let signer: string;
  try {
    signer = pubKeyToAddress(sub.publicKey);
  } catch {
    throw new WorkloadRefusedError("public_key", "not a compressed secp256k1 key", ErrorCode.InvalidSignature);
  }
  if (signer !== s.submitter)
    throw new WorkloadRefusedError("public_key", "is not the submitter's key", ErrorCode.InvalidSignature);
  const id = workloadId(s);
  if (!adr036Verify(s.submitter, submissionBytes(id, sub.signedAtMs), sub.publicKey, sub.signature))
    throw new WorkloadRefusedError("signature", "not the submitter's ADR-036 signature", ErrorCode.InvalidSignature);
  return id;
}
