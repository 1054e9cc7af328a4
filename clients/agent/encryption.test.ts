import { describe, expect, it } from "vitest";
import { fromHex } from "../../common/hash.js";
import type { Manifest } from "../../proto/gen/dsdn/storage/v1/manifest.js";
import {
  aesGcmOpen,
  aesGcmSeal,
  chunkNonce,
  decryptChunk,
  encryptChunk,
  encryptionFields,
  fileCipher,
  manifestTag,
  newFileKey,
  verifyManifestTag,
} from "./encryption.js";

// AES-256-GCM vectors from McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 13, 14, 16.
const VECTORS = [
  { k: "00".repeat(32), iv: "00".repeat(12), p: "", a: "", c: "", t: "530f8afbc74536b9a963b4f1c4cb738b" },
  {
    k: "00".repeat(32),
    iv: "00".repeat(12),
    p: "00".repeat(16),
    a: "",
    c: "cea7403d4d606b6e074ec5d3baf39d18",
    t: "d0d1c8a799996bf0265b98b5d48ab919",
  },
  {
    k: "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
    iv: "cafebabefacedbaddecaf888",
    p: "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
    a: "feedfacedeadbeeffeedfacedeadbeefabaddad2",
    c: "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
    t: "76fc6ece0f4e1768cddf8853bb2d551b",
  },
];

describe("AES-256-GCM primitive", () => {
  it.each(VECTORS.map((v, i) => [i, v] as const))("matches published vector %d", (_i, v) => {
    const sealed = aesGcmSeal(fromHex(v.k), fromHex(v.iv), fromHex(v.a), fromHex(v.p));
    expect(sealed.toString("hex")).toBe(v.c + v.t);
    expect(aesGcmOpen(fromHex(v.k), fromHex(v.iv), fromHex(v.a), sealed)?.toString("hex")).toBe(v.p);
    const bad = Buffer.from(sealed);
    bad[bad.length - 1]! ^= 1;
    expect(aesGcmOpen(fromHex(v.k), fromHex(v.iv), fromHex(v.a), bad)).toBeNull();
  });
});

describe("per-chunk file encryption", () => {
  const key = newFileKey();
  const c = fileCipher(key);
  const plain = Buffer.from("chunk zero plaintext ".repeat(100));

  it("round-trips, and ciphertext differs from plaintext by more than the tag", () => {
    const sealed = encryptChunk(c, 0, plain);
    expect(sealed.length).toBe(plain.length + 16);
    expect(sealed.includes(plain.subarray(0, 32))).toBe(false);
    expect(decryptChunk(c, 0, sealed).equals(plain)).toBe(true);
  });

  it("uses a distinct nonce per chunk: equal plaintexts at different indexes encrypt differently", () => {
    expect(encryptChunk(c, 0, plain).equals(encryptChunk(c, 1, plain))).toBe(false);
    expect(chunkNonce(c.noncePrefix, 1).subarray(0, 8).equals(Buffer.from(c.noncePrefix))).toBe(true);
    expect(chunkNonce(c.noncePrefix, 0x01020304).subarray(8).toString("hex")).toBe("01020304");
  });

  it("refuses a chunk moved to another position, another file's chunk, a wrong key and tampering", () => {
    const sealed = encryptChunk(c, 3, plain);
    expect(() => decryptChunk(c, 4, sealed)).toThrow(/chunk 4 failed authentication/);
    const sameKeyOtherFile = fileCipher(key, undefined, c.noncePrefix);
    expect(() => decryptChunk(sameKeyOtherFile, 3, sealed)).toThrow(/failed authentication/);
    expect(() => decryptChunk(fileCipher(newFileKey(), c.fileId, c.noncePrefix), 3, sealed)).toThrow(
      /failed authentication/,
    );
    const tampered = Buffer.from(sealed);
    tampered[10]! ^= 0x80;
    expect(() => decryptChunk(c, 3, tampered)).toThrow(/failed authentication/);
  });

  it("authenticates the manifest: any change to sizes or chunk order is detected", () => {
    const m: Manifest = {
      version: 1,
      totalSize: 20n,
      chunkSize: 10n,
      chunks: [
        { cid: "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am", size: 26n, plainSize: 10n, shards: [] },
        { cid: "bafkreih735jztvojsmxpvcx4bqqrseniiter3t3tbxl5m7tmizugjj46ta", size: 26n, plainSize: 10n, shards: [] },
      ],
      encryption: encryptionFields(c),
      name: "",
      erasure: undefined,
    };
    m.encryption!.manifestTag = manifestTag(c, m);
    expect(verifyManifestTag(c, m)).toBe(true);
    const swapped = { ...m, chunks: [m.chunks[1]!, m.chunks[0]!] };
    expect(verifyManifestTag(c, swapped)).toBe(false);
    expect(verifyManifestTag(c, { ...m, totalSize: 19n })).toBe(false);
    expect(verifyManifestTag(fileCipher(newFileKey(), c.fileId, c.noncePrefix), m)).toBe(false);
  });
});
