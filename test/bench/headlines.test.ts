/** @module The Tahap 27 report: recorded headlines land under their item with the right verdict, in BENCHMARKS.md. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { recordHeadlines, verdict } from "../../bench/headlines.js";

const root = mkdtempSync(join(tmpdir(), "dsdn-headlines-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("benchmark headlines and the Tahap 27 report", () => {
  it("judges a figure against a max, a min, both, or no target", () => {
    const h = { item: "Oracle", figure: "x", unit: "s" } as const;
    expect(verdict({ ...h, value: 59, target: { max: 60, source: "t" } })).toBe("met");
    expect(verdict({ ...h, value: 60, target: { max: 60, source: "t" } })).toBe("met");
    expect(verdict({ ...h, value: 61, target: { max: 60, source: "t" } })).toContain("not met");
    expect(verdict({ ...h, value: 99_999, target: { min: 100_000, source: "t" } })).toContain("not met");
    expect(verdict({ ...h, value: 5, target: { min: 1, max: 10, source: "t" } })).toBe("met");
    expect(verdict({ ...h, value: 5 })).toBe("");
  });

  it("writes each benchmark's figures into one report section, replacing a benchmark's earlier figures", () => {
    writeFileSync(join(root, "BENCHMARKS.md"), "# Benchmarks\n\nintro\n\n## Other\n\nkept\n");
    recordHeadlines(
      "tss",
      [
        {
          item: "TSS signing (FROST)",
          figure: "p50",
          value: 612.4,
          unit: "ms",
          target: { max: 500, source: "Tahap 27: < 500 ms" },
        },
      ],
      root,
    );
    recordHeadlines(
      "da-fallback",
      [
        {
          item: "DA fallback",
          figure: "failover",
          value: 2.4,
          unit: "s",
          target: { max: 300, source: "Tahap 27: < 5 min" },
        },
      ],
      root,
    );
    recordHeadlines(
      "tss",
      [
        {
          item: "TSS signing (FROST)",
          figure: "p50",
          value: 41.5,
          unit: "ms",
          target: { max: 500, source: "Tahap 27: < 500 ms" },
        },
      ],
      root,
    );
    const md = readFileSync(join(root, "BENCHMARKS.md"), "utf8");
    expect(md.match(/<!-- bench:tahap27:begin -->/g)).toHaveLength(1);
    expect(md).toContain("## Other\n\nkept");
    const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| item") && !l.startsWith("| ---"));
    expect(rows).toHaveLength(2);
    // Report order follows Tahap 27's list: DA fallback before TSS.
    expect(rows[0]).toMatch(
      /^\| DA fallback \| failover \| 2\.4 s \| ≤ 300 s \(Tahap 27: < 5 min\) \| met \| `da-fallback`/,
    );
    expect(rows[1]).toMatch(/^\| TSS signing \(FROST\) \| p50 \| 41\.5 ms \| .* \| met \|/);
    expect(md).not.toContain("612");
    expect(md).toContain("No figure recorded yet for:");
    const saved = JSON.parse(readFileSync(join(root, "bench/results/tss.json"), "utf8"));
    expect(saved.headlines[0].value).toBe(41.5);
    expect(typeof saved.load1).toBe("number");
  });

  it("refuses a figure that is not a number", () => {
    expect(() =>
      recordHeadlines("x", [{ item: "Oracle", figure: "latency", value: Number.NaN, unit: "s" }], root),
    ).toThrow(/not a finite number/);
  });
});
