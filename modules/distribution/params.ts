/** @module distribution params: the reward denom and the community tax taken from fees for the treasury. */

export interface DistributionParams {
  /** The denom distributed (fees in other denoms stay in fee_collector). */
  readonly denom: string;
  /** Share of each block's collected fees sent to the treasury (the SDK's community tax), in ppm. */
  readonly communityTaxPpm: bigint;
}

export const defaultDistributionParams: DistributionParams = { denom: "unusa", communityTaxPpm: 20_000n };

/** Parses params from genesis/store/proposal JSON (integers as strings), naming the bad field. */
export function parseDistributionParams(raw: unknown): DistributionParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const denom = r.denom ?? defaultDistributionParams.denom;
  if (typeof denom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(denom))
    throw new Error(`distribution.params.denom: invalid denom "${String(denom)}"`);
  const v = r.communityTaxPpm ?? defaultDistributionParams.communityTaxPpm;
  let tax: bigint;
  try {
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number") throw new Error();
    tax = BigInt(v);
  } catch {
    throw new Error(`distribution.params.communityTaxPpm: expected an integer, got "${String(v)}"`);
  }
  if (tax < 0n || tax > 1_000_000n) throw new Error("distribution.params.communityTaxPpm: must be 0..1000000");
  return { denom, communityTaxPpm: tax };
}
