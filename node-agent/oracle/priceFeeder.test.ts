// The price feeder and dsdnd's reader of its file: deterministic simulated feed, file source, a failing
// source writes nothing, and an old or broken reading counts as "no price" (an empty vote extension).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { pollPriceFile } from "../../clients/dsdnd/priceSource.js";
import { formatPriceFile, parsePriceFile, parseUsd } from "../../common/priceFile.js";
import { feedOnce, filePrice, simulatedPrice } from "./priceFeeder.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "feeder-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("price sources", () => {
  it("parses decimal USD exactly and refuses anything else", () => {
    expect(parseUsd("0.05")).toBe(50_000_000n);
    expect(parseUsd(" 12\n")).toBe(12_000_000_000n);
    expect(parseUsd("0.000000001")).toBe(1n);
    for (const bad of ["", "-1", "1e3", "0.0000000001", "abc", "1,5"]) expect(() => parseUsd(bad)).toThrow();
  });
  it("the simulated feed is a function of time, within ±amplitude of the base", () => {
    const f = { baseNanoUsd: 50_000_000n, amplitudePpm: 100_000n, periodSeconds: 600n };
    expect(simulatedPrice(f, 1_000_000n)).toBe(simulatedPrice(f, 1_000_000n));
    for (let t = 0n; t < 1200n; t += 7n) {
      const p = simulatedPrice(f, t);
      expect(p >= 45_000_000n && p <= 55_000_000n).toBe(true);
    }
    expect(simulatedPrice(f, 0n)).toBe(45_000_000n);
    expect(simulatedPrice(f, 300n)).toBe(55_000_000n);
  });
  it("feeds the file's price; a broken source writes nothing", async () => {
    const d = tmp();
    writeFileSync(join(d, "usd.txt"), "0.07\n");
    const out = join(d, "price.json");
    const log: string[] = [];
    await feedOnce({
      source: () => filePrice(join(d, "usd.txt")),
      out,
      intervalMs: 1000,
      log: (l) => log.push(l),
      now: () => 5_000,
    });
    expect(parsePriceFile(readFileSync(out, "utf8"))).toEqual({ priceNanoUsd: 70_000_000n, at: 5 });
    writeFileSync(join(d, "usd.txt"), "seventy cents");
    await feedOnce({
      source: () => filePrice(join(d, "usd.txt")),
      out,
      intervalMs: 1000,
      log: (l) => log.push(l),
      now: () => 9_000,
    });
    expect(parsePriceFile(readFileSync(out, "utf8")).at).toBe(5); // unchanged
    expect(log.join("\n")).toMatch(/no price this round/);
  });
});

describe("dsdnd's price file poller", () => {
  it("answers the fresh reading, and nothing once it is older than the limit or broken", async () => {
    const d = tmp();
    const f = join(d, "price.json");
    writeFileSync(f, formatPriceFile({ priceNanoUsd: 42n, at: 100 }));
    let now = 110_000;
    const p = pollPriceFile(f, { intervalMs: 20, maxAgeSeconds: 30, now: () => now });
    try {
      // The poller reads asynchronously (a thread-pool read): wait for its first read, not a fixed 60 ms a loaded
      // machine can miss.
      await vi.waitFor(() => expect(p.latest()).toBe(42n), { timeout: 10_000, interval: 10 });
      now = 130_000; // exactly 30 s old: still fresh
      expect(p.latest()).toBe(42n);
      now = 131_000;
      expect(p.latest()).toBeUndefined();
      now = 110_000;
      writeFileSync(f, "{not json");
      await vi.waitFor(() => expect(p.latest()).toBeUndefined(), { timeout: 10_000, interval: 10 });
    } finally {
      p.stop();
    }
  });
  it("refuses malformed readings", () => {
    for (const bad of [
      '{"priceNanoUsd":"0","at":1}',
      '{"priceNanoUsd":5,"at":1}',
      '{"priceNanoUsd":"5","at":-1}',
      "x".repeat(5000),
    ])
      expect(() => parsePriceFile(bad)).toThrow();
  });
});
