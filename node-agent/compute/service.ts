/**
 * @module The coordinator's compute service: takes node-signed heartbeats, validates user-signed submissions,
 * schedules them (candidates from DA + chain, resources from the heartbeats), records `WorkloadScheduled` on DA,
 * hands assigned work to nodes that ask, relays their signed results (`ComputeReported`) and records a
 * `ComputeDisagreement` when redundant runs differ. Its in-memory index is rebuilt from DA (`daIndex.ts`).
 */

import { BaseError, ErrorCode } from "../../common/errors.js";
import { toHex } from "../../common/hash.js";
import { decodeCanonical } from "../../common/protobuf.js";
import type { ComputeResult, NodeHeartbeat, WorkloadSpec } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { WorkloadSubmission } from "../../proto/gen/dsdn/compute/v1/workload.js";
import { assertServable, BlockedError, type ComplianceGate } from "../compliance/blockList.js";
import type { DAEventInput } from "../da/events/event.js";
import { schedule } from "../scheduler/schedule.js";
import { decideAgreement } from "./agreement.js";
import { affinitySet, buildCandidates, type ComputeChain, scheduleRequest } from "./candidates.js";
import { commitmentJson } from "./commitment.js";
import { HEARTBEAT_MAX_AGE_MS, HEARTBEAT_SKEW_MS, openHeartbeat, openResult } from "./signed.js";
import { MAX_SUBMISSION_BYTES, SUBMISSION_SKEW_MS, verifySubmission, WorkloadRefusedError } from "./workload.js";

/** How long before the chain's latest block a result may say it finished (a node reports as soon as it is done). */
const RESULT_MAX_AGE_MS = 10 * 60_000;
/** How far a node's clock may run ahead of the chain's latest block time. */
const RESULT_MAX_AHEAD_MS = 60_000;

export type JobState = "pending" | "running" | "completed" | "failed";

export interface WorkloadRecord {
  readonly id: string;
  readonly spec: WorkloadSpec;
  readonly submission: Uint8Array;
  readonly nodes: readonly string[];
  readonly chainHeight: bigint;
  readonly daHeight: bigint;
  readonly heartbeats: readonly Uint8Array[];
  readonly results: Map<string, { result: ComputeResult; bytes: Uint8Array }>;
  readonly running: Set<string>;
  disagreement: boolean;
}

export interface ComputeServiceOptions {
  readonly chain: ComputeChain;
  /** DA-registered node ids (the coordinator's replay). */
  readonly registeredNodes: () => readonly string[];
  /** A node's registered endpoint (where `dsdn job output` reads `/outputs/:cid`). */
  readonly endpointOf?: (nodeId: string) => string | undefined;
  /** Publishes events and resolves with the DA height once they are posted. */
  readonly publish: (events: readonly DAEventInput[]) => Promise<bigint>;
  /**
   * Heartbeats older than this are ignored (default and production: HEARTBEAT_MAX_AGE_MS, 2 min). Members refuse a
   * record holding a heartbeat older than that before the submission (recompute.ts), so only tests change it.
   */
  readonly heartbeatMaxAgeMs?: number;
  /**
   * The latest block header's time (ms) from the chain: every freshness rule here — submissions, heartbeats, the
   * used-signature set — is judged on it, never on this machine's clock (a coordinator with a wrong clock must neither
   * accept a stale or future-dated submission nor refuse a fresh one).
   */
  readonly chainTimeMs: () => Promise<number>;
  /** At most this many workloads kept in memory (default 10 000; the oldest finished ones go first). */
  readonly maxWorkloads?: number;
  /** Governance's blocked CIDs: a workload naming one (module or input) is refused, and the refusal recorded. */
  readonly compliance?: { gate: ComplianceGate; refused?(what: string, e: BlockedError): void };
  /** At most this many unexpired submission signatures remembered (default 100 000); beyond, submissions wait. */
  readonly maxUsedSignatures?: number;
}

