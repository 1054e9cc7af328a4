/** @module Pure adaptive economics (bigint): Node Cost Index, the bounded adaptive fee, the treasury burn. */
import { clampChange } from "../oracle/price.js";

const PPM = 1_000_000n;

/**
 * The fee follows the Node Cost Index: when a node costs k× more NUSA than last period (NUSA fell), the
 * NUSA fee asks k× more, moved at most ±maxChangePpm per period. No previous index = unchanged.
 */
export function adaptiveFee(current: bigint, nci: bigint, previousNci: bigint, maxChangePpm: bigint): bigint {
  if (previousNci <= 0n || current <= 0n) return current;
  const wanted = (current * nci) / previousNci;
  return clampChange(current, wanted, maxChangePpm);
}

/** Burn a share of the treasury above its floor, capped per period. */
export function adaptiveBurn(treasury: bigint, floor: bigint, burnPpm: bigint, maxBurn: bigint): bigint {
  if (treasury <= floor) return 0n;
  const b = ((treasury - floor) * burnPpm) / PPM;
  return b > maxBurn ? maxBurn : b;
}

export { PPM };
