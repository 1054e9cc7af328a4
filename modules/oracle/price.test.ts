// Oracle arithmetic at its edges: weighted median, ±20% clamp, staleness at exactly 1 h, USD -> NUSA.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { boundedPrice, clampChange, formatUsd, isStale, usdToUnusa, weightedMedian } from "./price.js";

const wp = (price: bigint, weight: bigint) => ({ price, weight });

describe("weightedMedian", () => {
  it("is the price where half the weight is reached, not the count median", () => {
    expect(weightedMedian([wp(10n, 1n), wp(20n, 1n), wp(30n, 1n)])).toBe(20n);
    // One validator with 60% of the stake decides, whatever the other two say.
    expect(weightedMedian([wp(10n, 20n), wp(20n, 20n), wp(99n, 60n)])).toBe(99n);
    // Exactly half: the lower price (cumulative weight reaches half there).
    expect(weightedMedian([wp(10n, 50n), wp(20n, 50n)])).toBe(10n);
    expect(weightedMedian([wp(10n, 49n), wp(20n, 51n)])).toBe(20n);
  });
  it("ignores reports without weight or price, and has no answer without any", () => {
    expect(weightedMedian([])).toBeUndefined();
    expect(weightedMedian([wp(10n, 0n)])).toBeUndefined();
    expect(weightedMedian([wp(0n, 100n), wp(7n, 1n)])).toBe(7n);
  });
  it("does not depend on the order of reports", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ price: fc.bigInt(1n, 10n ** 12n), weight: fc.bigInt(1n, 10n ** 6n) }), {
          minLength: 1,
          maxLength: 20,
        }),
        (rs) => {
          const m = weightedMedian(rs);
          expect(weightedMedian([...rs].reverse())).toBe(m);
          // A minority below half the weight can never push the median outside the majority's range.
          const prices = rs.map((r) => r.price);
          expect(m! >= prices.reduce((a, b) => (a < b ? a : b))).toBe(true);
          expect(m! <= prices.reduce((a, b) => (a > b ? a : b))).toBe(true);
        },
      ),
    );
  });
});

describe("clampChange (±20% per period)", () => {
  it("passes moves within the band and stops at its edges exactly", () => {
    expect(clampChange(100n, 120n, 200_000n)).toBe(120n);
    expect(clampChange(100n, 121n, 200_000n)).toBe(120n);
    expect(clampChange(100n, 80n, 200_000n)).toBe(80n);
    expect(clampChange(100n, 79n, 200_000n)).toBe(80n);
    expect(clampChange(100n, 10n ** 18n, 200_000n)).toBe(120n);
    expect(clampChange(100n, 1n, 200_000n)).toBe(80n);
  });
  it("takes the first price as is", () => {
    expect(clampChange(0n, 12345n, 200_000n)).toBe(12345n);
  });
  it("never freezes a tiny price: below 5 nano-USD 20% rounds to 0, yet honest reports still move it a unit", () => {
    // A majority that drove the price down to 4 nano-USD (the floor only bounds conversions) would otherwise
    // leave it there for good once it stopped: no honest median could ever move it again.
    expect(clampChange(4n, 50_000_000n, 200_000n)).toBe(5n);
    expect(clampChange(4n, 1n, 200_000n)).toBe(3n);
    expect(clampChange(1n, 50_000_000n, 200_000n)).toBe(2n);
    expect(clampChange(4n, 4n, 200_000n)).toBe(4n);
    expect(clampChange(4n, 50_000_000n, 0n)).toBe(4n); // 0 ppm: the price is held, as the param says
  });
});

describe("isStale", () => {
  it("is fresh at exactly 1 h and stale one second later", () => {
    expect(isStale(1000n, 1000n + 3600n, 3600n)).toBe(false);
    expect(isStale(1000n, 1000n + 3601n, 3600n)).toBe(true);
  });
});

describe("conversion", () => {
  it("converts USD to unusa at the bounded price, rounding up", () => {
    // $1 at $0.05/NUSA = 20 NUSA = 20 000 000 unusa.
    expect(usdToUnusa(1_000_000_000n, 50_000_000n)).toBe(20_000_000n);
    // 1 nano-USD at $3/NUSA: a third of a unusa, charged as one.
    expect(usdToUnusa(1n, 3_000_000_000n)).toBe(1n);
    expect(usdToUnusa(0n, 3n)).toBe(0n);
    expect(() => usdToUnusa(1n, 0n)).toThrow();
    expect(boundedPrice(5n, 10n, 100n)).toBe(10n);
    expect(boundedPrice(500n, 10n, 100n)).toBe(100n);
    expect(boundedPrice(50n, 10n, 100n)).toBe(50n);
    expect(formatUsd(50_000_000n)).toBe("0.050000000");
    expect(formatUsd(12_345_000_000_001n)).toBe("12345.000000001");
  });
});
