import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { concatBytes, sha256Native } from "../../../common/hash.js";
import { declaredLeaf, declaredListTree } from "./declaration.js";
import { declaredLeafHash, verifyDeclaredPath } from "./declarationPath.js";
import { sampleCid } from "./sampleWorkload.js";

/** The plain RFC 9162 §2.1.3.2 walk (no scratch buffers, no memo): what the memoized check must always agree with. */
function reference(leaf: Uint8Array, index: number, count: number, proof: readonly Uint8Array[], root: Uint8Array) {
  if (!(index >= 0 && index < count) || proof.length > 64) return false;
  const h = (...p: Uint8Array[]) => sha256Native(concatBytes(...p));
  let fn = index;
  let sn = count - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0 || p.length !== 32) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = h(Uint8Array.of(1), p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else r = h(Uint8Array.of(1), r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && Buffer.from(r).equals(Buffer.from(root));
}

const list = (n: number, tag: string) =>
  Array.from({ length: n }, (_, i) => ({ cid: sampleCid(`${tag}-${i}`), size: BigInt(7 + i) }));

describe("declared-object path check (scratch hashing, memo per tree position)", () => {
  it("hashes leaves exactly as declaredLeaf does, for any string (lone surrogates, multi-byte) and size", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "binary", maxLength: 300 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (s, size) => {
          const want = sha256Native(concatBytes(Uint8Array.of(0), declaredLeaf({ cid: s, size })));
          expect(Buffer.from(declaredLeafHash(s, size)).equals(Buffer.from(want))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees with the plain walk on genuine and tampered paths, whatever was proven before (attack: a remembered path accepting a forged upper level)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.array(
          fc.record({
            i: fc.nat(),
            tamper: fc.constantFrom("none", "level", "byte", "drop", "extra", "index", "count", "leaf"),
            at: fc.nat(),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.string({ maxLength: 6 }),
        (n, calls, tag) => {
          const objects = list(n, `p${tag}`);
          const { root, proofs } = declaredListTree(objects);
          for (const c of calls) {
            const i = c.i % n;
            let proof: Uint8Array[] = proofs[i]!.map((p) => new Uint8Array(p));
            let index = i;
            let count = n;
            let leaf = declaredLeafHash(objects[i]!.cid, objects[i]!.size);
            const at = proof.length > 0 ? c.at % proof.length : 0;
            if (c.tamper === "level" && proof.length > 0) proof[at] = sha256Native(proof[at]!);
            if (c.tamper === "byte" && proof.length > 0) proof[at]![c.at % 32]! ^= 1;
            if (c.tamper === "drop") proof = proof.slice(0, -1);
            if (c.tamper === "extra") proof = [...proof, new Uint8Array(32)];
            if (c.tamper === "index") index = (i + 1 + (c.at % n)) % (n + 1);
            if (c.tamper === "count") count = n + 1 + (c.at % 3);
            if (c.tamper === "leaf") leaf = declaredLeafHash(objects[i]!.cid, objects[i]!.size + 1n);
            const want = reference(leaf, index, count, proof, root);
            expect(verifyDeclaredPath(leaf, index, count, proof, root)).toBe(want);
            if (c.tamper === "none") expect(want).toBe(true);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("keeps no reference to the caller's buffers: a path changed after it was proven is checked afresh", () => {
    const objects = list(16, "alias");
    const { root, proofs } = declaredListTree(objects);
    const proof = proofs[3]!.map((p) => new Uint8Array(p));
    const leaf = declaredLeafHash(objects[3]!.cid, objects[3]!.size);
    expect(verifyDeclaredPath(leaf, 3, 16, proof, root)).toBe(true);
    proof[2]![0]! ^= 0x80;
    expect(verifyDeclaredPath(leaf, 3, 16, proof, root)).toBe(false);
    const sibling = declaredLeafHash(objects[2]!.cid, objects[2]!.size);
    expect(verifyDeclaredPath(sibling, 2, 16, proofs[2]!, root)).toBe(true);
    leaf[0]! ^= 1;
    expect(verifyDeclaredPath(leaf, 3, 16, proofs[3]!, root)).toBe(false);
  });
});
