import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareWriteKeys, envelopeWriteKey } from "./writeKey.js";

describe("write keys", () => {
  it("order by height, then tie bytes exactly as Buffer.compare does (prefixes first)", () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 5n }),
        fc.bigInt({ min: 0n, max: 5n }),
        fc.uint8Array({ maxLength: 6 }),
        fc.uint8Array({ maxLength: 6 }),
        (h1, h2, t1, t2) => {
          const want = h1 !== h2 ? (h1 < h2 ? -1 : 1) : Buffer.compare(Buffer.from(t1), Buffer.from(t2));
          expect(compareWriteKeys({ height: h1, tie: t1 }, { height: h2, tie: t2 })).toBe(want);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("tie = publisher ‖ uint64be(sequence), for every sequence size", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (pub, seq) => {
          const want = new Uint8Array(40);
          want.set(pub);
          new DataView(want.buffer).setBigUint64(32, seq);
          expect(envelopeWriteKey(pub, seq, 3n)).toEqual({ height: 3n, tie: want });
        },
      ),
      { numRuns: 2000 },
    );
    const pub = new Uint8Array(32).fill(9);
    for (const seq of [1n, 255n, 256n, (1n << 32n) - 1n, 1n << 32n, (1n << 53n) - 1n, 1n << 53n, (1n << 64n) - 1n]) {
      const want = new Uint8Array(40);
      want.set(pub);
      new DataView(want.buffer).setBigUint64(32, seq);
      expect(envelopeWriteKey(pub, seq, 0n).tie).toEqual(want);
    }
  });
});
