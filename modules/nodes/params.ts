/** @module nodes params: limits on the registration fields (genesis params). */

export interface NodesParams {
  readonly maxZoneLength: bigint;
  readonly maxEndpointLength: bigint;
}

export const defaultNodesParams: NodesParams = { maxZoneLength: 64n, maxEndpointLength: 256n };

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
    if (n < 1n || n > 4096n) throw new Error(`nodes.params.${name}: must be 1..4096`);
    return n;
  };
  return { maxZoneLength: int("maxZoneLength"), maxEndpointLength: int("maxEndpointLength") };
}
