import { describe, expect, it } from "vitest";
import { Manifest } from "../proto/gen/dsdn/storage/v1/manifest.js";
import { toHex } from "./hash.js";
import { decodeCanonical, decodeMessage, encodeMessage, packAny, unpackAny } from "./protobuf.js";

describe("protobuf helpers", () => {
  const m = {
    version: 1,
    totalSize: 5n,
    chunkSize: 4n,
    chunks: [
      { cid: "bafkreia", size: 4n, plainSize: 4n, shards: [] },
      { cid: "bafkreib", size: 1n, plainSize: 1n, shards: [] },
    ],
    name: "a.txt",
  };

  it("round-trips a message and encodes deterministically", () => {
    const a = encodeMessage(Manifest, m);
    const b = encodeMessage(Manifest, { ...m, chunks: m.chunks.map((c) => ({ ...c })) });
    expect(toHex(a)).toBe(toHex(b));
    const back = decodeMessage(Manifest, a);
    expect(back.totalSize).toBe(5n);
    expect(back.chunks.map((c) => c.cid)).toEqual(["bafkreia", "bafkreib"]);
    expect(decodeCanonical(Manifest, a).name).toBe("a.txt");
  });

  it("known wire bytes for a small message", () => {
    // field 1 varint 1 → 08 01; field 2 varint 5 → 10 05
    expect(toHex(encodeMessage(Manifest, { version: 1, totalSize: 5n }))).toBe("08011005");
  });

  it("rejects garbage and non-canonical encodings with typed errors", () => {
    expect(() => decodeMessage(Manifest, new Uint8Array([0x0a, 0xff, 0xff]))).toThrow(/cannot decode/);
    // field 2 written before field 1: valid protobuf, not canonical.
    expect(() => decodeCanonical(Manifest, new Uint8Array([0x10, 0x05, 0x08, 0x01]))).toThrow(/non-canonical/);
  });

  it("packs and unpacks Any with a type check", () => {
    const any = packAny("/dsdn.storage.v1.Manifest", Manifest, m);
    expect(unpackAny(any, "/dsdn.storage.v1.Manifest", Manifest).chunks).toHaveLength(2);
    expect(() => unpackAny(any, "/dsdn.storage.v1.Other", Manifest)).toThrow(/expected Any/);
  });
});
