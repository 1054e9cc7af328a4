/** @module da params: blob size limit, fee per byte, blobs per block, how long validators keep the bytes. */

export interface DAParams {
  /** Largest blob (bytes); a tx also stays under the consensus max_tx_bytes. */
  readonly maxBlobBytes: bigint;
  /** Fee per blob byte (in `denom`), paid to the fee collector on top of the tx fee. */
  readonly feePerByte: bigint;
  readonly denom: string;
  /** Blobs one block may carry (bounds a block's storage growth). */
  readonly maxBlobsPerBlock: bigint;
  /** Block-time seconds the bytes are kept; the commitment record stays forever. */
  readonly retentionSeconds: bigint;
  /** Data rows pruned per block at most (pruning work stays bounded). */
  readonly maxPrunePerBlock: bigint;
}

export const defaultDAParams: DAParams = {
  maxBlobBytes: 512n * 1024n,
  feePerByte: 1n,
  denom: "unusa",
  maxBlobsPerBlock: 64n,
  retentionSeconds: 21n * 86_400n,
  maxPrunePerBlock: 256n,
};

/** Parses and validates (JSON numbers or strings); throws naming the field. Governance uses it too. */
export function validateParams(raw: unknown): DAParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!(k in defaultDAParams)) throw new Error(`da.params.${k}: unknown parameter`);
  const int = (name: Exclude<keyof DAParams, "denom">, min: bigint, max: bigint): bigint => {
    const v = r[name] ?? defaultDAParams[name];
    if ((typeof v !== "string" || !/^\d{1,20}$/.test(v)) && typeof v !== "bigint" && !Number.isSafeInteger(v))
      throw new Error(`da.params.${name}: expected a non-negative integer`);
    const n = BigInt(v as string | number | bigint);
    if (n < min || n > max) throw new Error(`da.params.${name}: must be ${min}..${max}`);
    return n;
  };
  const denom = r.denom ?? defaultDAParams.denom;
  if (typeof denom !== "string" || !/^[a-z][a-z0-9/]{2,127}$/.test(denom))
    throw new Error(`da.params.denom: invalid denom "${String(denom)}"`);
  return {
    maxBlobBytes: int("maxBlobBytes", 1n, 8n * 1024n * 1024n),
    feePerByte: int("feePerByte", 0n, 10n ** 12n),
    denom,
    maxBlobsPerBlock: int("maxBlobsPerBlock", 1n, 10_000n),
    retentionSeconds: int("retentionSeconds", 60n, 10n * 365n * 86_400n),
    maxPrunePerBlock: int("maxPrunePerBlock", 1n, 100_000n),
  };
}
