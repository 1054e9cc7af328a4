import { describe, expect, it } from "vitest";
import { formatStakeWeight, STAKE_WEIGHT_SCALE, stakeWeight } from "./stakeWeight.js";

const NUSA = 1_000_000n;

describe("stakeWeight (log2(stake/min), fixed point 10^6)", () => {
  it("is exact at powers of two and zero at or below the minimum", () => {
    expect(stakeWeight(500n * NUSA, 500n * NUSA)).toBe(0n);
    expect(stakeWeight(499n * NUSA, 500n * NUSA)).toBe(0n);
    expect(stakeWeight(1_000n * NUSA, 500n * NUSA)).toBe(STAKE_WEIGHT_SCALE);
    expect(stakeWeight(2_000n * NUSA, 500n * NUSA)).toBe(2n * STAKE_WEIGHT_SCALE);
    expect(stakeWeight(512_000n * NUSA, 500n * NUSA)).toBe(10n * STAKE_WEIGHT_SCALE);
    expect(stakeWeight(10_000n * NUSA, 5_000n * NUSA)).toBe(STAKE_WEIGHT_SCALE);
  });

  it("matches published values of log2 floored to 6 decimals", () => {
    // log2(1.5) = 0.5849625007211562, log2(3) = 1.584962500721156, log2(10) = 3.321928094887362,
    // log2(1.1) = 0.1375035237499349, log2(7) = 2.807354922057604, log2(1000) = 9.965784284662087
    expect(stakeWeight(750n * NUSA, 500n * NUSA)).toBe(584_962n);
    expect(stakeWeight(1_500n * NUSA, 500n * NUSA)).toBe(1_584_962n);
    expect(stakeWeight(5_000n * NUSA, 500n * NUSA)).toBe(3_321_928n);
    expect(stakeWeight(550n * NUSA, 500n * NUSA)).toBe(137_503n);
    expect(stakeWeight(35_000n * NUSA, 5_000n * NUSA)).toBe(2_807_354n);
    expect(stakeWeight(5_000_000n * NUSA, 5_000n * NUSA)).toBe(9_965_784n);
    expect(formatStakeWeight(1_584_962n)).toBe("1.584962");
  });

  it("is monotone and brackets the true value: 2^(w/10^6) <= ratio < 2^((w+1)/10^6)", () => {
    // Check with integer arithmetic at a coarser grid: (ratio)^(2^20) vs 2^(w·2^20/10^6) is too big;
    // instead compare consecutive stakes — one more unusa never lowers the weight.
    let prev = 0n;
    for (let s = 500n * NUSA; s < 500n * NUSA + 2_000n; s += 97n) {
      const w = stakeWeight(s, 500n * NUSA);
      expect(w >= prev).toBe(true);
      prev = w;
    }
    // ratio 2^(1/2) is irrational; the nearest rationals straddle 500000 correctly.
    expect(stakeWeight(707_106_781n, 500_000_000n)).toBe(499_999n); // 1.414213562 < √2
    expect(stakeWeight(707_106_782n, 500_000_000n)).toBe(500_000n); // 1.414213564 > √2
  });

  it("refuses a non-positive minimum", () => {
    expect(() => stakeWeight(1n, 0n)).toThrow(/minimum/);
  });
});
