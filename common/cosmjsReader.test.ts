import { BinaryReader, BinaryWriter } from "cosmjs-types/binary";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { utf8Read } from "cosmjs-types/utf8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readString } from "./cosmjsReader.js";
import { latin1String } from "./latin1.js";

/** A protobuf length-delimited field body: the varint length, then the bytes. */
function lengthDelimited(bytes: Uint8Array): Uint8Array {
  return new BinaryWriter().bytes(bytes).finish();
}

describe("cosmjs-types BinaryReader.string (ASCII fast path installed)", () => {
  it("is installed on import", () => {
    expect(BinaryReader.prototype.string).toBe(readString);
  });

  it("gives utf8Read's string for every attacker byte string (invalid, overlong, truncated, surrogates, 4-byte)", () => {
    const table: number[][] = [
      [],
      [0x6e, 0x75, 0x73, 0x61],
      [0x7f, 0x00, 0x41],
      [0xc3, 0xa9],
      [0xc1, 0x81], // overlong "A": utf8Read decodes it leniently, so must the fast path's fallback
      [0xe2, 0x82, 0xac],
      [0xed, 0xa0, 0x80], // an encoded surrogate
      [0xf0, 0x9f, 0x98, 0x80],
      [0xff, 0xfe],
      [0x80],
      [0x41, 0xe2, 0x82], // truncated at the end
      [0x61, 0x80, 0x62],
    ];
    for (const bytes of table) {
      const u8 = Uint8Array.from(bytes);
      expect(new BinaryReader(lengthDelimited(u8)).string()).toBe(utf8Read(u8, 0, u8.length));
    }
  });

  it("matches utf8Read on arbitrary bytes and on arbitrary strings' UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (u8) => {
        expect(new BinaryReader(lengthDelimited(u8)).string()).toBe(utf8Read(u8, 0, u8.length));
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 20 }), (s) => {
        const u8 = new TextEncoder().encode(s);
        expect(new BinaryReader(lengthDelimited(u8)).string()).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it("decodes a MsgSend's addresses and denom as before", () => {
    const msg = { fromAddress: "nusa1from", toAddress: "nusa1tö", amount: [{ denom: "unusa", amount: "5" }] };
    expect(MsgSend.decode(MsgSend.encode(msg).finish())).toEqual(msg);
  });
});

describe("latin1String", () => {
  it("maps byte b to code unit b, on views at any offset", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.nat(16), (u8, off) => {
        const backing = new Uint8Array(off + u8.length + 3);
        backing.set(u8, off);
        const view = backing.subarray(off, off + u8.length);
        const s = latin1String(view);
        expect(s.length).toBe(u8.length);
        expect(Array.from(s, (c) => c.charCodeAt(0))).toEqual(Array.from(u8));
      }),
      { numRuns: 1000 },
    );
  });
});
