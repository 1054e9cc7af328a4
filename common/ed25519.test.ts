/**
 * The OpenSSL fast paths (off-chain acks) against noble's: signing gives the same bytes, and native verification
 * refuses what was altered or has the wrong length.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ed25519KeyPair, ed25519Sign, ed25519SignNative, ed25519Verify, ed25519VerifyNative } from "./ed25519.js";

const seed = fc.uint8Array({ minLength: 32, maxLength: 32 });
const message = fc.uint8Array({ maxLength: 200 });

describe("ed25519 native (OpenSSL) paths", () => {
  it("sign the same bytes as noble", () => {
    fc.assert(
      fc.property(seed, message, (s, m) => {
        expect(Buffer.from(ed25519SignNative(m, s))).toEqual(Buffer.from(ed25519Sign(m, s)));
      }),
    );
  });

  it("accept every honest signature noble accepts", () => {
    fc.assert(
      fc.property(seed, message, (s, m) => {
        const { publicKey } = ed25519KeyPair(s);
        const sig = ed25519Sign(m, s);
        expect(ed25519VerifyNative(sig, m, publicKey)).toBe(true);
        expect(ed25519Verify(sig, m, publicKey)).toBe(true);
      }),
    );
  });

  it("refuse altered signatures, keys and messages", () => {
    const where = fc.record({
      part: fc.constantFrom("sig", "key", "msg"),
      at: fc.nat(),
      xor: fc.integer({ min: 1, max: 255 }),
    });
    fc.assert(
      fc.property(seed, message, where, (s, m, w) => {
        const { publicKey } = ed25519KeyPair(s);
        const sig = Uint8Array.from(ed25519Sign(m, s));
        const key = Uint8Array.from(publicKey);
        const msg = Uint8Array.from([...m, 0]);
        const target = w.part === "sig" ? sig : w.part === "key" ? key : msg;
        target[w.at % target.length]! ^= w.xor;
        expect(ed25519VerifyNative(sig, msg, key)).toBe(false);
      }),
    );
  });

  it("refuse wrong lengths and the all-zero key without throwing", () => {
    const { publicKey } = ed25519KeyPair(new Uint8Array(32).fill(1));
    const sig = ed25519Sign(new Uint8Array([1]), new Uint8Array(32).fill(1));
    expect(ed25519VerifyNative(sig.subarray(0, 63), new Uint8Array([1]), publicKey)).toBe(false);
    expect(ed25519VerifyNative(sig, new Uint8Array([1]), publicKey.subarray(0, 31))).toBe(false);
    expect(ed25519VerifyNative(new Uint8Array(64), new Uint8Array([1]), new Uint8Array(32))).toBe(false);
    expect(() => ed25519SignNative(new Uint8Array([1]), new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
