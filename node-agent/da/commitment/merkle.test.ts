/** @module The index-folding merkleRoot against a direct transcription of RFC 6962 §2.1 (and CometBFT's fixed vectors). */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toHex } from "../../../common/hash.js";
import { merkleRoot } from "./merkle.js";

/** RFC 6962 MTH, written as the RFC states it (slices, recursion, a Hash object per node). */
function reference(items: readonly Uint8Array[]): Uint8Array {
  const h = (...parts: Uint8Array[]) => {
    const x = createHash("sha256");
    for (const p of parts) x.update(p);
    return new Uint8Array(x.digest());
  };
  if (items.length === 0) return h();
  if (items.length === 1) return h(Uint8Array.of(0), items[0]!);
  let k = 1;
  while (k * 2 < items.length) k *= 2;
  return h(Uint8Array.of(1), reference(items.slice(0, k)), reference(items.slice(k)));
}

describe("merkleRoot", () => {
  it("equals RFC 6962's definition for any list of leaves (sizes 0–300, leaves of uneven length)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 96 }), { maxLength: 300 }), (items) => {
        expect(toHex(merkleRoot(items))).toBe(toHex(reference(items)));
      }),
      { numRuns: 150 },
    );
  });

  it("matches CometBFT's HashFromByteSlices on the empty list and one empty leaf", () => {
    expect(toHex(merkleRoot([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(toHex(merkleRoot([new Uint8Array(0)]))).toBe(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    );
  });

  it("does not let one leaf's bytes leak into the next (a long leaf followed by a short one)", () => {
    const long = new Uint8Array(64).fill(0xaa);
    const short = Uint8Array.of(1);
    expect(toHex(merkleRoot([long, short]))).toBe(toHex(reference([long, short])));
    expect(toHex(merkleRoot([long, short]))).not.toBe(toHex(merkleRoot([long, new Uint8Array(64).fill(0xaa)])));
  });
});
