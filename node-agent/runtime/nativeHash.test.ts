import { sha256 } from "@noble/hashes/sha2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nativeSha256 } from "./nativeHash.js";

const concat = (parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

describe("native SHA-256 (reused concatenation buffers)", () => {
  it("equals noble over any split of any message, small and past the reuse limit", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 1500 }), { maxLength: 4 }), (parts) => {
        const got = nativeSha256(...parts);
        expect(got).toBeInstanceOf(Uint8Array);
        expect(Buffer.from(got).toString("hex")).toBe(Buffer.from(sha256(concat(parts))).toString("hex"));
      }),
      { numRuns: 300 },
    );
  });

  it("a digest is not changed by later hashes of the same length (no aliasing of the reused buffer)", () => {
    const a = [new Uint8Array([1]), new Uint8Array(32).fill(7), new Uint8Array(32).fill(9)];
    const b = [new Uint8Array([1]), new Uint8Array(32).fill(8), new Uint8Array(32).fill(9)];
    const first = nativeSha256(...a);
    const copy = first.slice();
    const second = nativeSha256(...b);
    expect(first).toEqual(copy);
    expect(second).not.toEqual(first);
    expect(first).toEqual(sha256(concat(a)));
  });
});