export interface JobStatus {
  readonly jobId: string;
  readonly state: JobState;
  readonly nodes: readonly string[];
  readonly daHeight: string;
  readonly outputCid: string | null;
  /** Endpoints of the nodes holding the agreed output. */
  readonly outputEndpoints: readonly string[];
  readonly executionCommitment: Record<string, string> | null;
  readonly reason: string | null;
  readonly results: readonly { nodeId: string; completed: boolean; reason: string; outputCid: string }[];
  /** Endpoints of every scheduled node (where its submitter reads the job's logs: `POST /jobs/:id/logs`). */
  readonly nodeEndpoints: readonly string[];
  readonly disagreement: boolean;
  readonly spec: {
    name: string;
    submitter: string;
    replicas: number;
    agreement: string;
    fuel: string;
    memoryPages: number;
    traceEvery: string;
    /** Who may read the output: anyone (`public`) or the submitter's signed request (`private`). */
    visibility: "public" | "private";
  };
}

export class ComputeService {
  readonly #o: ComputeServiceOptions;
  readonly #heartbeats = new Map<string, { hb: NodeHeartbeat; bytes: Uint8Array }>();
  readonly #workloads = new Map<string, WorkloadRecord>();
  /**
   * Signatures already used (each submission signature once) → when the freshness rule starts refusing that
   * submission anyway (its own signed_at + the allowed skew, on the chain's clock). Pruned then, so
   * the set holds only what is still replayable: bounded by the submission rate × 2 min, and by maxUsedSignatures.
   */
  readonly #seen = new Map<string, number>();

  constructor(o: ComputeServiceOptions) {
    this.#o = o;
  }

