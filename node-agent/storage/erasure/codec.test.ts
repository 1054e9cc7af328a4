import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../../common/cid.js";
import {
  decodeShards,
  decodeStripe,
  encodeShards,
  encodeStripe,
  parseErasure,
  rebuildShards,
  rebuildStripe,
  shardObjectSize,
  shardSize,
} from "./codec.js";

/** A random subset of `want` indices out of 0..n-1, chosen by the shuffle `keys`. */
function pick(n: number, want: number, keys: readonly number[]): number[] {
  return Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => (keys[a]! - keys[b]! !== 0 ? keys[a]! - keys[b]! : a - b))
    .slice(0, want);
}

/** Deterministic bytes (xorshift32), so the golden digests below need no fixture files. */
function pseudoRandom(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/**
 * SHA-256 over the k+m shards of a chunk, recorded from @ronomon/reed-solomon 6.0.0 as first shipped: stored
 * shards must decode on every node forever, so any change of library, word size or blocking must keep these.
 * 16 MiB with k = 10 is the default chunk and code (odd packet size inside the codec); 4+2 needs no padding.
 */
const GOLDEN: readonly (readonly [number, number, number, string])[] = [
  [1, 1, 1, "19de317d184f7b6ae2d5ace1661fa3c918dcfe2a68dca265c22abe8cb9fe2847"],
  [1000, 4, 2, "07e4327b42fc4d0db895684e0a4088444bf9d20b411cf3199e2a763698c45b2f"],
  [16777216, 10, 4, "61e937a72aa7984df51e88fbe09edd034fe9b5d68fa3612c75b2151133f3573f"],
  [16777216, 4, 2, "aff1451d1c56ff047d377236cb26fd07e17c5e62b2d967b48038032d669161f7"],
  [3000001, 10, 4, "b51331f20755d5dbfb1b0b07a3e11463607a5326cd9057907f7ca99033108d6a"],
  [65536, 12, 6, "202e904cf38ddf3ad527d865d2e16be829b511865056370d6e05b6cee4d492a2"],
];

describe("Reed–Solomon codec", () => {
  it.each(GOLDEN)("the shard format is fixed: %i bytes as %i+%i hash to the recorded digest", async (n, k, m, want) => {
    const chunk = pseudoRandom(n, n + k + m);
    const shards = await encodeShards(chunk, { k, m });
    const h = createHash("sha256");
    for (const s of shards) h.update(s);
    expect(h.digest("hex")).toBe(want);
    // The worst decode (the first m data shards lost) gives the chunk back, bit for bit.
    const survivors = new Map<number, Uint8Array>();
    for (let i = m; i < k + m; i++) survivors.set(i, shards[i]!);
    expect((await decodeShards(survivors, { k, m }, n)).equals(chunk)).toBe(true);
  });

  it("any k of the k+m shards decode to the chunk (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 6 }),
        fc.uint8Array({ minLength: 1, maxLength: 5000 }),
        fc.array(fc.integer(), { minLength: 18, maxLength: 18 }),
        async (k, m, chunk, keys) => {
          const p = { k, m };
          const shards = await encodeShards(chunk, p);
          expect(shards).toHaveLength(k + m);
          for (const s of shards) expect(s.length).toBe(shardSize(chunk.length, k));
          const keep = pick(k + m, k, keys);
          const out = await decodeShards(new Map(keep.map((i) => [i, Uint8Array.from(shards[i]!)])), p, chunk.length);
          expect(Buffer.from(out).equals(Buffer.from(chunk))).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("rebuilds lost shards bit for bit from any k others (what repair stores)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.array(fc.integer(), { minLength: 6, maxLength: 6 }),
        async (chunk, keys) => {
          const p = { k: 4, m: 2 };
          const shards = await encodeShards(chunk, p);
          const order = pick(6, 6, keys);
          const lost = order.slice(0, 2);
          const have = new Map(order.slice(2).map((i) => [i, Uint8Array.from(shards[i]!)]));
          const rebuilt = await rebuildShards(have, p, chunk.length, lost);
          for (const [j, i] of lost.entries()) expect(Buffer.from(rebuilt[j]!).equals(shards[i]!)).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("k−1 shards are refused, and so are shards of the wrong size or index", async () => {
    const chunk = Buffer.from("erasure coded chunk ".repeat(50));
    const shards = await encodeShards(chunk, { k: 4, m: 2 });
    const three = new Map([0, 2, 5].map((i) => [i, shards[i]!]));
    await expect(decodeShards(three, { k: 4, m: 2 }, chunk.length)).rejects.toThrow(/only 3 of the 4 shards/);
    const short = new Map([0, 1, 2, 3].map((i) => [i, shards[i]!.subarray(0, 8)]));
    await expect(decodeShards(short, { k: 4, m: 2 }, chunk.length)).rejects.toThrow(/shard 0 is 8 bytes/);
    const bad = new Map([0, 1, 2, 6].map((i) => [i, shards[i % 6]!]));
    await expect(decodeShards(bad, { k: 4, m: 2 }, chunk.length)).rejects.toThrow(/shard index 6 outside/);
  });

  it("a substituted shard decodes to different bytes (why every shard's CID is checked before decoding)", async () => {
    const chunk = Buffer.alloc(4096, 7);
    const shards = await encodeShards(chunk, { k: 4, m: 2 });
    const forged = Buffer.from(shards[4]!);
    forged[0]! ^= 1;
    const out = await decodeShards(
      new Map([
        [0, shards[0]!],
        [1, shards[1]!],
        [2, shards[2]!],
        [4, forged],
      ]),
      { k: 4, m: 2 },
      chunk.length,
    );
    expect(out.equals(chunk)).toBe(false);
  });

  it("parses k+m and refuses what the codec cannot do", () => {
    expect(parseErasure("10+4")).toEqual({ k: 10, m: 4 });
    expect(parseErasure(" 4+2 ")).toEqual({ k: 4, m: 2 });
    expect(() => parseErasure("4-2")).toThrow(/k\+m/);
    expect(() => parseErasure("0+2")).toThrow(/k must be/);
    expect(() => parseErasure("4+0")).toThrow(/m must be/);
    expect(() => parseErasure("30+2")).toThrow(/k must be/);
    expect(() => parseErasure("4+9")).toThrow(/m must be/);
  });
});

describe("stored shard objects", () => {
  it("equal shards (zero padding, zero runs) still get distinct objects, and a shard in the wrong slot is refused", async () => {
    const chunk = Buffer.alloc(5000); // all zeros: every data shard has the same bytes
    const cid = cidForBytes(chunk);
    const p = { k: 4, m: 2 };
    const objects = await encodeStripe(chunk, cid, p);
    expect(new Set(objects.map((o) => cidForBytes(o))).size).toBe(6);
    for (const o of objects) expect(o.length).toBe(shardObjectSize(chunk.length, 4));
    const have = new Map([1, 2, 4, 5].map((i) => [i, objects[i]!]));
    expect((await decodeStripe(have, cid, p, chunk.length)).equals(chunk)).toBe(true);
    const rebuilt = await rebuildStripe(have, cid, p, chunk.length, [0, 3]);
    expect(rebuilt[0]!.equals(objects[0]!)).toBe(true);
    expect(rebuilt[1]!.equals(objects[3]!)).toBe(true);
    const swapped = new Map([
      [1, objects[2]!],
      [2, objects[1]!],
      [4, objects[4]!],
      [5, objects[5]!],
    ]);
    await expect(decodeStripe(swapped, cid, p, chunk.length)).rejects.toThrow(/does not belong at position 1/);
    const other = cidForBytes(Buffer.from("another chunk"));
    await expect(decodeStripe(have, other, p, chunk.length)).rejects.toThrow(/does not belong/);
  });
});
