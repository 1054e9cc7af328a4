import { describe, expect, it } from "vitest";
import { WindowQuota } from "./windowQuota.js";

describe("WindowQuota", () => {
  it("allows up to the quota per key per window, releases, and starts over in the next window", () => {
    let t = 0;
    const q = new WindowQuota({ perWindow: 10, windowMs: 100, now: () => t });
    expect(q.reserve("a", 6).ok).toBe(true);
    expect(q.reserve("a", 5)).toMatchObject({ ok: false, used: 6, retryAfterMs: 100 });
    expect(q.reserve("b", 10).ok).toBe(true);
    q.release("a", 6);
    expect(q.reserve("a", 10).ok).toBe(true);
    t = 100;
    expect(q.reserve("a", 10).ok).toBe(true);
  });

  it("keeps at most maxKeys keys (oldest forgotten first) and is off at 0", () => {
    const q = new WindowQuota({ perWindow: 1, windowMs: 1e9, maxKeys: 2, now: () => 0 });
    for (const k of ["a", "b", "c"]) expect(q.reserve(k, 1).ok).toBe(true);
    expect(q.reserve("a", 1).ok).toBe(true); // "a" was forgotten to make room for "c"
    expect(new WindowQuota({ perWindow: 0, windowMs: 1 }).reserve("x", 1e12).ok).toBe(true);
  });
});
