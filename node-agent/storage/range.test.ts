import { describe, expect, it } from "vitest";
import { parseRange } from "./range.js";

describe("parseRange", () => {
  it("parses the three single-range forms", () => {
    expect(parseRange("bytes=0-9", 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange("bytes=90-", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=-10", 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange("bytes=50-1000", 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange("bytes=-1000", 100)).toEqual({ start: 0, end: 99 });
  });
  it("returns null without a header", () => {
    expect(parseRange(undefined, 100)).toBeNull();
  });
  it("ignores (null: serve it all) unknown range units and multiple ranges, as RFC 9110 §14.2 says", () => {
    for (const h of ["items=0-1", "pages=1", "none", "bytes=0-1,4-5"]) expect(parseRange(h, 100)).toBeNull();
    expect(parseRange("BYTES=0-1", 100)).toEqual({ start: 0, end: 1 });
  });
  it("marks malformed and out-of-bounds ranges unsatisfiable", () => {
    for (const h of ["bytes=100-", "bytes=5-2", "bytes=-0", "bytes=-", "bytes=a-b"]) {
      expect(parseRange(h, 100)).toBe("unsatisfiable");
    }
    expect(parseRange("bytes=0-0", 0)).toBe("unsatisfiable");
  });
});
