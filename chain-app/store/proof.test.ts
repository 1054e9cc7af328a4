/** @module Inclusion and absence proofs: they verify against appHashAt(h), and any tampering makes them fail. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChainStore } from "./chainStore.js";
import { HeightUnavailableError } from "./errors.js";
import { decodeProof, encodeProof, verifyProof } from "./proof.js";

const enc = new TextEncoder();
const b = (s: string): Uint8Array => enc.encode(s);

let store: ChainStore;
beforeAll(() => {
  store = ChainStore.open(":memory:", { retainHeights: 3 });
  for (let h = 1; h <= 6; h++) {
    const br = store.branch();
    for (let i = 0; i < 300; i++) br.set(b(`h${h}/k${i}`), b(`value ${h}.${i}`));
    if (h > 1) br.delete(b(`h${h - 1}/k0`));
    br.set(b("moving"), b(`at ${h}`));
    store.prepareCommit(BigInt(h), br);
    store.commit();
  }
});
afterAll(() => store.close());

describe("proofs", () => {
  it("prove inclusion at the latest height", () => {
    const root = store.lastAppHash;
    for (const key of [b("h6/k1"), b("h2/k299"), b("moving")]) {
      const { value, proof } = store.prove(6n, key);
      expect(value).toBeDefined();
      expect(verifyProof(root, key, value, proof)).toBe(true);
      const d = decodeProof(proof);
      expect(d?.terminal.kind).toBe("leaf");
      expect(encodeProof(d as NonNullable<typeof d>)).toEqual(proof);
    }
    expect(store.prove(6n, b("moving")).value).toEqual(b("at 6"));
  });

  it("prove absence, both through an empty subtree and through another key's leaf", () => {
    const root = store.lastAppHash;
    const kinds = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const key = b(`absent/${i}`);
      const { value, proof } = store.prove(6n, key);
      expect(value).toBeUndefined();
      expect(verifyProof(root, key, undefined, proof)).toBe(true);
      // An absence proof never doubles as an inclusion proof of any value.
      expect(verifyProof(root, key, b("x"), proof)).toBe(false);
      kinds.add(decodeProof(proof)?.terminal.kind ?? "bad");
    }
    expect(kinds).toEqual(new Set(["empty", "leaf"]));
    // A deleted key is proven absent.
    const gone = store.prove(6n, b("h5/k0"));
    expect(gone.value).toBeUndefined();
    expect(verifyProof(root, b("h5/k0"), undefined, gone.proof)).toBe(true);
  });

  it("proofs at an older retained height verify against that height's app hash only", () => {
    const root4 = store.appHashAt(4n) as Uint8Array;
    const { value, proof } = store.prove(4n, b("moving"));
    expect(value).toEqual(b("at 4"));
    expect(verifyProof(root4, b("moving"), value, proof)).toBe(true);
    expect(verifyProof(store.lastAppHash, b("moving"), value, proof)).toBe(false);
    // h5/k0 existed at 4 (deleted at 6) and h6/* did not yet.
    const was = store.prove(4n, b("h4/k0"));
    expect(was.value).toEqual(b("value 4.0"));
    expect(verifyProof(root4, b("h4/k0"), was.value, was.proof)).toBe(true);
    const notYet = store.prove(4n, b("h6/k3"));
    expect(notYet.value).toBeUndefined();
    expect(verifyProof(root4, b("h6/k3"), undefined, notYet.proof)).toBe(true);
  });

  it("fail for a tampered proof, value, key or root", () => {
    const root = store.lastAppHash;
    const key = b("h3/k7");
    const { value, proof } = store.prove(6n, key);
    expect(verifyProof(root, key, value, proof)).toBe(true);
    for (let i = 0; i < proof.length; i++) {
      const bad = proof.slice();
      bad[i] = (bad[i] as number) ^ 0x01;
      expect(verifyProof(root, key, value, bad), `byte ${i}`).toBe(false);
    }
    expect(verifyProof(root, key, b("value 3.8"), proof)).toBe(false);
    expect(verifyProof(root, key, undefined, proof)).toBe(false);
    expect(verifyProof(root, b("h3/k8"), value, proof)).toBe(false);
    const badRoot = root.slice();
    badRoot[31] = (badRoot[31] as number) ^ 0x80;
    expect(verifyProof(badRoot, key, value, proof)).toBe(false);
    // Malformed encodings are rejected, not thrown.
    expect(verifyProof(root, key, value, proof.subarray(0, proof.length - 1))).toBe(false);
    expect(verifyProof(root, key, value, Uint8Array.from([...proof, 0]))).toBe(false);
    expect(verifyProof(root, key, value, new Uint8Array(0))).toBe(false);
    expect(verifyProof(root.subarray(0, 31), key, value, proof)).toBe(false);
    // Absence proof of the wrong key cannot be reused for a present key.
    const absent = store.prove(6n, b("nope")).proof;
    expect(verifyProof(root, key, undefined, absent)).toBe(false);
  });

  it("reject a nonzero padding bit in the sibling bitmap", () => {
    const { value, proof } = store.prove(6n, b("h1/k1"));
    const d = decodeProof(proof);
    if (d === undefined) throw new Error("decode failed");
    expect(d.depth % 8).not.toBe(0); // 1,500+ keys: depth ~11, so padding bits exist
    const bitmapAt = 3 + (d.terminal.kind === "leaf" ? 64 : 0) + ((d.depth + 7) >>> 3) - 1;
    const bad = proof.slice();
    bad[bitmapAt] = (bad[bitmapAt] as number) | 0x01;
    expect(verifyProof(store.lastAppHash, b("h1/k1"), value, bad)).toBe(false);
  });

  it("a pruned or future height gives a clear error", () => {
    expect(() => store.prove(3n, b("moving"))).toThrow(HeightUnavailableError);
    expect(() => store.prove(3n, b("moving"))).toThrow(/height 3 is not retained: readable heights are 4\.\.6/);
    expect(() => store.readerAt(2n)).toThrow(/not retained/);
    expect(() => store.prove(7n, b("moving"))).toThrow(/height 7 is in the future/);
    expect(store.appHashAt(3n)).toBeUndefined();
    expect(store.appHashAt(7n)).toBeUndefined();
    expect(store.earliestHeight).toBe(4n);
  });

  it("the empty tree proves every key absent", () => {
    const empty = ChainStore.open(":memory:");
    const { value, proof } = empty.prove(0n, b("any"));
    expect(value).toBeUndefined();
    expect(proof).toEqual(Uint8Array.of(0, 0, 0));
    expect(verifyProof(empty.lastAppHash, b("any"), undefined, proof)).toBe(true);
    empty.close();
  });
});
