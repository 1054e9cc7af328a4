/**
 * @module A storage node runs a scheduled workload: fetch module and input by CID (bytes checked against the
 * signed sha256 and sizes), run the WASI command in a worker with the spec's fuel, memory and wall-clock limits and a
 * trace, store the output as a content-addressed object, build the ExecutionCommitment from that run, and keep
 * the trace checkpoints on disk for the challenge window (bounded: ≤ 10^6 checkpoints of 40 bytes).
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../common/atomicFile.js";
import { u64be } from "../../common/encoding.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { bytesEqual, concatBytes, sha256, toHex } from "../../common/hash.js";
import type { RunOptions, RunReport } from "../../common/wasm/run.js";
import { WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { ExecutionCommitment } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { type Fault, faultText } from "../fraud/fault.js";
import type { JobOutcome } from "../runtime/runJob.js";
import { commitmentFromReport } from "./commitment.js";
import { faultyReport } from "./faults.js";
import { workloadId } from "./workload.js";

export interface ExecuteDeps {
  /** Fetches an object's bytes by CID (at most `maxBytes`); the bytes are checked here. */
  fetchObject(cid: string, maxBytes: number): Promise<Uint8Array>;
  /** Stores bytes as a content-addressed object; returns its CID. */
  storeObject(bytes: Uint8Array): Promise<string>;
  /** Where trace checkpoints are kept for the challenge window. */
  readonly traceDir: string;
  /** How long checkpoints are kept (ms): the longest challenge window plus margin. */
  readonly keepTraceMs: number;
  readonly nowMs?: () => number;
  /** Test-only (localnet): report a faulty run instead (faults.ts). */
  readonly fault?: Fault;
}

export type ExecutionResult =
  | {
      readonly state: "completed";
      readonly workloadId: string;
      readonly outputCid: string;
      readonly commitment: ExecutionCommitment;
      readonly cycles: bigint;
      readonly logs: readonly string[];
      readonly exitCode: number | null;
      readonly tracePath: string;
    }
  | {
      readonly state: "failed";
      readonly workloadId: string;
      readonly reason: string;
      readonly logs: readonly string[];
    };

/** Fetches an object and checks it against the signed size and sha256 ("" is the empty object). */
export async function fetchChecked(
  d: ExecuteDeps,
  cid: string,
  size: bigint,
  hash: Uint8Array,
  what: string,
): Promise<Uint8Array> {
  const bytes = cid === "" ? new Uint8Array(0) : await d.fetchObject(cid, Number(size));
  if (bytes.length !== Number(size) || !bytesEqual(sha256(bytes), hash))
    throw new BaseError(
      ErrorCode.Integrity,
      `${what} ${cid || "(empty)"}: fetched bytes do not match the signed hash and size`,
    );
  return bytes;
}

export function runOptionsOf(spec: WorkloadSpec, input: Uint8Array): RunOptions {
  return {
    invoke: "_start",
    input,
    limits: { fuel: Number(spec.fuel), memoryPages: spec.memoryPages },
    traceEvery: Number(spec.traceEvery),
  };
}

/** Runs in a worker with the wall-clock limit when the compiled worker exists (dist/), else inline (tests). */
export async function runTracedJob(module: Uint8Array, opts: RunOptions, timeoutMs: number): Promise<JobOutcome> {
  // Imported on the first job, not at start: the runtime pulls in binaryen (~10 MB of JavaScript), which every
  // storage node paid for at start-up (about 1 CPU-s before `listening`) whether or not it ever ran a job.
  const { runJobInline, runJobInWorker, workerAvailable } = await import("../runtime/runJob.js");
  return workerAvailable() ? runJobInWorker(module, opts, timeoutMs) : runJobInline(module, opts);
}

export async function executeWorkload(spec: WorkloadSpec, d: ExecuteDeps): Promise<ExecutionResult> {
  const id = workloadId(spec);
  const idHex = toHex(id);
  const module = await fetchChecked(d, spec.moduleCid, spec.moduleSize, spec.moduleHash, "module");
  const input = await fetchChecked(d, spec.inputCid, spec.inputSize, spec.inputHash, "input");
  const out = await runTracedJob(module, runOptionsOf(spec, input), spec.timeoutSeconds * 1000);
  const failed = (reason: string, logs: readonly string[] = []): ExecutionResult => ({
    state: "failed",
    workloadId: idHex,
    reason,
    logs,
  });
  if (out.kind === "refused") return failed(`module refused: ${out.refusal.message}`);
  if (out.kind === "timeout") return failed(`wall-clock limit of ${spec.timeoutSeconds} s reached`);
  if (out.kind === "crashed") return failed(`runtime crashed: ${out.message}`);
  const r = out.report;
  if (r.trap !== null) return failed(`trapped: ${r.trap}`, r.logs);
  if (r.exitCode !== null && r.exitCode !== 0) return failed(`exited with code ${r.exitCode}`, r.logs);
  const honest = { commitment: commitmentFromReport(id, module, input, r, spec), output: r.output };
  const { commitment, output } = d.fault ? faultyReport(d.fault, module, runOptionsOf(spec, input), honest) : honest;
  const outputCid = await d.storeObject(output);
  const tracePath = saveTrace(d, idHex, r);
  saveJobRecord(d, spec, commitment);
  return {
    state: "completed",
    workloadId: idHex,
    outputCid,
    commitment,
    cycles: BigInt(r.usage.compute_cycles),
    logs: r.logs,
    exitCode: r.exitCode,
    tracePath,
  };
}

