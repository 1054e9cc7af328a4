import { describe, expect, it } from "vitest";
import { pubKeyToAddress, secp256k1KeyPair } from "../../../common/secp256k1.js";
import { merkleRoot } from "../commitment/merkle.js";
import {
  checkDeclarationFields,
  declaredLeaf,
  declaredListTree,
  signUploadDeclaration,
  verifyDeclaredObject,
  verifyUploadDeclaration,
} from "./declaration.js";
import { sampleCid } from "./sampleWorkload.js";

const list = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ cid: sampleCid(`obj-${i}`), size: BigInt(1000 + i) }));

describe("upload declarations", () => {
  it("the list root is RFC 6962 (CometBFT's merkle root) and every audit path verifies, for 1–70 objects", () => {
    for (let n = 1; n <= 70; n++) {
      const objects = list(n);
      const { root, proofs } = declaredListTree(objects);
      expect(Buffer.from(root).equals(Buffer.from(merkleRoot(objects.map(declaredLeaf))))).toBe(true);
      for (let i = 0; i < n; i++) {
        expect(verifyDeclaredObject(objects[i]!, i, n, proofs[i]!, root)).toBe(true);
        // Another index, another size, an index past the list, or a tampered path: refused.
        if (n > 1) expect(verifyDeclaredObject(objects[i]!, (i + 1) % n, n, proofs[i]!, root)).toBe(false);
        expect(verifyDeclaredObject({ ...objects[i]!, size: objects[i]!.size + 1n }, i, n, proofs[i]!, root)).toBe(
          false,
        );
        expect(verifyDeclaredObject(objects[i]!, n + i, n, proofs[i]!, root)).toBe(false);
        if (proofs[i]!.length > 0) {
          const bad = proofs[i]!.map((p) => new Uint8Array(p));
          bad[0]![0]! ^= 1;
          expect(verifyDeclaredObject(objects[i]!, i, n, bad, root)).toBe(false);
        }
      }
    }
  });

  it("is signed by the account it names; any changed field breaks the signature; limits are checked", () => {
    const key = secp256k1KeyPair();
    const { declaration } = signUploadDeclaration(
      { manifestCid: sampleCid("obj-0"), objects: list(3), signedAtHeight: 10n, expiresAtHeight: 20n },
      key,
    );
    expect(verifyUploadDeclaration(declaration)).toBe(true);
    expect(checkDeclarationFields(declaration)).toBeUndefined();
    expect(verifyUploadDeclaration({ ...declaration, totalSize: declaration.totalSize + 1n })).toBe(false);
    expect(verifyUploadDeclaration({ ...declaration, expiresAtHeight: 10_000n })).toBe(false);
    const other = secp256k1KeyPair();
    expect(verifyUploadDeclaration({ ...declaration, uploaderPublicKey: Buffer.from(other.publicKey) })).toBe(false);
    // Once a signature is verified (and remembered), a copy with any field changed under it is still refused.
    const tampered: Partial<typeof declaration>[] = [
      { manifestCid: sampleCid("obj-9") },
      { chunksRoot: Buffer.alloc(32, 7) },
      { chunkCount: declaration.chunkCount + 1n },
      { signedAtHeight: 9n },
      { uploader: pubKeyToAddress(other.publicKey) },
    ];
    for (const t of tampered) {
      expect(verifyUploadDeclaration(declaration)).toBe(true);
      expect(verifyUploadDeclaration({ ...declaration, ...t })).toBe(false);
    }
    expect(checkDeclarationFields({ ...declaration, chunkCount: 1n << 17n })).toMatch(/chunk_count/);
    expect(checkDeclarationFields({ ...declaration, totalSize: (1n << 40n) + 1n })).toMatch(/total_size/);
    expect(checkDeclarationFields({ ...declaration, expiresAtHeight: 10n })).toMatch(/expire/);
    expect(checkDeclarationFields({ ...declaration, expiresAtHeight: 10n + 100_001n })).toMatch(/expire/);
  });
});
