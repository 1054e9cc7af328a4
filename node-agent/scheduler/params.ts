/** @module Scheduler weights (roadmap Tahap 9/17/22): integers, validated, overridable by configuration. */
import { ConfigError } from "../../common/errors.js";

/** S = w1·CPU_free + w2·RAM_free + w3·GPU_free + w4·(1/latency) − w5·IO_pressure + w6·class + w7·stake_weight. */
export interface SchedulerWeights {
  readonly cpu: bigint;
  readonly ram: bigint;
  readonly gpu: bigint;
  readonly latency: bigint;
  readonly io: bigint;
  readonly class: bigint;
  readonly stake: bigint;
}

/** Every term is scaled to 0..10^6 (see score.ts), so the weights are plain relative importances. */
export const DEFAULT_SCHEDULER_WEIGHTS: SchedulerWeights = {
  cpu: 3n,
  ram: 2n,
  gpu: 1n,
  latency: 2n,
  io: 2n,
  class: 1n,
  stake: 1n,
};

export function parseSchedulerWeights(raw: Record<string, unknown>): SchedulerWeights {
  const out: Record<string, bigint> = {};
  for (const k of Object.keys(DEFAULT_SCHEDULER_WEIGHTS) as (keyof SchedulerWeights)[]) {
    const v = raw[k] ?? DEFAULT_SCHEDULER_WEIGHTS[k];
    const s = String(v);
    if (!/^[0-9]{1,6}$/.test(s)) throw new ConfigError(`scheduler.weights.${k}`, "must be an integer 0..999999");
    out[k] = BigInt(s);
  }
  for (const k of Object.keys(raw))
    if (!(k in DEFAULT_SCHEDULER_WEIGHTS)) throw new ConfigError(`scheduler.weights.${k}`, "unknown weight");
  return out as unknown as SchedulerWeights;
}
