/** @module Inclusion proofs: celestia-node's published row proofs, NMT range proofs, and forged blobs refused. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { concatBytes } from "../../../common/hash.js";
import { buildBlock, extendedHeaderJson, squareOf } from "../localserver/block.js";
import { buildBlobProof, parseDataRootHeader, verifyBlobInclusion } from "./blobProof.js";
import { createCommitment } from "./commitment.js";
import { merkleRoot } from "./merkle.js";
import { merkleProof, verifyMerkleProof } from "./merkleProof.js";
import { namespaceFromName } from "./namespace.js";
import { nmtRoot } from "./nmt.js";
import { proveNmtRange, verifyNmtInclusion } from "./nmtProof.js";
import { splitBlobToShares } from "./shares.js";

const b = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

describe("RFC 6962 row proofs", () => {
  it("verifies celestia-node's published row-root-to-data-root proofs and refuses a changed root or index", () => {
    const v = JSON.parse(readFileSync(join(__dirname, "testdata", "celestia-row-proofs.json"), "utf8"));
    const root = b(v.data_root);
    for (const r of v.row_proofs) {
      const p = {
        total: r.proof.total,
        index: r.proof.index ?? 0,
        leafHash: b(r.proof.leaf_hash),
        aunts: r.proof.aunts.map(b),
      };
      expect(verifyMerkleProof(p, root, b(r.row_root))).toBe(true);
      const other = b(r.row_root);
      other[50] ^= 1;
      expect(verifyMerkleProof(p, root, other)).toBe(false);
      expect(verifyMerkleProof({ ...p, index: p.index + 1 }, root, b(r.row_root))).toBe(false);
    }
  });

  it("proves every item of trees of every size up to 33", () => {
    for (let n = 1; n <= 33; n++) {
      const items = Array.from({ length: n }, (_, i) => Uint8Array.of(i, n));
      const root = merkleRoot(items);
      for (let i = 0; i < n; i++) expect(verifyMerkleProof(merkleProof(items, i), root, items[i]!)).toBe(true);
    }
  });
});

describe("NMT range proofs", () => {
  const ns = (x: number) => {
    const n = new Uint8Array(29);
    n[28] = x;
    n[27] = 1;
    return n;
  };
  const leaves = Array.from({ length: 16 }, (_, i) => {
    const share = new Uint8Array(64).fill(i);
    share.set(ns(Math.floor(i / 3)), 0);
    return concatBytes(ns(Math.floor(i / 3)), share);
  });
  const root = nmtRoot(leaves);

  it("proves each same-namespace range and refuses shifted ranges, swapped shares and other roots", () => {
    for (let s = 0; s < 16; s++)
      for (let e = s + 1; e <= 16; e++) {
        const n0 = leaves[s]!.subarray(0, 29);
        if (!leaves.slice(s, e).every((l) => Buffer.compare(l.subarray(0, 29), n0) === 0)) continue;
        const proof = proveNmtRange(leaves, s, e);
        const shares = leaves.slice(s, e).map((l) => l.subarray(29));
        expect(verifyNmtInclusion(proof, n0, shares, root)).toBe(true);
        if (s > 0) expect(verifyNmtInclusion({ ...proof, start: s - 1, end: e - 1 }, n0, shares, root)).toBe(false);
        const tampered = shares.map((x) => new Uint8Array(x));
        tampered[0]![40] ^= 1;
        expect(verifyNmtInclusion(proof, n0, tampered, root)).toBe(false);
        expect(verifyNmtInclusion(proof, n0, shares, nmtRoot(leaves.slice(0, 8)))).toBe(false);
      }
  });
});

describe("blob inclusion against the local DA square", () => {
  const nsA = namespaceFromName("dsdn-a");
  const nsB = namespaceFromName("dsdn-b");
  const blobs = [
    { namespace: nsA, data: new Uint8Array(3000).fill(7), shareVersion: 0 as const },
    { namespace: nsB, data: new Uint8Array(40).fill(9), shareVersion: 0 as const },
    { namespace: nsA, data: new Uint8Array(20_000).fill(3), shareVersion: 0 as const },
  ].map((x) => ({ ...x, commitment: createCommitment(x.namespace, x.data) }));
  const built = buildBlock(5, new Uint8Array(32), blobs, new Date(0));
  const header = parseDataRootHeader(extendedHeaderJson(built.header, "t"), 5n);
  const { square, width } = squareOf(built.blobs);

  it("proves every blob of a block, including ones spanning rows", () => {
    for (const sb of built.blobs) {
      const shares = splitBlobToShares(sb.namespace, sb.data).length;
      const proof = buildBlobProof(
        square,
        width,
        sb.shareIndex,
        shares,
        built.header.rowRoots,
        built.header.columnRoots,
      );
      expect(() =>
        verifyBlobInclusion({ namespace: sb.namespace, data: sb.data, shareVersion: 0 }, proof, header),
      ).not.toThrow();
    }
  });

  it("refuses a blob with a valid commitment that is not in the block, and a header whose DAH lies", () => {
    const sb = built.blobs[0]!;
    const n = splitBlobToShares(sb.namespace, sb.data).length;
    const proof = buildBlobProof(square, width, sb.shareIndex, n, built.header.rowRoots, built.header.columnRoots);
    const forged = { namespace: sb.namespace, data: new Uint8Array(sb.data.length).fill(8), shareVersion: 0 as const };
    expect(() => verifyBlobInclusion(forged, proof, header)).toThrow(/not included under the header's data root/);
    const json = extendedHeaderJson(built.header, "t") as { dah: { row_roots: string[] } };
    json.dah.row_roots[0] = Buffer.from(new Uint8Array(90)).toString("base64");
    expect(() => parseDataRootHeader(json, 5n)).toThrow(/does not hash to the header's data_hash/);
  });
});
