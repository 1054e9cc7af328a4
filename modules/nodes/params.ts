/** @module nodes params: limits on the registration fields and the compute scheduler's weights (genesis params, gov-changeable). */

export interface NodesParams {
  readonly maxZoneLength: bigint;
  readonly maxEndpointLength: bigint;
  /** Gas charged for verifying the node key's signature (the SDK's ed25519 verify cost). */
  readonly sigVerifyCostEd25519: bigint;
  /** Status timers (cooldown/ban ends) handled per end block; the rest wait, in time order. */
  readonly maxTimersPerBlock: bigint;
  /**
   * The compute scheduler's weights w1..w7 (S = w1·CPU_free + w2·RAM_free + w3·GPU_free + w4·(1/latency)
   * − w5·IO_pressure + w6·class + w7·stake_weight, every term scaled to 0..10^6), integers 0..999999. On chain so
   * the coordinator, the committee and `dsdn-node schedule` all rank with the same ones (node-agent/scheduler).
   */
  readonly schedulerWeightCpu: bigint;
  readonly schedulerWeightRam: bigint;
  readonly schedulerWeightGpu: bigint;
  readonly schedulerWeightLatency: bigint;
  readonly schedulerWeightIo: bigint;
  readonly schedulerWeightClass: bigint;
  readonly schedulerWeightStake: bigint;
}

export const defaultNodesParams: NodesParams = {
  maxZoneLength: 64n,
  maxEndpointLength: 256n,
  sigVerifyCostEd25519: 590n,
  maxTimersPerBlock: 200n,
  schedulerWeightCpu: 3n,
  schedulerWeightRam: 2n,
  schedulerWeightGpu: 1n,
  schedulerWeightLatency: 2n,
  schedulerWeightIo: 2n,
  schedulerWeightClass: 1n,
  schedulerWeightStake: 1n,
};

export function parseNodesParams(raw: unknown): NodesParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: keyof NodesParams, min = 1n, max = 1_000_000n): bigint => {
    const v = r[name] ?? defaultNodesParams[name];
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number")
      throw new Error(`nodes.params.${name}: expected an integer`);
    let n: bigint;
    try {
      n = BigInt(v);
    } catch {
      throw new Error(`nodes.params.${name}: expected an integer`);
    }
    if (n < min || n > max) throw new Error(`nodes.params.${name}: must be ${min}..${max}`);
    return n;
  };
  const weight = (name: keyof NodesParams) => int(name, 0n, 999_999n);
  return {
    maxZoneLength: int("maxZoneLength"),
    maxEndpointLength: int("maxEndpointLength"),
    sigVerifyCostEd25519: int("sigVerifyCostEd25519"),
    maxTimersPerBlock: int("maxTimersPerBlock"),
    schedulerWeightCpu: weight("schedulerWeightCpu"),
    schedulerWeightRam: weight("schedulerWeightRam"),
    schedulerWeightGpu: weight("schedulerWeightGpu"),
    schedulerWeightLatency: weight("schedulerWeightLatency"),
    schedulerWeightIo: weight("schedulerWeightIo"),
    schedulerWeightClass: weight("schedulerWeightClass"),
    schedulerWeightStake: weight("schedulerWeightStake"),
  };
}
