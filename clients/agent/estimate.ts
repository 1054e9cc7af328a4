/** @module A workload's price estimate: dry run on the fast path, classification, resolved spec, price per replica and in total. */
import { type Classification, classify } from "../../node-agent/compute/classify.js";
import { resolveIntent } from "../../node-agent/compute/resolve.js";
import { loadWorkload, type WorkloadFiles } from "./workloadFiles.js";

export interface EstimateParameters {
  /** A project directory (with its intent file) or a module.wasm. */
  readonly target: string;
  readonly input?: string;
  readonly type?: string;
  readonly replicas?: string;
  /** Stop the dry run after this much fuel (the class is then a lower bound). */
  readonly fuelCap?: number;
}

export interface EstimateReturnType {
  readonly workload: WorkloadFiles;
  readonly classification: Classification;
  readonly spec: ReturnType<typeof resolveIntent>;
  /** nano-USD (receipt v2 prices usage in USD), exact. */
  readonly perReplica: bigint;
  readonly total: bigint;
}

export async function estimateWorkload(p: EstimateParameters): Promise<EstimateReturnType> {
  const w = loadWorkload(p.target, {
    ...(p.input !== undefined ? { input: p.input } : {}),
    ...(p.type !== undefined ? { type: p.type } : {}),
    ...(p.replicas !== undefined ? { replicas: p.replicas } : {}),
  });
  const cls = await classify(
    w.module,
    w.input,
    p.fuelCap !== undefined && Number.isSafeInteger(p.fuelCap) && p.fuelCap > 0 ? { fuelCap: p.fuelCap } : {},
  );
  const spec = resolveIntent(w.intent, cls);
  const perReplica = BigInt(cls.priceNanoUsdPerReplica);
  return { workload: w, classification: cls, spec, perReplica, total: perReplica * BigInt(spec.replicas.value) };
}
