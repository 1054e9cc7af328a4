/**
 * The verified-signature cache: a triple is served only when sign bytes, key and signature are all
 * the ones verified; failures are not remembered; the cache stays within its bound.
 */
import { SignDoc } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { describe, expect, it } from "vitest";
import { concat } from "../../../chain-app/encoding.js";
import { fromHex } from "../../../common/hash.js";
import { secp256k1KeyPair, secp256k1Sign } from "../../../common/secp256k1.js";
import { SigVerifyCache } from "./sigCache.js";

const alice = secp256k1KeyPair(fromHex("51".repeat(32)));
const bob = secp256k1KeyPair(fromHex("52".repeat(32)));

const signBytes = (accountNumber: bigint, chainId = "nusa-test-1") =>
  SignDoc.encode({
    bodyBytes: Uint8Array.of(1, 2, 3),
    authInfoBytes: Uint8Array.of(4, 5, 6),
    chainId,
    accountNumber,
  }).finish();

describe("SigVerifyCache", () => {
  it("verifies a triple once and serves the same triple from the cache", () => {
    const c = new SigVerifyCache();
    const sb = signBytes(7n);
    const sig = secp256k1Sign(sb, alice.secretKey);
    expect(c.verify(sig, sb, alice.publicKey)).toBe(true);
    expect(c.verify(sig, sb, alice.publicKey)).toBe(true);
    expect([c.misses, c.hits]).toEqual([1, 1]);
  });

  it("does not serve a cached signature for other sign bytes, another key or another signature", () => {
    const c = new SigVerifyCache();
    const sb = signBytes(7n);
    const sig = secp256k1Sign(sb, alice.secretKey);
    expect(c.verify(sig, sb, alice.publicKey)).toBe(true);
    const tweaked = sig.slice();
    tweaked[5] = tweaked[5]! ^ 1;
    const attempts: [string, Uint8Array, Uint8Array, Uint8Array][] = [
      ["account number changed", sig, signBytes(8n), alice.publicKey],
      ["chain id changed", sig, signBytes(7n, "nusa-test-2"), alice.publicKey],
      ["another key", sig, sb, bob.publicKey],
      ["another signature", tweaked, sb, alice.publicKey],
      ["bob's signature on the same bytes, with alice's key", secp256k1Sign(sb, bob.secretKey), sb, alice.publicKey],
    ];
    for (const [what, s, b, k] of attempts) {
      const misses = c.misses;
      expect(c.verify(s, b, k), what).toBe(false);
      expect(c.misses - misses, what).toBe(1);
    }
    expect(c.hits).toBe(0);
  });

  it("does not serve a triple whose parts split the same concatenated bytes differently", () => {
    const c = new SigVerifyCache();
    const sb = signBytes(7n);
    const sig = secp256k1Sign(sb, alice.secretKey);
    expect(c.verify(sig, sb, alice.publicKey)).toBe(true);
    // sign bytes ‖ key ‖ signature, cut at other places: same bytes, different (invalid) triple.
    const shifted = concat(sb, alice.publicKey);
    expect(c.verify(sig.subarray(33), shifted, sig.subarray(0, 33))).toBe(false);
    expect(c.hits).toBe(0);
  });

  it("does not remember failures: a bad signature costs a verify every time and takes no room", () => {
    const c = new SigVerifyCache();
    const sb = signBytes(7n);
    const bad = secp256k1Sign(signBytes(9n), alice.secretKey);
    expect(c.verify(bad, sb, alice.publicKey)).toBe(false);
    expect(c.verify(bad, sb, alice.publicKey)).toBe(false);
    expect([c.misses, c.hits, c.size]).toEqual([2, 0, 0]);
  });

  it("stays within its capacity, and a dropped triple is verified again", () => {
    const c = new SigVerifyCache(2);
    const triples = [1n, 2n, 3n].map((n) => {
      const sb = signBytes(n);
      return { sb, sig: secp256k1Sign(sb, alice.secretKey) };
    });
    for (const t of triples) expect(c.verify(t.sig, t.sb, alice.publicKey)).toBe(true);
    expect(c.size).toBeLessThanOrEqual(2);
    const misses = c.misses;
    expect(c.verify(triples[0]!.sig, triples[0]!.sb, alice.publicKey)).toBe(true);
    expect(c.misses - misses).toBe(1);
    expect(() => new SigVerifyCache(0)).toThrow(RangeError);
  });
});
