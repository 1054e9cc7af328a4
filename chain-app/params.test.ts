/** The remembered params decoder: same bytes give the same frozen answer, other bytes are decoded anew. */
import { describe, expect, it } from "vitest";
import { lastDecoded } from "./params.js";

describe("lastDecoded", () => {
  it("decodes equal bytes once, other bytes again, and hands out frozen values", () => {
    let calls = 0;
    const decode = lastDecoded((raw) => {
      calls++;
      return { n: raw ? raw.length : 0, list: [raw?.[0] ?? 0] };
    });
    const raw = Uint8Array.of(1, 2, 3);
    const a = decode(raw);
    expect(decode(Uint8Array.of(1, 2, 3))).toBe(a);
    expect(calls).toBe(1);
    // The caller's buffer changing afterwards does not make stale bytes match.
    raw[0] = 9;
    expect(decode(raw).list[0]).toBe(9);
    expect(calls).toBe(2);
    expect(decode(undefined).n).toBe(0);
    expect(decode(undefined)).toBe(decode(undefined));
    expect(calls).toBe(3);
    const v = decode(Uint8Array.of(5));
    expect(() => {
      (v as { n: number }).n = 1;
    }).toThrow(TypeError);
    expect(() => v.list.push(1)).toThrow(TypeError);
  });
});
