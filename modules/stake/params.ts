/** @module stake params: minimums by class, power reduction, unbonding period — all genesis params. */

/** 1 NUSA = 10^6 unusa. */
export const UNUSA_PER_NUSA = 1_000_000n;

export interface StakeParams {
  readonly bondDenom: string;
  /** Validator power = bonded unusa / powerReduction (10^6: one power per NUSA). */
  readonly powerReduction: bigint;
  readonly minValidatorSelfBond: bigint;
  /** Regular storage nodes: >= 500 NUSA (roadmap T14B/T16). */
  readonly minStakeRegular: bigint;
  /** Data-center storage nodes: >= 5000 NUSA (roadmap T14B/T16). */
  readonly minStakeDataCenter: bigint;
  /** Block-time seconds before unbonded stake is paid out; slashable until then. */
  readonly unbondingPeriodSeconds: bigint;
  /** Size of CometBFT's validator set: the top validators by power (the SDK's max_validators). */
  readonly maxValidators: bigint;
  /** Maturing unbonding entries one owner may have at once (the SDK's max_entries). */
  readonly maxEntries: bigint;
  /** Mature unbondings paid per end block; the rest wait for the next block, in queue order. */
  readonly maxUnbondingsPerBlock: bigint;
}

export const defaultStakeParams: StakeParams = {
  bondDenom: "unusa",
  powerReduction: UNUSA_PER_NUSA,
  minValidatorSelfBond: 1_000n * UNUSA_PER_NUSA,
  minStakeRegular: 500n * UNUSA_PER_NUSA,
  minStakeDataCenter: 5_000n * UNUSA_PER_NUSA,
  unbondingPeriodSeconds: 21n * 24n * 3600n,
  maxValidators: 100n,
  maxEntries: 7n,
  maxUnbondingsPerBlock: 200n,
};

/** Parses params from genesis/store JSON (integers as strings), naming the bad field. */
export function parseStakeParams(raw: unknown): StakeParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const int = (name: keyof StakeParams, min: bigint): bigint => {
    const v = r[name] ?? defaultStakeParams[name];
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number")
      throw new Error(`stake.params.${name}: expected an integer`);
    let n: bigint;
    try {
      n = BigInt(v);
    } catch {
      throw new Error(`stake.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min) throw new Error(`stake.params.${name}: must be >= ${min}`);
    return n;
  };
  const bondDenom = r.bondDenom ?? defaultStakeParams.bondDenom;
  if (typeof bondDenom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(bondDenom))
    throw new Error("stake.params.bondDenom: invalid denom");
  return {
    bondDenom,
    powerReduction: int("powerReduction", 1n),
    minValidatorSelfBond: int("minValidatorSelfBond", 1n),
    minStakeRegular: int("minStakeRegular", 1n),
    minStakeDataCenter: int("minStakeDataCenter", 1n),
    unbondingPeriodSeconds: int("unbondingPeriodSeconds", 0n),
    maxValidators: int("maxValidators", 1n),
    maxEntries: int("maxEntries", 1n),
    maxUnbondingsPerBlock: int("maxUnbondingsPerBlock", 1n),
  };
}
