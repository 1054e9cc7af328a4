/**
 * @module schedule(workload) → node ids: a pure, integer-only function of the candidates (chain registration,
 * stake, status; resources from node-signed heartbeats on DA), the workload and the weights. Excluded: not
 * Active, not staked, no heartbeat, too little free RAM, and — anti self-dealing — the submitter's own nodes and
 * nodes whose operator has wallet affinity with the submitter. Anyone with the same DA + chain state gets the
 * same answer (`dsdn-node schedule <workload-id>`).
 */
import { utf8 } from "../../common/encoding.js";
import { BaseError, ErrorCode } from "../../common/errors.js";
import { concatBytes, fromHex, sha256, toHex } from "../../common/hash.js";
import type { SchedulerWeights } from "./params.js";

export const SCALE = 1_000_000n;

/** What a node's latest signed heartbeat says (DA), already checked. */
export interface NodeResources {
  readonly cpuFreePermille: number;
  readonly ramFreeBytes: bigint;
  readonly gpuFreePermille: number;
  readonly latencyMs: number;
  readonly ioPressurePermille: number;
}

export interface SchedulerNode {
  readonly nodeId: string; // hex
  readonly operator: string;
  /** The chain's status ("active" is the only schedulable one). */
  readonly status: string;
  /** Bonded at or above the class minimum (chain). */
  readonly staked: boolean;
  readonly stakeWeightMicro: bigint;
  readonly zone: string;
  readonly class: "regular" | "datacenter";
  readonly resources?: NodeResources;
  /** The MicroVM backend its signed heartbeat offers (absent: none, or mock off a localnet). */
  readonly microvmBackend?: "bwrap" | "mock";
}

export interface ScheduleRequest {
  readonly workloadId: Uint8Array;
  readonly submitter: string;
  /** Operators with wallet affinity to the submitter (chain query `receipts affinity`). */
  readonly affinity: ReadonlySet<string>;
  readonly replicas: number;
  readonly zones: readonly string[];
  readonly nodeClass: "regular" | "datacenter";
  /** Memory the run needs on the node (memory_pages × 64 KiB + input + module: candidates.ts scheduleRequest); a node must have this much free. */
  readonly memoryBytes: bigint;
  /** "microvm": only nodes offering a MicroVM backend qualify (default: the WASM engine every node has). */
  readonly runtime?: "wasm" | "microvm";
}

export type Exclusion =
  | "not_active"
  | "not_staked"
  | "no_heartbeat"
  | "insufficient_ram"
  | "no_microvm"
  | "self_dealing"
  | "wallet_affinity"
  | "same_operator_as_chosen";

export interface Ranked {
  readonly nodeId: string;
  readonly operator: string;
  readonly score: bigint;
  readonly preferredZone: boolean;
  readonly excluded?: Exclusion;
}

export interface Schedule {
  readonly chosen: readonly string[];
  readonly ranking: readonly Ranked[];
}

