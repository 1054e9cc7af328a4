// Miss accounting at its edges: the outlier band boundary, the minimum valid share, and the params that bound them.
import { describe, expect, it } from "vitest";
import { belowMinValid, isValidReport } from "./misses.js";
import { validateOracleParams } from "./params.js";

describe("isValidReport", () => {
  it("accepts a report exactly at the band's edge and refuses one unit beyond, on both sides", () => {
    expect(isValidReport(110n, 100n, 100_000n)).toBe(true);
    expect(isValidReport(111n, 100n, 100_000n)).toBe(false);
    expect(isValidReport(90n, 100n, 100_000n)).toBe(true);
    expect(isValidReport(89n, 100n, 100_000n)).toBe(false);
  });
  it("no report is a miss; band 0 or no median accepts any positive price", () => {
    expect(isValidReport(undefined, 100n, 100_000n)).toBe(false);
    expect(isValidReport(0n, 100n, 0n)).toBe(false);
    expect(isValidReport(10n ** 15n, 1n, 0n)).toBe(true);
    expect(isValidReport(5n, undefined, 100_000n)).toBe(true);
  });
});

describe("belowMinValid", () => {
  it("is strict: exactly the minimum share is enough", () => {
    expect(belowMinValid({ windows: 20n, misses: 19n }, 50_000n)).toBe(false); // 1/20 = 5%
    expect(belowMinValid({ windows: 20n, misses: 20n }, 50_000n)).toBe(true);
    expect(belowMinValid({ windows: 21n, misses: 20n }, 50_000n)).toBe(true); // 1/21 < 5%
  });
  it("never punishes a validator judged in no window, and a 0 minimum punishes nobody", () => {
    expect(belowMinValid({ windows: 0n, misses: 0n }, 1_000_000n)).toBe(false);
    expect(belowMinValid({ windows: 5n, misses: 5n }, 0n)).toBe(false);
  });
});

describe("miss params", () => {
  it("are validated, naming the field", () => {
    expect(() => validateOracleParams({ minValidPerWindowPpm: "1000001" })).toThrow(/minValidPerWindowPpm/);
    expect(() => validateOracleParams({ missSlashFractionPpm: "-1" })).toThrow(/missSlashFractionPpm/);
    expect(() => validateOracleParams({ outlierBandPpm: "x" })).toThrow(/outlierBandPpm/);
    expect(() => validateOracleParams({ windowSeconds: "900", slashWindowSeconds: "899" })).toThrow(
      /slashWindowSeconds: must be at least windowSeconds/,
    );
    expect(validateOracleParams({}).slashWindowSeconds).toBe(604_800n);
  });
});
