import { describe, expect, it } from "vitest";
import { concatBytes } from "../../common/hash.js";
import { type MessageSchema, rejectUnknownFields, type SchemaResolver } from "./unknownFields.js";

const varint = (n: bigint): Uint8Array => {
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Uint8Array.from(out);
};
const tag = (f: number, wt: number) => varint((BigInt(f) << 3n) | BigInt(wt));
const len = (f: number, v: Uint8Array) => concatBytes(tag(f, 2), varint(BigInt(v.length)), v);

const schemas: Record<string, MessageSchema> = {
  "t.Outer": { 1: "varint", 2: "bytes", 3: ".t.Inner", 4: "varint[]", 5: ".google.protobuf.Any", 6: "fixed32" },
  "t.Inner": { 1: "bytes", 2: ".t.Inner" },
};
const resolver: SchemaResolver = {
  message: (n) => schemas[n],
  any: (url) => (url === "/t.Inner" ? schemas["t.Inner"] : undefined),
};
const check = (b: Uint8Array, allowNonCritical = false) =>
  rejectUnknownFields(b, schemas["t.Outer"]!, "t.Outer", allowNonCritical, resolver);

describe("rejectUnknownFields (the SDK's unknownproto rules)", () => {
  it("accepts known fields, packed repeated numbers and nested / Any messages", () => {
    const inner = len(1, Uint8Array.of(1, 2));
    const any = concatBytes(len(1, new TextEncoder().encode("/t.Inner")), len(2, inner));
    expect(
      check(
        concatBytes(
          tag(1, 0),
          varint(5n),
          len(3, inner),
          len(4, Uint8Array.of(1, 2, 3)),
          tag(4, 0),
          varint(9n),
          len(5, any),
        ),
      ),
    ).toBe(false);
  });

  it("refuses a critical unknown field at any depth, and a non-critical one unless allowed", () => {
    expect(() => check(concatBytes(tag(7, 0), varint(1n)))).toThrow(/unknown field 7 \(wire type 0\) in t\.Outer/);
    expect(() => check(len(3, len(2, len(9, Uint8Array.of(1)))))).toThrow(/unknown field 9 .* in t\.Inner/);
    const nonCritical = len(3, len(1030, Uint8Array.of(1)));
    expect(() => check(nonCritical)).toThrow(/unknown field 1030/);
    expect(check(nonCritical, true)).toBe(true);
    // Field 1023 has bit 11 clear: critical.
    expect(() => check(concatBytes(tag(1023, 0), varint(1n)), true)).toThrow(/unknown field 1023/);
  });

  it("consumes a non-critical unknown group and refuses a stray end-group", () => {
    const group = concatBytes(tag(1025, 3), tag(1, 0), varint(1n), tag(1025, 4));
    expect(check(group, true)).toBe(true);
    expect(() => check(concatBytes(tag(1025, 3), tag(1, 0), varint(1n), tag(1026, 4)), true)).toThrow(
      /mismatched end group/,
    );
    expect(() => check(tag(1, 4), true)).toThrow();
  });

  it("refuses wire-type mismatches, unresolvable Anys, bad lengths, overlong varints and deep nesting", () => {
    expect(() => check(len(1, Uint8Array.of(1)))).toThrow(/wire type 2 does not fit varint/);
    expect(() => check(concatBytes(tag(6, 1), new Uint8Array(8)))).toThrow(/does not fit fixed32/);
    expect(() => check(concatBytes(tag(3, 0), varint(1n)))).toThrow(/message needs wire type 2/);
    expect(() => check(len(5, len(1, new TextEncoder().encode("/x.Nope"))))).toThrow(
      /unable to resolve type URL \/x\.Nope/,
    );
    expect(() => check(concatBytes(tag(2, 2), varint(1000n), Uint8Array.of(1)))).toThrow(/past the end/);
    expect(() =>
      check(concatBytes(tag(1, 0), Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f))),
    ).toThrow(/64 bits/);
    let deep: Uint8Array = new Uint8Array();
    for (let i = 0; i < 100; i++) deep = len(2, deep);
    expect(() => check(len(3, deep))).toThrow(/nested too deeply/);
  });
});
