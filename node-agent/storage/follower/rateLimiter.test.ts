import { describe, expect, it } from "vitest";
import { ByteRateLimiter } from "./rateLimiter.js";

describe("ByteRateLimiter", () => {
  it("lets a burst of one second through, then makes transfers wait for the deficit", async () => {
    let now = 0;
    const waits: number[] = [];
    const l = new ByteRateLimiter(
      1000,
      () => now,
      async (ms) => {
        waits.push(ms);
      },
    );
    await l.take(1000); // the initial bucket
    expect(waits).toEqual([]);
    await l.take(100); // 100 bytes over at 1000 B/s
    expect(waits).toEqual([100]);
    now = 5000; // refills, but never beyond one second's worth
    await l.take(900);
    expect(waits).toEqual([100]);
    await l.take(200);
    expect(waits).toEqual([100, 100]);
  });

  it("is off when the rate is 0", async () => {
    const l = new ByteRateLimiter(0, Date.now, async () => {
      throw new Error("must not wait");
    });
    await l.take(1e12);
  });
});
