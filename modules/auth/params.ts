/** @module auth params (SDK defaults), changeable only by governance. */

export interface AuthParams {
  readonly maxMemoCharacters: bigint;
  readonly txSigLimit: bigint;
  readonly txSizeCostPerByte: bigint;
  readonly sigVerifyCostSecp256k1: bigint;
  /** Upper bound for a tx's gas limit; larger limits are refused before anything runs. */
  readonly maxTxGas: bigint;
  /**
   * Largest encoded tx in bytes. A consensus param (genesis, then governance) rather than a node
   * option, because ProcessProposal and FinalizeBlock judge blocks by it: every validator must agree.
   */
  readonly maxTxBytes: bigint;
}

/** CometBFT's own ceiling on a block (types.MaxBlockSizeBytes); no tx can be larger. */
export const MAX_TX_BYTES_CEILING = 104_857_600n;

export const defaultAuthParams: AuthParams = {
  maxMemoCharacters: 256n,
  txSigLimit: 7n,
  txSizeCostPerByte: 10n,
  sigVerifyCostSecp256k1: 1000n,
  maxTxGas: 100_000_000n,
  maxTxBytes: 1_048_576n,
};

export function parseAuthParams(raw: unknown): AuthParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  const field = (name: keyof AuthParams): bigint => {
    const v = r[name] ?? defaultAuthParams[name];
    if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number")
      throw new Error(`auth.params.${name}: expected an integer`);
    const n = BigInt(v);
    if (n <= 0n) throw new Error(`auth.params.${name}: must be positive`);
    return n;
  };
  const out: AuthParams = {
    maxMemoCharacters: field("maxMemoCharacters"),
    txSigLimit: field("txSigLimit"),
    txSizeCostPerByte: field("txSizeCostPerByte"),
    sigVerifyCostSecp256k1: field("sigVerifyCostSecp256k1"),
    maxTxGas: field("maxTxGas"),
    maxTxBytes: field("maxTxBytes"),
  };
  if (out.maxTxBytes > MAX_TX_BYTES_CEILING)
    throw new Error(`auth.params.maxTxBytes: at most ${MAX_TX_BYTES_CEILING} (CometBFT's largest block)`);
  return out;
}
