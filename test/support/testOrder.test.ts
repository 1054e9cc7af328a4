/** @module Tests of the test-file order (longest first) and of building test/durations.json from vitest output. */
import { describe, expect, it } from "vitest";
import { durationsFromReport, mergeDurations, parseTable } from "./durationTable.js";
import { estimateSeconds, longestFirst, makespan, type TestFile, vitestCleanCloneOrder } from "./testOrder.js";

const f = (path: string, bytes: number, project = path.startsWith("test/") ? "e2e" : "unit"): TestFile => ({
  path,
  project,
  bytes,
});

describe("longestFirst", () => {
  it("puts a small but slow file before large quick ones (what size order gets wrong)", () => {
    const files = [f("test/big.test.ts", 90_000), f("test/slow.test.ts", 5_000), f("test/mid.test.ts", 40_000)];
    const table = { "test/big.test.ts": 20, "test/slow.test.ts": 500, "test/mid.test.ts": 100 };
    expect(longestFirst(files, table).map((x) => x.path)).toEqual([
      "test/slow.test.ts",
      "test/mid.test.ts",
      "test/big.test.ts",
    ]);
    expect(vitestCleanCloneOrder(files)[0]?.path).toBe("test/big.test.ts");
  });

  it("estimates an unmeasured file from its own project's seconds per byte, not the other project's", () => {
    const files = [
      f("test/a.test.ts", 10_000),
      f("test/b.test.ts", 20_000),
      f("mod/x.test.ts", 10_000),
      f("test/new.test.ts", 15_000),
      f("mod/new.test.ts", 15_000),
    ];
    const table = { "test/a.test.ts": 100, "test/b.test.ts": 200, "mod/x.test.ts": 1 };
    const est = estimateSeconds(files, table);
    expect(est.get("test/new.test.ts")).toBeCloseTo(150);
    expect(est.get("mod/new.test.ts")).toBeCloseTo(1.5);
    expect(longestFirst(files, table).map((x) => x.path)).toEqual([
      "test/b.test.ts",
      "test/new.test.ts",
      "test/a.test.ts",
      "mod/new.test.ts",
      "mod/x.test.ts",
    ]);
  });

  it("with nothing measured orders by size, ties by path whatever the input order", () => {
    const files = [f("b.test.ts", 10), f("c.test.ts", 30), f("a.test.ts", 10)];
    const want = ["c.test.ts", "a.test.ts", "b.test.ts"];
    expect(longestFirst(files, {}).map((x) => x.path)).toEqual(want);
    expect(longestFirst([...files].reverse(), {}).map((x) => x.path)).toEqual(want);
  });
});

describe("makespan", () => {
  it("models a FIFO pool: a long file started last stretches the run", () => {
    expect(makespan([1, 1, 1, 1, 4], 2)).toBe(6);
    expect(makespan([4, 1, 1, 1, 1], 2)).toBe(4);
    expect(() => makespan([1], 0)).toThrow();
  });
});

describe("durationsFromReport / mergeDurations", () => {
  const root = "/repo";
  it("reads vitest's JSON reporter output (ms, absolute paths) into seconds by relative path", () => {
    const report = { testResults: [{ name: "/repo/test/e2e/gov.test.ts", startTime: 1_000, endTime: 217_050 }] };
    expect(durationsFromReport(report, root)).toEqual({ "test/e2e/gov.test.ts": 216.1 });
  });

  it("reads vitest's results cache (project:path keys, ms)", () => {
    const cache = { version: "4", results: [["unit:modules/a.test.ts", { duration: 34_390.6, failed: false }]] };
    expect(durationsFromReport(cache, root)).toEqual({ "modules/a.test.ts": 34.4 });
  });

  it("refuses a file that is neither, rather than emptying the table", () => {
    expect(() => durationsFromReport({ foo: 1 }, root)).toThrow(/not a vitest JSON report/);
    expect(() => durationsFromReport(null, root)).toThrow();
  });

  it("keeps old entries, takes fresh ones, drops files that are gone, sorts keys", () => {
    const merged = mergeDurations({ "b.ts": 1, "gone.ts": 9, "a.ts": 5 }, { "a.ts": 7 }, (p) => p !== "gone.ts");
    expect(Object.entries(merged)).toEqual([
      ["a.ts", 7],
      ["b.ts", 1],
    ]);
  });

  it("ignores entries that are not finite non-negative seconds", () => {
    expect(parseTable({ "a.ts": 3, "b.ts": -1, "c.ts": "9", "d.ts": Number.NaN })).toEqual({ "a.ts": 3 });
    expect(parseTable([1, 2])).toEqual({});
  });
});
