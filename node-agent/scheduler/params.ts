/**
 * @module Scheduler weights (roadmap Tahap 9/17/22): integers, the nodes module's chain params (no local override),
 * so whoever recomputes a schedule uses the weights the coordinator had to use.
 */
import { defaultNodesParams, type NodesParams } from "../../modules/nodes/params.js";

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

/** The weights in the nodes module's params (validated there: integers 0..999999). */
export function schedulerWeightsOf(p: NodesParams): SchedulerWeights {
  return {
    cpu: p.schedulerWeightCpu,
    ram: p.schedulerWeightRam,
    gpu: p.schedulerWeightGpu,
    latency: p.schedulerWeightLatency,
    io: p.schedulerWeightIo,
    class: p.schedulerWeightClass,
    stake: p.schedulerWeightStake,
  };
}

/** The genesis defaults (every term is scaled to 0..10^6, see schedule.ts, so these are relative importances). */
export const DEFAULT_SCHEDULER_WEIGHTS: SchedulerWeights = schedulerWeightsOf(defaultNodesParams);
