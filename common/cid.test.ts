import { describe, expect, it } from "vitest";
import { cidForBytes, cidFromSha256, isValidCid, parseCid, verifyCid } from "./cid.js";
import { sha256 } from "./hash.js";

const enc = new TextEncoder();

describe("CIDv1 raw sha2-256", () => {
  it("equals what IPFS prints for known bytes (ipfs add --cid-version=1 --raw-leaves)", () => {
    expect(cidForBytes(enc.encode("hello world"))).toBe("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e");
    expect(cidForBytes(new Uint8Array())).toBe("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku");
  });

  it("builds the same CID from a precomputed digest and verifies content", () => {
    const data = enc.encode("chunk");
    expect(cidFromSha256(sha256(data))).toBe(cidForBytes(data));
    expect(verifyCid(cidForBytes(data), data)).toBe(true);
    expect(verifyCid(cidForBytes(data), enc.encode("chunK"))).toBe(false);
  });

  it("refuses malformed, foreign and non-canonical CIDs with a clear message", () => {
    expect(isValidCid("bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e")).toBe(true);
    expect(() => parseCid("not-a-cid")).toThrow(/malformed CID/);
    expect(() => parseCid("")).toThrow(/malformed CID/);
    // CIDv0 (dag-pb) is a valid CID but not ours.
    expect(() => parseCid("QmWATWQ7fVPP2EFGu71UkfnqhYXDYH566qy47CnJDgvs8u")).toThrow(/unsupported CID/);
    // Same CID in base58btc instead of base32.
    expect(() => parseCid("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA")).toThrow(/non-canonical|unsupported/);
  });
});
