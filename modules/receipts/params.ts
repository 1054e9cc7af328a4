/** @module receipts params (roadmap 14C/19): reward split, USD prices (receipt v2), challenge window — all genesis params. */

export interface ReceiptsParams {
  readonly denom: string;
  /** Node operator's share (ppm): 70%. */
  readonly nodeSharePpm: bigint;
  /** Validators' share (ppm), split by power: 20%. The treasury gets the rest (10%) plus every remainder. */
  readonly validatorsSharePpm: bigint;
  /**
   * Storage price (receipt v2): micro-USD per GiB held for one epoch (one storage receipt per workload, node
   * and epoch). Paid in unusa at the oracle price when claimed.
   */
  readonly storagePriceMicroUsdPerGib: bigint;
  /** Compute price (receipt v2): micro-USD per 10^6 metered cycles. */
  readonly computePriceMicroUsdPerMegacycle: bigint;
  /** A receipt never pays more than this (unusa, after conversion): bounds the damage of a faulty committee. */
  readonly maxRewardPerReceipt: bigint;
  /**
   * A compute receipt's challenge window (block time, from its signed `timestamp`): base + perMb × ceil(output
   * bytes / 10^6), at most max — 1 h + 10 min per MB, at most 4 h (roadmap 18.8). No claim pays inside it.
   */
  readonly computeWindowBaseSeconds: bigint;
  readonly computeWindowPerMbSeconds: bigint;
  readonly computeWindowMaxSeconds: bigint;
  /** A receipt whose signed timestamp is later than block time + this is refused (it would shift its window). */
  readonly maxTimestampSkewSeconds: bigint;
  readonly sigVerifyCostEd25519: bigint;
}

/** $10^6 per unit: a bound on the USD price params (a governance typo cannot price beyond it). */
export const MAX_PRICE_MICRO_USD = 1_000_000_000_000n;

export const defaultReceiptsParams: ReceiptsParams = {
  denom: "unusa",
  nodeSharePpm: 700_000n,
  validatorsSharePpm: 200_000n,
  // $0.05 per GiB·epoch and $0.00005 per megacycle: the former 1 NUSA and 0.001 NUSA at the genesis price $0.05.
  storagePriceMicroUsdPerGib: 50_000n,
  computePriceMicroUsdPerMegacycle: 50n,
  maxRewardPerReceipt: 1_000_000_000n,
  computeWindowBaseSeconds: 3_600n,
  computeWindowPerMbSeconds: 600n,
  computeWindowMaxSeconds: 14_400n,
  maxTimestampSkewSeconds: 300n,
  sigVerifyCostEd25519: 590n,
};

export function parseReceiptsParams(raw: unknown): ReceiptsParams {
  const r = (raw ?? {}) as Record<string, unknown>;
  // The unusa prices of receipt v1 are gone: a genesis or proposal still naming them would otherwise do nothing.
  for (const old of ["storagePricePerGib", "computePricePerMegacycle"])
    if (r[old] !== undefined)
      throw new Error(`receipts.params.${old}: retired with receipt v1; prices are USD now (…MicroUsdPer…)`);
  const int = (name: Exclude<keyof ReceiptsParams, "denom">, min: bigint, max?: bigint): bigint => {
    const v = r[name] ?? defaultReceiptsParams[name];
    let n: bigint;
    try {
      if (typeof v !== "string" && typeof v !== "bigint" && typeof v !== "number") throw new Error();
      n = BigInt(v);
    } catch {
      throw new Error(`receipts.params.${name}: expected an integer, got "${String(v)}"`);
    }
    if (n < min || (max !== undefined && n > max))
      throw new Error(`receipts.params.${name}: must be ${min}..${max ?? "∞"}`);
    return n;
  };
  const denom = r.denom ?? defaultReceiptsParams.denom;
  if (typeof denom !== "string" || !/^[a-zA-Z][a-zA-Z0-9/:._-]{2,127}$/.test(denom))
    throw new Error(`receipts.params.denom: invalid denom "${String(denom)}"`);
  const p: ReceiptsParams = {
    denom,
    nodeSharePpm: int("nodeSharePpm", 0n, 1_000_000n),
    validatorsSharePpm: int("validatorsSharePpm", 0n, 1_000_000n),
    // Bounded so a receipt's USD value stays far inside the reward string's 77 digits whatever its usage.
    storagePriceMicroUsdPerGib: int("storagePriceMicroUsdPerGib", 0n, MAX_PRICE_MICRO_USD),
    computePriceMicroUsdPerMegacycle: int("computePriceMicroUsdPerMegacycle", 0n, MAX_PRICE_MICRO_USD),
    maxRewardPerReceipt: int("maxRewardPerReceipt", 1n),
    computeWindowBaseSeconds: int("computeWindowBaseSeconds", 0n, 30n * 86_400n),
    computeWindowPerMbSeconds: int("computeWindowPerMbSeconds", 0n, 86_400n),
    computeWindowMaxSeconds: int("computeWindowMaxSeconds", 0n, 30n * 86_400n),
    maxTimestampSkewSeconds: int("maxTimestampSkewSeconds", 0n, 86_400n),
    sigVerifyCostEd25519: int("sigVerifyCostEd25519", 0n),
  };
  if (p.computeWindowMaxSeconds < p.computeWindowBaseSeconds)
    throw new Error("receipts.params.computeWindowMaxSeconds: must be at least computeWindowBaseSeconds");
  if (p.nodeSharePpm + p.validatorsSharePpm > 1_000_000n)
    throw new Error("receipts.params.validatorsSharePpm: node + validator shares exceed 100%");
  return p;
}
