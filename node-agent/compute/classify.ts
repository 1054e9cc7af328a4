/**
 * @module Auto resource classification (roadmap 18.3): a dry run on the V8 fast path under a fuel cap measures
 * cycles, peak memory and output size; thresholds map them to a resource class and the chain's compute price
 * gives an estimate. The dry run's report is the engine's (the V8 path equals the interpreter's), never recomputed.
 */
import { BaseError, ErrorCode } from "../../common/errors.js";
import type { RunReport } from "../../common/wasm/run.js";
import { defaultReceiptsParams, type ReceiptsParams } from "../../modules/receipts/params.js";
import { usdValueOf } from "../../modules/receipts/reward.js";
import { ReceiptKind, Usage } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { type JobOutcome, runJobInline, runJobInWorker, workerAvailable } from "../runtime/runJob.js";

export const RESOURCE_CLASSES = ["tiny", "small", "medium", "large"] as const;
export type ResourceClass = (typeof RESOURCE_CLASSES)[number];

/** Upper bounds (inclusive) of each class but the last: fuel and peak memory bytes. */
export const CLASS_BOUNDS: readonly { cls: ResourceClass; fuel: bigint; memoryBytes: number }[] = [
  { cls: "tiny", fuel: 10_000_000n, memoryBytes: 16 << 20 },
  { cls: "small", fuel: 1_000_000_000n, memoryBytes: 64 << 20 },
  { cls: "medium", fuel: 100_000_000_000n, memoryBytes: 256 << 20 },
];

/** Default fuel cap of a dry run (10^10: ~seconds on the fast path). */
export const DRY_RUN_FUEL = 10_000_000_000;
export const DRY_RUN_TIMEOUT_MS = 60_000;

export interface Classification {
  readonly class: ResourceClass;
  readonly fuelUsed: string;
  readonly cycles: string;
  readonly memoryBytes: number;
  readonly outputBytes: number;
  /** True when the dry run hit the fuel cap: the figures are lower bounds. */
  readonly capped: boolean;
  /** nano-USD for one replica at the chain's compute price (receipt v2; a lower bound when capped). */
  readonly priceNanoUsdPerReplica: string;
  readonly engine: string;
}

export function classOf(fuel: bigint, memoryBytes: number): ResourceClass {
  return CLASS_BOUNDS.find((b) => fuel <= b.fuel && memoryBytes <= b.memoryBytes)?.cls ?? "large";
}

/** The USD value (nano-USD) the chain would put on a compute receipt metering `cycles`. */
export function computePrice(cycles: bigint, params: ReceiptsParams = defaultReceiptsParams): bigint {
  return usdValueOf(ReceiptKind.RECEIPT_KIND_COMPUTE, Usage.fromPartial({ computeCycles: cycles }), params);
}

/** Turns a finished dry run into a classification (pure: the tests feed it reports). */
export function classifyReport(
  report: RunReport,
  fuelCap: number,
  params?: ReceiptsParams,
  engine = "v8",
): Classification {
  const capped = report.trap !== null && /fuel/i.test(report.trap);
  if (report.trap !== null && !capped)
    throw new BaseError(ErrorCode.InvalidArgument, `the workload traps in a dry run: ${report.trap}`, {
      details: report.logs.slice(-5).join("\n"),
    });
  const fuel = BigInt(report.fuelUsed);
  const memoryBytes = Number(report.usage.mem_usage);
  const cycles = BigInt(report.usage.compute_cycles);
  return {
    class: capped ? "large" : classOf(fuel, memoryBytes),
    fuelUsed: capped ? String(fuelCap) : report.fuelUsed,
    cycles: cycles.toString(),
    memoryBytes,
    outputBytes: report.output.length,
    capped,
    priceNanoUsdPerReplica: computePrice(cycles, params).toString(),
    engine,
  };
}

/** Dry-runs a WASI command module on the fast path (worker with a wall-clock limit when built) and classifies it. */
export async function classify(
  module: Uint8Array,
  input: Uint8Array,
  opts: { fuelCap?: number; timeoutMs?: number; params?: ReceiptsParams } = {},
): Promise<Classification> {
  const fuelCap = opts.fuelCap ?? DRY_RUN_FUEL;
  const runOpts = { invoke: "_start", input, limits: { fuel: fuelCap } };
  const out: JobOutcome = workerAvailable()
    ? await runJobInWorker(module, runOpts, opts.timeoutMs ?? DRY_RUN_TIMEOUT_MS, "v8")
    : runJobInline(module, runOpts, "v8");
  if (out.kind === "refused")
    throw new BaseError(ErrorCode.InvalidArgument, `the entry module cannot run: ${out.refusal.message}`, {
      meta: { field: "entry" },
    });
  if (out.kind === "timeout")
    throw new BaseError(ErrorCode.Timeout, `the dry run did not finish within ${out.elapsedMs} ms`, {
      details: "set resources.fuel and resources.timeoutSeconds in the intent",
    });
  if (out.kind === "crashed") throw new BaseError(ErrorCode.Internal, `the dry run crashed: ${out.message}`);
  return classifyReport(out.report, fuelCap, opts.params, out.engine ?? "v8");
}
