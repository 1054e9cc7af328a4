/** @module economics params (Tahap 24): the reference node cost, fee and burn bounds, and the shadow-mode switch. */
import { parseIntParams } from "../../common/params.js";

export interface EconomicsParams {
  /** Period length (block time): the index, fee and burn are computed once per period. */
  readonly periodSeconds: bigint;
  /** Monthly USD cost of a reference storage node (nano-USD): the Node Cost Index is this in unusa. */
  readonly referenceNodeCostUsdNano: bigint;
  /** The adaptive fee moves at most this share per period (ppm; ±20%). */
  readonly maxFeeChangePpm: bigint;
  /** The treasury keeps this much (unusa); only the excess can be burned. */
  readonly treasuryFloor: bigint;
  /** Share of the excess burned per period (ppm). */
  readonly burnPpmOfExcess: bigint;
  /** Burn at most this much per period (unusa). */
  readonly maxBurnPerPeriod: bigint;
  /**
   * Shadow-mode switch: 0 = compute and record only; 1 = also apply (set the storage price, burn).
   * Changed only by governance (bootstrap: foundation approval), through validateEconomicsParams.
   */
  readonly applyEnabled: bigint;
}

export const defaultEconomicsParams: EconomicsParams = {
  periodSeconds: 86_400n,
  referenceNodeCostUsdNano: 20_000_000_000n, // $20 per node-month
  maxFeeChangePpm: 200_000n,
  treasuryFloor: 100_000_000_000n, // 100 000 NUSA
  burnPpmOfExcess: 100_000n,
  maxBurnPerPeriod: 10_000_000_000n, // 10 000 NUSA
  applyEnabled: 0n,
};

/** Parses and validates (the shape gov's param-change hook calls); throws naming the field. */
export function validateEconomicsParams(raw: unknown): EconomicsParams {
  return parseIntParams("economics", raw, defaultEconomicsParams, {
    periodSeconds: [1n, 366n * 86_400n],
    referenceNodeCostUsdNano: [1n, 10n ** 18n],
    maxFeeChangePpm: [0n, 1_000_000n],
    treasuryFloor: [0n, undefined],
    burnPpmOfExcess: [0n, 1_000_000n],
    maxBurnPerPeriod: [0n, undefined],
    applyEnabled: [0n, 1n],
  });
}