  /** Now, on the chain's clock: the latest block header's time. */
  async #now(): Promise<number> {
    let t: number;
    try {
      t = await this.#o.chainTimeMs();
    } catch (e) {
      throw new BaseError(ErrorCode.Unavailable, "cannot read the chain's latest block time", { cause: e });
    }
    if (!Number.isSafeInteger(t) || t <= 0)
      throw new BaseError(ErrorCode.Unavailable, `the chain's latest block time is not a time (${t})`);
    return t;
  }

  /**
   * A node's signed heartbeat: kept when it is newer (sequence) than the last one of that node. The answer carries the
   * node's assigned work, which is then "running": only the node's own fresh signature picks work up (the public
   * `assigned()` listing does not, so nobody else can make a pending job look running).
   */
  async heartbeat(
    bytes: Uint8Array,
  ): Promise<{ nodeId: string; sequence: string; assigned: { jobId: string; submission: string }[] }> {
    let hb: NodeHeartbeat;
    try {
      hb = openHeartbeat(bytes);
    } catch (e) {
      throw new BaseError(ErrorCode.InvalidSignature, `heartbeat refused: ${(e as Error).message}`);
    }
    const id = toHex(hb.nodeId);
    if (!this.#o.registeredNodes().includes(id))
      throw new BaseError(ErrorCode.NotFound, "heartbeat from an unregistered node");
    const skew = Number(hb.atMs) - (await this.#now());
    if (Math.abs(skew) > HEARTBEAT_SKEW_MS)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `heartbeat at_ms is more than ${HEARTBEAT_SKEW_MS / 1000} s off the chain's block time`,
      );
    const prev = this.#heartbeats.get(id);
    if (!prev || hb.sequence > prev.hb.sequence) this.#heartbeats.set(id, { hb, bytes });
    const assigned = this.assigned(id);
    for (const a of assigned) this.#workloads.get(a.jobId)?.running.add(id);
    return { nodeId: id, sequence: hb.sequence.toString(), assigned };
  }

  #freshHeartbeats(now: number): Map<string, { hb: NodeHeartbeat; bytes: Uint8Array }> {
    const maxAge = this.#o.heartbeatMaxAgeMs ?? HEARTBEAT_MAX_AGE_MS;
    const out = new Map<string, { hb: NodeHeartbeat; bytes: Uint8Array }>();
    for (const [id, h] of this.#heartbeats) if (now - Number(h.hb.atMs) <= maxAge) out.set(id, h);
    return out;
  }

  /** A user-signed submission: verified, scheduled and recorded on DA. Idempotent per workload id. */
  async submit(
    bytes: Uint8Array,
  ): Promise<{ jobId: string; nodes: readonly string[]; daHeight: string; existing: boolean }> {
    if (bytes.length > MAX_SUBMISSION_BYTES)
      throw new WorkloadRefusedError("submission", `at most ${MAX_SUBMISSION_BYTES} bytes`, ErrorCode.TooLarge);
    let sub: WorkloadSubmission;
    try {
      sub = decodeCanonical(WorkloadSubmission, bytes, "WorkloadSubmission");
    } catch (e) {
      throw new WorkloadRefusedError("submission", (e as Error).message, ErrorCode.Decode);
    }
    // Freshness on the chain's clock (±SUBMISSION_SKEW_MS around the latest block header time), not this machine's.
    const now = await this.#now();
    const id = toHex(verifySubmission(sub, await this.#o.chain.chainId(), now));
    const known = this.#workloads.get(id);
    if (known) return { jobId: id, nodes: known.nodes, daHeight: known.daHeight.toString(), existing: true };
    this.#refuseBlocked(id, sub.spec!);
    const sigKey = toHex(sub.signature);
    this.#pruneSeen(now);
    if (this.#seen.has(sigKey)) throw new WorkloadRefusedError("signature", "already used", ErrorCode.Conflict);
    if (this.#seen.size >= (this.#o.maxUsedSignatures ?? 100_000))
      throw new BaseError(ErrorCode.Unavailable, "too many submissions in the last minutes; try again shortly");
    const spec = sub.spec!;
    const height = await this.#o.chain.height();
    const fresh = this.#freshHeartbeats(now);
    const hbs = new Map([...fresh].map(([k, v]) => [k, v.hb]));
    const candidates = await buildCandidates(this.#o.chain, this.#o.registeredNodes(), hbs, height);
    const affinity = await affinitySet(
      this.#o.chain,
      spec.submitter,
      candidates.map((c) => c.operator),
      height,
    );
    const chosen = schedule(
      candidates,
      scheduleRequest(Buffer.from(id, "hex"), spec, affinity),
      // The chain's weights at the recorded height, which every recompute reads too (no local override).
      await this.#o.chain.schedulerWeights(height),
    ).chosen;
    this.#seen.set(sigKey, Number(sub.signedAtMs) + SUBMISSION_SKEW_MS);
    const heartbeats = candidates.filter((c) => fresh.has(c.nodeId)).map((c) => fresh.get(c.nodeId)!.bytes);
    const daHeight = await this.#o.publish([
      {
        type: "workloadScheduled",
        value: {
          workloadId: Buffer.from(id, "hex"),
          submission: Buffer.from(bytes),
          nodeIds: chosen.map((n) => Buffer.from(n, "hex")),
          chainHeight: height,
          heartbeats: heartbeats.map((b) => Buffer.from(b)),
        },
      },
    ]);
    this.record({ id, spec, submission: bytes, nodes: chosen, chainHeight: height, daHeight, heartbeats });
    return { jobId: id, nodes: chosen, daHeight: daHeight.toString(), existing: false };
  }

  #refuseBlocked(id: string, spec: { moduleCid: string; inputCid: string }): void {
    const c = this.#o.compliance;
    if (!c) return;
    try {
      assertServable(
        c.gate,
        [spec.moduleCid, spec.inputCid].filter((x) => x !== ""),
      );
    } catch (e) {
      if (e instanceof BlockedError) c.refused?.(`workload ${id}`, e);
      throw e;
    }
  }

  #pruneSeen(now: number): void {
    for (const [k, until] of this.#seen) if (until < now) this.#seen.delete(k);
  }

  /** How many used submission signatures are remembered (unexpired ones only). */
  get usedSignatures(): number {
    return this.#seen.size;
  }

  /** Adds a scheduled workload to the index (from submit, or from a DA scan on start). */
  record(w: Omit<WorkloadRecord, "results" | "running" | "disagreement">): WorkloadRecord {
    const existing = this.#workloads.get(w.id);
    if (existing) return existing;
    const rec: WorkloadRecord = { ...w, results: new Map(), running: new Set(), disagreement: false };
    this.#workloads.set(w.id, rec);
    this.#evict();
    return rec;
  }

  #evict(): void {
    const max = this.#o.maxWorkloads ?? 10_000;
    if (this.#workloads.size <= max) return;
    for (const [id, w] of this.#workloads) {
      if (this.#workloads.size <= max) break;
      if (w.results.size >= w.nodes.length) this.#workloads.delete(id);
    }
  }

  /** Up to 16 workloads scheduled on `nodeId` that it has not reported yet (the node re-verifies everything). */
  assigned(nodeId: string): { jobId: string; submission: string }[] {
    const out: { jobId: string; submission: string }[] = [];
    for (const w of this.#workloads.values()) {
      if (out.length >= 16) break;
      if (w.nodes.includes(nodeId) && !w.results.has(nodeId))
        out.push({ jobId: w.id, submission: Buffer.from(w.submission).toString("base64") });
    }
    return out;
  }

  /** A node's signed result for a workload scheduled on it: recorded on DA; disagreement recorded when decided. */
  async result(jobId: string, bytes: Uint8Array): Promise<{ recorded: boolean; daHeight: string }> {
    const w = this.#workloads.get(jobId);
    if (!w) throw new BaseError(ErrorCode.NotFound, `no workload ${jobId}`);
    let r: ComputeResult;
    try {
      r = openResult(bytes);
    } catch (e) {
      throw new BaseError(ErrorCode.InvalidSignature, `result refused: ${(e as Error).message}`);
    }
    const nodeId = toHex(r.nodeId);
    if (toHex(r.workloadId) !== jobId) throw new BaseError(ErrorCode.InvalidArgument, "result is for another workload");
    if (!w.nodes.includes(nodeId))
      throw new BaseError(ErrorCode.Unauthorized, "the workload is not scheduled on this node");
    if (w.results.has(nodeId)) return { recorded: false, daHeight: w.daHeight.toString() };
    if (r.commitment && toHex(r.commitment.workloadId) !== jobId)
      throw new BaseError(ErrorCode.InvalidArgument, "commitment names another workload");
    // A signed result's challenge window (fraud MsgChallenge.signed_result) runs from its finished_at_ms: a node
    // that backdated it would shorten the time anyone has to challenge it. Judged on the chain's clock.
    const late = (await this.#now()) - Number(r.finishedAtMs);
    if (late > RESULT_MAX_AGE_MS || late < -RESULT_MAX_AHEAD_MS)
      throw new BaseError(
        ErrorCode.InvalidArgument,
        `result finished_at_ms is ${Math.round(late / 1000)} s before the chain's block time (allowed: ${RESULT_MAX_AGE_MS / 1000} s before to ${RESULT_MAX_AHEAD_MS / 1000} s after)`,
      );
    w.results.set(nodeId, { result: r, bytes });
    const events: DAEventInput[] = [
      { type: "computeReported", value: { workloadId: r.workloadId, nodeId: r.nodeId, result: Buffer.from(bytes) } },
    ];
    if (w.results.size === w.nodes.length && w.nodes.length > 1) {
      const a = this.#agreement(w);
      if (a.dissenting.length > 0) {
        w.disagreement = true;
        events.push({
          type: "computeDisagreement",
          value: {
            workloadId: r.workloadId,
            nodeIds: a.hashes.map((h) => Buffer.from(h.nodeId, "hex")),
            commitmentHashes: a.hashes.map((h) => Buffer.from(h.hash, "hex")),
            agreedCommitmentHash: Buffer.from(a.agreed ?? "", "hex"),
          },
        });
      }
    }
    const daHeight = await this.#o.publish(events);
    return { recorded: true, daHeight: daHeight.toString() };
  }

  /** Adds a result seen on DA (index rebuild); no publishing. */
  recordResult(jobId: string, bytes: Uint8Array, disagreement: boolean): void {
    const w = this.#workloads.get(jobId);
    if (!w) return;
    try {
      const r = openResult(bytes);
      if (w.nodes.includes(toHex(r.nodeId))) w.results.set(toHex(r.nodeId), { result: r, bytes });
    } catch {
      /* a bad record is ignored, as replay does */
    }
    w.disagreement ||= disagreement;
  }

  #agreement(w: WorkloadRecord) {
    return decideAgreement(
      w.nodes
        .filter((n) => w.results.has(n))
        .map((n) => ({ nodeId: n, commitment: w.results.get(n)!.result.commitment })),
      w.nodes.length,
      w.spec.agreement === "unanimous" ? "unanimous" : "majority",
    );
  }

  status(jobId: string): JobStatus {
    const w = this.#workloads.get(jobId);
    if (!w) throw new BaseError(ErrorCode.NotFound, `no workload ${jobId}`);
    const a = this.#agreement(w);
    const agreedNode = a.agreeing[0];
    const agreed = agreedNode ? w.results.get(agreedNode)!.result : undefined;
    const all = w.results.size === w.nodes.length;
    const state: JobState = agreed
      ? "completed"
      : all
        ? "failed"
        : w.running.size > 0 || w.results.size > 0
          ? "running"
          : "pending";
    const failedReasons = [...w.results.values()].filter((x) => !x.result.completed).map((x) => x.result.reason);
    return {
      jobId,
      state,
      nodes: w.nodes,
      daHeight: w.daHeight.toString(),
      outputCid: agreed?.outputCid ?? null,
      outputEndpoints: a.agreeing.map((n) => this.#o.endpointOf?.(n)).filter((e): e is string => !!e),
      executionCommitment: agreed?.commitment ? commitmentJson(agreed.commitment) : null,
      reason: state === "failed" ? (failedReasons[0] ?? `replicas disagree (${w.spec.agreement} not reached)`) : null,
      results: w.nodes
        .filter((n) => w.results.has(n))
        .map((n) => {
          const r = w.results.get(n)!.result;
          return { nodeId: n, completed: r.completed, reason: r.reason, outputCid: r.outputCid };
        }),
      nodeEndpoints: w.nodes.map((n) => this.#o.endpointOf?.(n)).filter((e): e is string => !!e),
      disagreement: w.disagreement,
      spec: {
        name: w.spec.name,
        submitter: w.spec.submitter,
        replicas: w.spec.replicas,
        agreement: w.spec.agreement,
        fuel: w.spec.fuel.toString(),
        memoryPages: w.spec.memoryPages,
        traceEvery: w.spec.traceEvery.toString(),
        visibility: w.spec.visibility === "private" ? "private" : "public",
      },
    };
  }

  /** What a node needs to ask the committee for its compute receipt: its own signed result and the signed workload. */
  evidence(jobId: string, nodeId: string): { result: string; submission: string } {
    const w = this.#workloads.get(jobId);
    const r = w?.results.get(nodeId);
    if (!w || !r) throw new BaseError(ErrorCode.NotFound, `no result of node ${nodeId.slice(0, 16)}… for ${jobId}`);
    return {
      result: Buffer.from(r.bytes).toString("base64"),
      submission: Buffer.from(w.submission).toString("base64"),
    };
  }

  async info(): Promise<{ chainId: string; chainHeight: string; heartbeats: number }> {
    return {
      chainId: await this.#o.chain.chainId(),
      chainHeight: (await this.#o.chain.height()).toString(),
      heartbeats: this.#freshHeartbeats(await this.#now()).size,
    };
  }

  /** The recorded workload (for `dsdn-node schedule` and the committee's workload check). */
  workload(jobId: string): WorkloadRecord | undefined {
    return this.#workloads.get(jobId);
  }
}
