/** Server-Timing from a member is read bounded: malformed or oversized headers yield at most 32 sane entries. */
import { describe, expect, it } from "vitest";
import { parseServerTiming, StageTimer } from "./stages.js";

describe("stage timings", () => {
  it("round-trips a timer through the header", () => {
    const t = new StageTimer();
    t.mark("check");
    t.mark("spend");
    const back = parseServerTiming(t.serverTiming());
    expect(back.map((s) => s.name)).toEqual(["check", "spend"]);
    expect(back.every((s) => s.ms >= 0 && s.cpuMs >= 0)).toBe(true);
  });

  it("drops malformed entries and bounds the count", () => {
    expect(parseServerTiming('a;dur=-1, "x";dur=2, b;dur=abc, c, d;dur=1.5')).toEqual([
      { name: "d", ms: 1.5, cpuMs: 0 },
    ]);
    expect(parseServerTiming("e;dur=2;cpu=0.5")).toEqual([{ name: "e", ms: 2, cpuMs: 0.5 }]);
    expect(parseServerTiming(Array.from({ length: 1000 }, (_, i) => `s${i};dur=1`).join(","))).toHaveLength(32);
    expect(parseServerTiming(undefined)).toEqual([]);
  });
});