export class ScheduleRefusedError extends BaseError {
  override readonly name = "ScheduleRefusedError";
  constructor(message: string, details: string, meta: Record<string, unknown>) {
    super(ErrorCode.Conflict, message, { details, meta });
  }
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const permille = (p: number) => BigInt(Math.max(0, Math.min(1000, Math.trunc(p)))) * 1000n;

/** The score terms, each in 0..10^6, and S in integers (can be negative through the IO term). */
export function score(n: SchedulerNode, r: NodeResources, req: ScheduleRequest, w: SchedulerWeights): bigint {
  const cpu = permille(r.cpuFreePermille);
  const ram = min(r.ramFreeBytes >> 20n, SCALE); // free MiB, saturating at 10^6 MiB
  const gpu = permille(r.gpuFreePermille);
  const latency = SCALE / BigInt(Math.max(1, Math.trunc(r.latencyMs))); // 1/latency: 1 ms → 10^6
  const io = permille(r.ioPressurePermille);
  const cls = n.class === req.nodeClass ? SCALE : 0n;
  const stake = min(n.stakeWeightMicro, 16n * SCALE) / 16n; // log2 weight ≤ 16 → 0..10^6
  return w.cpu * cpu + w.ram * ram + w.gpu * gpu + w.latency * latency - w.io * io + w.class * cls + w.stake * stake;
}

/** Deterministic tie-break that spreads workloads: sha256(domain ‖ workload id ‖ node id). */
function tieBreak(workloadId: Uint8Array, nodeId: string): string {
  return toHex(sha256(concatBytes(utf8("dsdn.scheduler.tie\0"), workloadId, fromHex(nodeId))));
}

/** Why a node cannot run any workload needing this much memory, regardless of who submits it. */
function unfit(n: SchedulerNode, req: ScheduleRequest): Exclusion | undefined {
  if (n.status !== "active") return "not_active";
  if (!n.staked) return "not_staked";
  if (!n.resources) return "no_heartbeat";
  if (n.resources.ramFreeBytes < req.memoryBytes) return "insufficient_ram";
  if (req.runtime === "microvm" && !n.microvmBackend) return "no_microvm";
  return undefined;
}

function exclusion(n: SchedulerNode, req: ScheduleRequest): Exclusion | undefined {
  if (n.operator === req.submitter) return "self_dealing";
  if (req.affinity.has(n.operator)) return "wallet_affinity";
  return unfit(n, req);
}

/**
 * Ranks every candidate and picks `replicas` distinct nodes of distinct operators: preferred zones first, then
 * higher S, then the tie-break. Throws ScheduleRefusedError naming why when too few nodes qualify.
 */
export function schedule(nodes: readonly SchedulerNode[], req: ScheduleRequest, w: SchedulerWeights): Schedule {
  if (!Number.isInteger(req.replicas) || req.replicas < 1 || req.replicas > 3)
    throw new BaseError(ErrorCode.InvalidArgument, "replicas must be 1..3");
  // Node ids are unique in a replayed registry; two records for one id mean the input is corrupt.
  if (new Set(nodes.map((n) => n.nodeId)).size !== nodes.length)
    throw new BaseError(ErrorCode.InvalidArgument, "the candidate list names a node id twice");
  const rows = nodes.map((n) => {
    const ex = exclusion(n, req);
    return {
      nodeId: n.nodeId,
      operator: n.operator,
      score: ex || !n.resources ? 0n : score(n, n.resources, req, w),
      preferredZone: req.zones.length === 0 || req.zones.includes(n.zone),
      excluded: ex,
      tie: tieBreak(req.workloadId, n.nodeId),
    };
  });
  rows.sort((a, b) => {
    if (!a.excluded !== !b.excluded) return a.excluded ? 1 : -1;
    if (a.preferredZone !== b.preferredZone) return a.preferredZone ? -1 : 1;
    if (a.score !== b.score) return a.score > b.score ? -1 : 1;
    return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
  });
  const chosen: string[] = [];
  const operators = new Set<string>();
  const ranking: Ranked[] = rows.map(({ tie: _t, ...r }) => {
    if (r.excluded) return r;
    if (chosen.length >= req.replicas) return r;
    if (operators.has(r.operator)) return { ...r, excluded: "same_operator_as_chosen" as const };
    chosen.push(r.nodeId);
    operators.add(r.operator);
    return r;
  });
  if (chosen.length < req.replicas) {
    const counts: Record<string, number> = {};
    for (const r of ranking) if (r.excluded) counts[r.excluded] = (counts[r.excluded] ?? 0) + 1;
    // "Every candidate is the submitter's": some nodes could run it, and each of them is excluded as self-dealing.
    const fit = nodes.filter((n) => !unfit(n, req));
    const allDealing = fit.length > 0 && fit.every((n) => exclusion(n, req) !== undefined);
    const summary = Object.entries(counts)
      .map(([k, v]) => `${k}: ${v}`)
      .join(", ");
    const noMicroVM = req.runtime === "microvm" && !nodes.some((n) => n.microvmBackend);
    const message = noMicroVM
      ? "no node offers the microvm runtime (nodes advertise it with --microvm bwrap)"
      : chosen.length === 0 && allDealing
        ? `no fair node can run this workload: every candidate node is operated by the submitter ${req.submitter} or has wallet affinity with it`
        : `only ${chosen.length} of ${req.replicas} required nodes are eligible`;
    throw new ScheduleRefusedError(message, `candidates: ${nodes.length}; excluded — ${summary || "none"}`, {
      excluded: counts,
      chosen,
    });
  }
  return { chosen, ranking };
}
