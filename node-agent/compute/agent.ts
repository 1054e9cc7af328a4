/**
 * @module A storage node's compute agent: posts signed heartbeats (its free CPU, RAM, IO pressure and RTT to the
 * coordinator), asks which workloads DA schedules on it, re-verifies each (user signature, its own id among the
 * scheduled nodes), runs it (execute.ts), keeps the output in its own content-addressed store (served at
 * `/outputs/:cid`) and reports a signed result. Its log lines stay on the node (jobLogs.ts, served to the job's
 * submitter only), not in the public result. One job at a time; every wait bounded.
 */
import { cpus, freemem, loadavg } from "node:os";
import { cidForBytes } from "../../common/cid.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { toHex } from "../../common/hash.js";
import { readBodyBounded } from "../../common/net/boundedBody.js";
import { fetchRetryingStale } from "../../common/net/staleSocket.js";
import { decodeCanonical } from "../../common/protobuf.js";
import { NodeHeartbeat, WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import type { Fault } from "../fraud/fault.js";
import { createMicroVM } from "../runtime/microvm/createMicroVM.js";
import type { NodeIdentity } from "../storage/identity.js";
import type { LocalFsStorage } from "../storage/localfs.js";
import { type ExecuteDeps, executeWorkload, pruneTraces } from "./execute.js";
import { executeMicroVMWorkload } from "./executeMicroVM.js";
import type { JobLogStore } from "./jobLogs.js";
import type { PrivateOutputs } from "./privateOutputs.js";
import { signHeartbeat, signResult } from "./signed.js";
import { verifySubmission } from "./workload.js";

export interface ComputeAgentOptions {
  readonly identity: NodeIdentity;
  readonly coordinatorUrl: string;
  /** Where uploaded objects are read (`GET {url}/object/{cid}`): the ingress. */
  readonly objectsUrl: string;
  readonly outputs: LocalFsStorage;
  /** Which outputs are private, and to whom (`visibility: private` in the signed spec): `/outputs/:cid` checks it. */
  readonly privateOutputs: PrivateOutputs;
  /** Where each job's log lines are kept for its submitter (`POST /jobs/:id/logs`); none: logs are dropped. */
  readonly jobLogs?: JobLogStore;
  readonly traceDir: string;
  readonly chainId: string;
  readonly pollMs?: number;
  /** Checkpoints are kept this long (default 4 h 10 min: the longest challenge window plus margin). */
  readonly keepTraceMs?: number;
  readonly log?: (line: string) => void;
  /** The MicroVM backend this node offers in its heartbeat (`--microvm`; default none). */
  readonly microvm?: "bwrap" | "mock" | "none";
  /** Test-only (localnet chain ids only, checked by parseFault): report faulty runs. */
  readonly fault?: Fault;
}

const REQUEST_TIMEOUT_MS = 15_000;

async function fetchJson(url: string, init: RequestInit = {}): Promise<unknown> {
  const res = await fetchRetryingStale(url, () => ({ ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) }));
  const body = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) throw new BaseError(ErrorCode.Unavailable, `${url}: ${res.status} ${body.error?.message ?? ""}`);
  return body;
}

/** Reads an object through the ingress, refusing more than `maxBytes`. */
export async function fetchObjectBounded(base: string, cid: string, maxBytes: number): Promise<Uint8Array> {
  const res = await fetchRetryingStale(`${base}/object/${cid}`, () => ({ signal: AbortSignal.timeout(120_000) }));
  if (!res.ok || !res.body) {
    await res.body?.cancel().catch(() => {});
    throw new BaseError(ErrorCode.NotFound, `object ${cid}: HTTP ${res.status}`);
  }
  return readBodyBounded(res, maxBytes, `object ${cid} (signed size ${maxBytes} bytes)`);
}

export class ComputeAgent {
  readonly #o: ComputeAgentOptions;
  readonly #log: (line: string) => void;
  readonly #done = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #busy: Promise<void> | undefined;
  #stopped = false;
  #rttMs = 1;

  constructor(o: ComputeAgentOptions) {
    this.#o = o;
    this.#log = o.log ?? (() => {});
  }

