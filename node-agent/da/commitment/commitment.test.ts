/** @module Share commitment against celestia-node, lumina and go-square published vectors. */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../../common/hash.js";
import { createCommitment, subtreeRoots, verifyCommitment } from "./commitment.js";
import { merkleMountainRangeSizes, subtreeWidth } from "./merkle.js";
import { NAMESPACE_SIZE } from "./namespace.js";
import { SHARE_SIZE, sparseSharesNeeded, splitBlobToShares } from "./shares.js";

const b64 = (s: string) => new Uint8Array(Buffer.from(s, "base64"));

describe("published vectors", () => {
  it("celestia-node api/docgen/exampledata/blob.json (476 bytes, a nearly full first share)", () => {
    const ns = fromHex("00000000000000000000000000000000000000000000C27FC4694D31D1");
    const data = fromHex(
      "CFC432373B6FA2037B358536EE023E9C9820D6F309B642B7BDB76E483CFBFFC9A19A8B37EC8EDDB87E75924828BB1AEC76174E049D78DF53A68A935F55E75BB707BACD0D3A11B24197F8E4E10C305374B6F580535197147D3CD7A44248B8CAD8CD4E983F137C65C7BF28D76C108CB8CF175FC5E917A6FB2064C0617FCDE26207C7BEC140A099A60A9FCE4405280057FBB49EDC17C459C80DB47EDA916B5BA102692DC486F9F1A6E91931BE4CD82ADE68F2BECC04095CA4258A868EA36D227C88C761103A7569DAAEBD60791E81DA01BE838ACC41628104DDACBD936417B1E0C864AD8B7B65FD0343234C46408F2FFCCA604DDB86F5CD58C4E15829A10F94CE029CE2ACE45728E4C1D27C618C317F685624AD2F88281C3529F2798AC95D5AF99AB09056C11803BA58BA0ADCBAEEF30C93B7D451351FD12B7AAEF41E7ED4A8115942D71130E3AFA1E6421769688CD20FC4CC62007591F2714156092767B77A7B052E6DB44A527F577A65B55860BDB2D1782E1F8D64E7826AB9F10C030F6E926685D086CDF4993A7CD79F57576C5937423FA333E9EF914C277D0D01AA6F656BB2F333C79B9589D2C3F0D0FBF69BD780BD55CF284968C4DC8D27D92B5E633B12F01A1D5AAD97368324CD8AADA9BBAC0DCF4B5D269F9F154FA9786F2B1CDF",
    );
    expect(data.length).toBe(476);
    expect(sparseSharesNeeded(data.length)).toBe(1);
    expect(toHex(createCommitment(ns, data)).toUpperCase()).toBe(
      "68795BA7E27DCAE6FA870FEE84AE9D3FC8412D1DA6172EFC5CD45174B7F6EFDE",
    );
  });

  it("lumina types/README.md", () => {
    const ns = b64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQIDBAU=");
    const data = new TextEncoder().encode("some data to store on blockchain");
    expect(Buffer.from(createCommitment(ns, data)).toString("base64")).toBe(
      "m0A4feU6Fqd5Zy9td3M7lntG8A3PKqe6YdugmAsWz28=",
    );
  });

  it("lumina types/src/blob.rs sample_blob (v0)", () => {
    const c = createCommitment(
      b64("AAAAAAAAAAAAAAAAAAAAAAAAAAAADCBNOWAP3dM="),
      b64("8fIMqAB+kQo7+LLmHaDya8oH73hxem6lQWX1"),
    );
    expect(Buffer.from(c).toString("base64")).toBe("D6YGsPWdxR8ju2OcOspnkgPG2abD30pSHxsFdiPqnVk=");
  });

  it("lumina types/src/blob.rs sample_blob_with_signer (v1)", () => {
    const c = createCommitment(b64("AAAAAAAAAAAAAAAAAAAAAAAAALwwSWpxCuQb5+A="), b64("lQnnMKE="), {
      shareVersion: 1,
      signer: b64("Yjc3XldhbdYke5i8aSlggYxCCLE="),
    });
    expect(Buffer.from(c).toString("base64")).toBe("dujykaNN+Ey7ET3QNdPG0g2uveriBvZusA3fLSOdMKU=");
  });

  // go-square inclusion/commitment_test.go TestCreateCommitment uses a two-leaf sha256(h1‖h2) root.
  const twoLeaf = (roots: readonly Uint8Array[]) => {
    expect(roots).toHaveLength(2);
    const h = (x: Uint8Array) => createHash("sha256").update(x).digest();
    return new Uint8Array(createHash("sha256").update(h(roots[0]!)).update(h(roots[1]!)).digest());
  };
  const ns1 = new Uint8Array(NAMESPACE_SIZE).fill(1, 19);

  it("go-square TestCreateCommitment: blob of 2 shares", () => {
    const c = createCommitment(ns1, new Uint8Array(960).fill(0xff), { merkleRootFn: twoLeaf });
    expect(toHex(c)).toBe("31f5156d5db9a7f5b43b297a14c070c2cc4ef3d69d87ed08addd216d9b9fa118");
  });

  it("go-square TestCreateCommitment: one share with signer", () => {
    const c = createCommitment(ns1, new Uint8Array(960 - 20).fill(0xff), {
      merkleRootFn: twoLeaf,
      shareVersion: 1,
      signer: new Uint8Array(20).fill(1),
    });
    expect(toHex(c)).toBe("883c74064e8e2627ad5808389f1f1924194c1ae23c7df962c8d56df062a92b2b");
  });

  it("go-square TestCreateCommitment: unsupported share version is an error", () => {
    expect(() => createCommitment(ns1, new Uint8Array(10), { shareVersion: 2 as 0 })).toThrow(/share version/);
  });
});

