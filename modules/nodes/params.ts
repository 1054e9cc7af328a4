/** @module nodes params: limits on the registration fields (genesis params). */

export interface NodesParams {
  readonly maxZoneLength: bigint;
  readonly maxEndpointLength: bigint;
  /** Gas charged for verifying the node key's signature (the SDK's ed25519 verify cost). */
  readonly sigVerifyCostEd25519: bigint;
  /** Status timers (cooldown/ban ends) handled per end block; the rest wait, in time order. */
  readonly maxTimersPerBlock: bigint;
}

export const defaultNodesParams: NodesParams = {
  maxZoneLength: 64n,
  maxEndpointLength: 256n,
  sigVerifyCostEd25519: 590n,
  maxTimersPerBlock: 200n,
};

export function parseNodesParams(raw: unknown): NodesParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: keyof NodesParams): bigint => {
    const v = r[name] ?? defaultNodesParams[name];
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number")
      throw new Error(`nodes.params.${name}: expected an integer`);
    let n: bigint;
    try {
      n = BigInt(v);
    } catch {
      throw new Error(`nodes.params.${name}: expected an integer`);
    }
    if (n < 1n || n > 1_000_000n) throw new Error(`nodes.params.${name}: must be 1..1000000`);
    return n;
  };
  return {
    maxZoneLength: int("maxZoneLength"),
    maxEndpointLength: int("maxEndpointLength"),
    sigVerifyCostEd25519: int("sigVerifyCostEd25519"),
    maxTimersPerBlock: int("maxTimersPerBlock"),
  };
}
