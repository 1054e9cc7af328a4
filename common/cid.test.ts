import fc from "fast-check";
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

  it("the parser-free fast check accepts exactly what parseCid accepts (attack: a near-canonical CID slipping through)", () => {
    const parses = (c: string) => {
      try {
        parseCid(c);
        return true;
      } catch {
        return false;
      }
    };
    const alphabet = "abcdefghijklmnopqrstuvwxyz234567ABZ01=b ";
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.array(
          fc.record({ at: fc.nat(60), ch: fc.nat(alphabet.length - 1), op: fc.constantFrom("set", "cut", "add") }),
          {
            maxLength: 3,
          },
        ),
        (digest, edits) => {
          let c = cidFromSha256(digest);
          expect(isValidCid(c)).toBe(true);
          for (const e of edits) {
            const at = e.at % (c.length + 1);
            const ch = alphabet[e.ch]!;
            c =
              e.op === "set"
                ? c.slice(0, at) + ch + c.slice(at + 1)
                : e.op === "cut"
                  ? c.slice(0, at) + c.slice(at + 1)
                  : c.slice(0, at) + ch + c.slice(at);
          }
          expect(isValidCid(c)).toBe(parses(c));
        },
      ),
      { numRuns: 3000 },
    );
    // The spare bits of the last digit: set, they name the same bytes but are not the canonical string.
    const c = cidFromSha256(new Uint8Array(32));
    for (const last of "abcdefgh") {
      const alt = c.slice(0, -1) + last;
      expect(isValidCid(alt)).toBe(parses(alt));
    }
    // Another codec / hash under the same length: refused by both.
    expect(isValidCid(`bafybei${c.slice(7)}`)).toBe(false);
    expect(isValidCid(c.toUpperCase())).toBe(false);
  });
});