describe("go-square v2.3.1 generated vectors (multi-share and width > 1)", () => {
  const file = JSON.parse(readFileSync(new URL("./testdata/go-square-vectors.json", import.meta.url), "utf8")) as {
    namespaceHex: string;
    signerHex: string;
    vectors: { size: number; shareVersion: 0 | 1; shares: number; commitment: string }[];
  };
  const ns = fromHex(file.namespaceHex);
  const signer = fromHex(file.signerHex);
  const data = (n: number) => {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) % 251;
    return b;
  };
  it("covers blobs whose subtree width exceeds 1", () => {
    expect(file.vectors.some((v) => subtreeWidth(v.shares, 64) > 1)).toBe(true);
    expect(file.vectors.length).toBeGreaterThanOrEqual(30);
  });
  for (const v of file.vectors) {
    it(`${v.size} bytes, share version ${v.shareVersion} (${v.shares} shares, width ${subtreeWidth(v.shares, 64)})`, () => {
      const opts = v.shareVersion === 1 ? { shareVersion: 1 as const, signer } : {};
      expect(
        splitBlobToShares(ns, data(v.size), v.shareVersion, v.shareVersion === 1 ? signer : undefined),
      ).toHaveLength(v.shares);
      expect(toHex(createCommitment(ns, data(v.size), opts))).toBe(v.commitment);
    });
  }
});

describe("mountain range and widths", () => {
  it("matches go-square TestMerkleMountainRangeSizes", () => {
    expect(merkleMountainRangeSizes(11, 4)).toEqual([4, 4, 2, 1]);
    expect(merkleMountainRangeSizes(2, 64)).toEqual([2]);
    expect(merkleMountainRangeSizes(64, 8)).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
    expect(merkleMountainRangeSizes(19, 8)).toEqual([8, 8, 2, 1]);
  });
  it("subtree width grows only past the threshold", () => {
    expect(subtreeWidth(1, 64)).toBe(1);
    expect(subtreeWidth(64, 64)).toBe(1);
    expect(subtreeWidth(65, 64)).toBe(2);
    expect(subtreeWidth(2176, 64)).toBe(64);
    expect(subtreeWidth(5, 1)).toBe(4); // capped by the min square size
  });
});

describe("share layout", () => {
  it("writes namespace, info byte, length and signer", () => {
    const ns = new Uint8Array(NAMESPACE_SIZE).fill(7, 19);
    const signer = new Uint8Array(20).fill(9);
    const shares = splitBlobToShares(ns, new Uint8Array(1000).fill(5), 1, signer);
    expect(shares).toHaveLength(sparseSharesNeeded(1000, 1));
    const [first, second] = shares as [Uint8Array, Uint8Array];
    expect(first.length).toBe(SHARE_SIZE);
    expect(first[29]).toBe(0b11); // version 1, sequence start
    expect(new DataView(first.buffer).getUint32(30)).toBe(1000);
    expect(first.subarray(34, 54)).toEqual(signer);
    expect(second[29]).toBe(0b10);
    expect(shares.at(-1)!.at(-1)).toBe(0); // zero padding
  });
  it("refuses empty blobs and signer misuse", () => {
    const ns = new Uint8Array(NAMESPACE_SIZE).fill(7, 19);
    expect(() => createCommitment(ns, new Uint8Array())).toThrow(/data can not be empty/);
    expect(() => createCommitment(ns, new Uint8Array(3), { signer: new Uint8Array(20) })).toThrow(/version 0/);
    expect(() => createCommitment(ns, new Uint8Array(3), { shareVersion: 1 })).toThrow(/signer/);
  });
  it("verifyCommitment detects a flipped byte", () => {
    const ns = new Uint8Array(NAMESPACE_SIZE).fill(7, 19);
    const data = new Uint8Array(5000).fill(3);
    const c = createCommitment(ns, data);
    expect(() => verifyCommitment(ns, data, c)).not.toThrow();
    data[4000] ^= 1;
    expect(() => verifyCommitment(ns, data, c)).toThrow(/does not match/);
    expect(subtreeRoots(ns, data).every((r) => r.length === 90)).toBe(true);
  });
});
