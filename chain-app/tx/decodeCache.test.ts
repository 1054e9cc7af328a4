import { describe, expect, it } from "vitest";
import type { DecodedTx } from "./decode.js";
import { DecodedTxCache, freezeDecodedTx } from "./decodeCache.js";

/** A stand-in decoded tx: the cache only reads `bytes.length`. */
const fake = (bytes: Uint8Array) => ({ bytes }) as unknown as DecodedTx;
const tx = (n: number, len = 10) => new Uint8Array(len).fill(n);

describe("DecodedTxCache", () => {
  it("serves only the exact bytes it was given: one byte different is a miss", () => {
    const c = new DecodedTxCache();
    const a = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    const decoded = fake(a);
    c.put(a, decoded);
    expect(c.get(a.slice())).toBe(decoded);
    for (let i = 0; i < a.length; i++) {
      const b = a.slice();
      b[i] = b[i]! ^ 1;
      expect(c.get(b)).toBeUndefined();
    }
    expect(c.get(a.subarray(0, 7))).toBeUndefined();
    expect(c.get(Uint8Array.from([...a, 0]))).toBeUndefined();
    // A view into a larger buffer is keyed by its own bytes only.
    const big = Uint8Array.from([9, 9, ...a, 9]);
    expect(c.get(big.subarray(2, 2 + a.length))).toBe(decoded);
  });

  it("never serves a tx crafted to share the lookup key (length and tail) with a cached one", () => {
    const c = new DecodedTxCache();
    const a = new Uint8Array(100).fill(5);
    const b = a.slice();
    b[0] = 6; // same length, same last 32 bytes
    c.put(a, fake(a));
    expect(c.get(b)).toBeUndefined();
    c.delete(b); // not the cached tx: nothing is removed
    expect(c.get(a)).toBeDefined();
    c.put(b, fake(b)); // replaces: one entry per key, bytes counted once
    expect(c.get(a)).toBeUndefined();
    expect(c.get(b)).toBeDefined();
    expect(c.size).toBe(1);
    expect(c.heldBytes).toBe(100);
  });

  it("is bounded by count, oldest first", () => {
    const c = new DecodedTxCache(3, 1_000_000);
    for (let i = 0; i < 5; i++) c.put(tx(i), fake(tx(i)));
    expect(c.size).toBe(3);
    expect(c.get(tx(0))).toBeUndefined();
    expect(c.get(tx(1))).toBeUndefined();
    expect(c.get(tx(4))).toBeDefined();
    expect(c.heldBytes).toBe(30);
  });

  it("is bounded by bytes, and never holds one tx larger than the whole budget", () => {
    const c = new DecodedTxCache(100, 25);
    c.put(tx(1), fake(tx(1)));
    c.put(tx(2), fake(tx(2)));
    c.put(tx(3), fake(tx(3)));
    expect(c.heldBytes).toBeLessThanOrEqual(25);
    expect(c.get(tx(1))).toBeUndefined();
    expect(c.get(tx(3))).toBeDefined();
    c.put(tx(7, 26), fake(tx(7, 26)));
    expect(c.get(tx(7, 26))).toBeUndefined();
    expect(c.heldBytes).toBeLessThanOrEqual(25);
  });

  it("forgets on delete and clear, and keeps its byte count right", () => {
    const c = new DecodedTxCache();
    c.put(tx(1), fake(tx(1)));
    c.put(tx(1), fake(tx(1)));
    c.put(tx(2, 20), fake(tx(2, 20)));
    expect(c.heldBytes).toBe(30);
    c.delete(tx(1));
    c.delete(tx(1));
    expect(c.heldBytes).toBe(20);
    expect(c.get(tx(1))).toBeUndefined();
    c.clear();
    expect(c.size).toBe(0);
    expect(c.heldBytes).toBe(0);
  });
});

describe("freezeDecodedTx", () => {
  it("freezes the decoded objects (a handler cannot change what a later block reuses) but not shared definitions", () => {
    const def = { codec: {}, signers: () => [] };
    const msg = { fromAddress: "a", amount: [{ denom: "unusa", amount: "1" }] };
    const t = freezeDecodedTx({
      bytes: new Uint8Array(1),
      raw: { bodyBytes: new Uint8Array(), authInfoBytes: new Uint8Array(), signatures: [] },
      body: { messages: [], memo: "", timeoutHeight: 0n, extensionOptions: [], nonCriticalExtensionOptions: [] },
      authInfo: { signerInfos: [], fee: { amount: [], gasLimit: 1n, payer: "", granter: "" } },
      msgs: [{ def: def as never, msg, typeUrl: "/x" }],
      signers: [{ address: "a", pubKey: new Uint8Array(33), sequence: 0n, signature: new Uint8Array(64) }],
      gasLimit: 1n,
    } as unknown as DecodedTx);
    expect(Object.isFrozen(t)).toBe(true);
    expect(Object.isFrozen(t.msgs)).toBe(true);
    expect(Object.isFrozen(msg)).toBe(true);
    expect(Object.isFrozen(msg.amount[0])).toBe(true);
    expect(Object.isFrozen(t.signers[0])).toBe(true);
    expect(Object.isFrozen(def)).toBe(false);
    expect(() => {
      (msg.amount[0] as { amount: string }).amount = "1000000";
    }).toThrow(TypeError);
  });
});