  start(): void {
    const tick = () => {
      if (this.#stopped) return;
      this.#busy = this.tick()
        .catch((e) => this.#log(`compute: ${(e as Error).message}`))
        .finally(() => {
          if (!this.#stopped) this.#timer = setTimeout(tick, this.#o.pollMs ?? 1000);
        });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#busy;
  }

  /** This node's resources now, as the scheduler reads them. */
  heartbeat(): Uint8Array {
    const n = Math.max(1, cpus().length);
    const busy = Math.min(1000, Math.round((loadavg()[0]! / n) * 1000));
    return NodeHeartbeat.encode(
      signHeartbeat(
        {
          sequence: BigInt(Date.now()),
          cpuFreePermille: 1000 - busy,
          ramFreeBytes: BigInt(freemem()),
          gpuFreePermille: 0,
          latencyMs: Math.max(1, Math.round(this.#rttMs)),
          ioPressurePermille: 0,
          atMs: BigInt(Date.now()),
          microvmBackend: this.#o.microvm && this.#o.microvm !== "none" ? this.#o.microvm : "",
        },
        this.#o.identity,
      ),
    ).finish();
  }

  /** One round: heartbeat, assigned work, run what is new. */
  async tick(): Promise<void> {
    const base = this.#o.coordinatorUrl;
    const t0 = performance.now();
    // The answer to the signed heartbeat is this node's assigned work (the coordinator then shows it running).
    const { assigned } = (await fetchJson(`${base}/compute/heartbeats`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ heartbeat: Buffer.from(this.heartbeat()).toString("base64") }),
    })) as { assigned: { jobId: string; submission: string }[] };
    this.#rttMs = performance.now() - t0;
    for (const a of assigned)
      if (!this.#done.has(a.jobId)) await this.runOne(a.jobId, Buffer.from(a.submission, "base64"));
    pruneTraces(this.#o.traceDir, Date.now());
  }

  async runOne(jobId: string, submissionBytes: Uint8Array): Promise<void> {
    const sub = decodeCanonical(WorkloadSubmission, submissionBytes, "WorkloadSubmission");
    // The coordinator is untrusted: the user's signature and the id are checked here again.
    const id = toHex(verifySubmission(sub, this.#o.chainId));
    if (id !== jobId) throw new BaseError(ErrorCode.Integrity, `assignment ${jobId} is workload ${id}`);
    const spec = sub.spec!;
    this.#log(`compute: running ${jobId.slice(0, 16)}… (${spec.name || "workload"}, fuel ${spec.fuel})`);
    const deps: ExecuteDeps = {
      fetchObject: (cid, max) => fetchObjectBounded(this.#o.objectsUrl, cid, max),
      storeObject: async (bytes) => {
        const cid = cidForBytes(bytes);
        // Marked before the bytes exist, so a private output is never served to anyone for a moment.
        this.#o.privateOutputs.record(cid, spec.visibility, spec.submitter);
        await this.#o.outputs.putChunk(cid, bytes);
        return cid;
      },
      traceDir: this.#o.traceDir,
      keepTraceMs: this.#o.keepTraceMs ?? (4 * 3600 + 600) * 1000,
      ...(this.#o.fault ? { fault: this.#o.fault } : {}),
    };
    const logRecord = (state: "running" | "completed" | "failed", reason: string, logs: readonly string[]) =>
      this.#o.jobLogs?.put({ jobId, owner: spec.submitter, state, reason, logs });
    logRecord("running", "", []);
    const microvm = this.#o.microvm ?? "none";
    const run =
      spec.runtime !== "microvm"
        ? executeWorkload(spec, deps)
        : microvm === "none"
          ? Promise.reject(new Error("this node offers no MicroVM backend (--microvm)"))
          : executeMicroVMWorkload(spec, deps, (l) => createMicroVM(microvm, l));
    const r = await run.catch(
      (e) => ({ state: "failed", workloadId: jobId, reason: (e as Error).message.split("\n")[0]!, logs: [] }) as const,
    );
    logRecord(r.state, r.state === "failed" ? r.reason : "", r.logs);
    const result = signResult(
      {
        workloadId: Buffer.from(jobId, "hex"),
        completed: r.state === "completed",
        reason: r.state === "failed" ? r.reason : "",
        outputCid: r.state === "completed" ? r.outputCid : "",
        ...(r.state === "completed" ? { commitment: r.commitment } : {}),
        computeCycles: r.state === "completed" ? r.cycles : 0n,
        // The logs are the submitter's (served by this node on a signed request), not part of the public result.
        logs: [],
        finishedAtMs: BigInt(Date.now()),
      },
      this.#o.identity,
    );
    await fetchJson(`${this.#o.coordinatorUrl}/workloads/${jobId}/result`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ result: Buffer.from(result).toString("base64") }),
    });
    this.#done.add(jobId);
    this.#log(`compute: ${jobId.slice(0, 16)}… ${r.state}${r.state === "failed" ? `: ${r.reason}` : ""}`);
  }
}
