/** @module Latency histogram quantiles and counters. */
import { describe, expect, it } from "vitest";
import { DAMetrics, LatencyHistogram } from "./metrics.js";

describe("LatencyHistogram", () => {
  it("counts, sums and estimates quantiles by bucket", () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 90; i++) h.observe(3);
    for (let i = 0; i < 10; i++) h.observe(700, false);
    const s = h.snapshot();
    expect(s.count).toBe(100);
    expect(s.errors).toBe(10);
    expect(s.minMs).toBe(3);
    expect(s.maxMs).toBe(700);
    expect(s.p50Ms).toBe(5); // upper bound of the bucket holding the median
    expect(s.p99Ms).toBe(700);
    expect(s.buckets["5"]).toBe(90);
    expect(s.buckets["+Inf"]).toBe(100);
  });
  it("DAMetrics tracks per-method histograms and request/error counters", () => {
    const m = new DAMetrics();
    m.observe("blob.Get", 2, true);
    m.observe("blob.Get", 4, false);
    const s = m.snapshot();
    expect(s.methods["blob.Get"]!.count).toBe(2);
    expect(s.counters.requests).toBe(2);
    expect(s.counters.errors).toBe(1);
  });
});