/** Trace file: 8-byte keep-until (ms), 8-byte K, then per checkpoint 8-byte steps ‖ 32-byte hash. */
function saveTrace(d: ExecuteDeps, idHex: string, r: RunReport): string {
  const t = r.trace!;
  mkdirSync(d.traceDir, { recursive: true, mode: 0o700 });
  const until = BigInt((d.nowMs ?? Date.now)() + d.keepTraceMs);
  const parts = [u64be(until), u64be(BigInt(t.every))];
  for (const c of t.checkpoints) parts.push(u64be(BigInt(c.steps)), c.hash);
  const path = join(d.traceDir, `${idHex}.trace`);
  writeFileAtomicSync(path, concatBytes(...parts));
  return path;
}

/**
 * What the defender needs for a game on this run, kept as long as the trace, named by the trace root the receipt
 * carries (a game names its receipt's root, not the workload): 8-byte keep-until (ms) ‖ JSON {spec, fault}. The
 * checkpoints are recomputed from the spec's module and input (fetched again by CID) when a game needs them.
 */
function saveJobRecord(d: ExecuteDeps, spec: WorkloadSpec, ec: ExecutionCommitment): void {
  const until = BigInt((d.nowMs ?? Date.now)() + d.keepTraceMs);
  const json = JSON.stringify({
    spec: Buffer.from(WorkloadSpec.encode(spec).finish()).toString("base64"),
    ...(d.fault ? { fault: faultText(d.fault) } : {}),
  });
  const path = join(d.traceDir, `${toHex(ec.executionTraceMerkleRoot)}.job`);
  writeFileAtomicSync(path, concatBytes(u64be(until), new TextEncoder().encode(json)));
}

/** The spec and fault of the run whose trace root is `rootHex`, or undefined when this node kept none. */
export function loadJobRecord(traceDir: string, rootHex: string): { spec: WorkloadSpec; fault?: string } | undefined {
  if (!/^[0-9a-f]{64}$/.test(rootHex)) return undefined;
  let b: Buffer;
  try {
    b = readFileSync(join(traceDir, `${rootHex}.job`));
  } catch {
    return undefined;
  }
  const j = JSON.parse(b.subarray(8).toString("utf8")) as { spec: string; fault?: string };
  return { spec: WorkloadSpec.decode(Buffer.from(j.spec, "base64")), ...(j.fault ? { fault: j.fault } : {}) };
}

export interface SavedTrace {
  readonly keepUntilMs: number;
  readonly every: number;
  readonly checkpoints: readonly { steps: number; hash: Uint8Array }[];
}

export function loadTrace(path: string): SavedTrace {
  const b = readFileSync(path);
  if (b.length < 16 || (b.length - 16) % 40 !== 0) throw new BaseError(ErrorCode.Decode, `${path} is not a trace file`);
  const checkpoints = [];
  for (let o = 16; o < b.length; o += 40)
    checkpoints.push({ steps: Number(b.readBigUInt64BE(o)), hash: new Uint8Array(b.subarray(o + 8, o + 40)) });
  return { keepUntilMs: Number(b.readBigUInt64BE(0)), every: Number(b.readBigUInt64BE(8)), checkpoints };
}

/** Deletes trace files and job records whose window has passed; returns how many. */
export function pruneTraces(dir: string, nowMs: number): number {
  let n = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.endsWith(".trace") && !name.endsWith(".job")) continue;
    const p = join(dir, name);
    try {
      const head = Buffer.alloc(8);
      const fd = openSync(p, "r");
      const got = readSync(fd, head, 0, 8, 0);
      closeSync(fd);
      if (got === 8 && Number(head.readBigUInt64BE(0)) <= nowMs) {
        rmSync(p);
        n++;
      }
    } catch {
      /* a file vanishing concurrently is fine */
    }
  }
  return n;
}
