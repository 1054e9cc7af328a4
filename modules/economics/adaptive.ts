/** @module Pure adaptive economics (bigint): Node Cost Index, the bounded adaptive fee, the treasury burn. */
import { clampChange } from "../oracle/price.js";

const PPM = 1_000_000n;

/**
 * The fee follows the node's cost: when a node costs k× more than last period, the fee asks k× more, moved at
 * most ±maxChangePpm per period. Fee and cost must be in the same unit (both USD since receipt v2: a NUSA move
 * is the oracle conversion's to pass on, not this). No previous cost = unchanged.
 */
export function adaptiveFee(current: bigint, cost: bigint, previousCost: bigint, maxChangePpm: bigint): bigint {
  if (previousCost <= 0n || current <= 0n) return current;
  const wanted = (current * cost) / previousCost;
  return clampChange(current, wanted, maxChangePpm);
}

/** Burn a share of the treasury above its floor, capped per period. */
export function adaptiveBurn(treasury: bigint, floor: bigint, burnPpm: bigint, maxBurn: bigint): bigint {
  if (treasury <= floor) return 0n;
  const b = ((treasury - floor) * burnPpm) / PPM;
  return b > maxBurn ? maxBurn : b;
}

export { PPM };
