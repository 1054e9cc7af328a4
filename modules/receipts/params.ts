/** @module receipts params (roadmap 14C/19): reward split, prices, challenge window — all genesis params. */

export interface ReceiptsParams {
  readonly denom: string;
  /** Node operator's share (ppm): 70%. */
  readonly nodeSharePpm: bigint;
  /** Validators' share (ppm), split by power: 20%. The treasury gets the rest (10%) plus every remainder. */
  readonly validatorsSharePpm: bigint;
  /** Storage price: unusa per GiB held, per receipt (one storage receipt per workload, node and epoch). */
  readonly storagePricePerGib: bigint;
  /** Compute price: unusa per 10^6 metered cycles. */
  readonly computePricePerMegacycle: bigint;
  /** A receipt never pays more than this (unusa): bounds the damage of a faulty committee. */
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

export const defaultReceiptsParams: ReceiptsParams = {
  denom: "unusa",
  nodeSharePpm: 700_000n,
  validatorsSharePpm: 200_000n,
  storagePricePerGib: 1_000_000n,
  computePricePerMegacycle: 1_000n,
  maxRewardPerReceipt: 1_000_000_000n,
  computeWindowBaseSeconds: 3_600n,
  computeWindowPerMbSeconds: 600n,
  computeWindowMaxSeconds: 14_400n,
  maxTimestampSkewSeconds: 300n,
  sigVerifyCostEd25519: 590n,
};

export function parseReceiptsParams(raw: unknown): ReceiptsParams {
  const r = (raw ?? {}) as Record<string, unknown>;
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
    storagePricePerGib: int("storagePricePerGib", 0n),
    computePricePerMegacycle: int("computePricePerMegacycle", 0n),
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
