/** @module Namespace version-0 rules, reserved range and name-derived namespaces. */
import { describe, expect, it } from "vitest";
import { sha256, toHex } from "../../../common/hash.js";
import {
  NAMESPACE_SIZE,
  namespaceFromName,
  namespaceToBase64,
  namespaceV0,
  parseNamespaceBase64,
  parseNamespaceHex,
} from "./namespace.js";

describe("namespace", () => {
  it("parses 58 hex characters as the whole 29 bytes", () => {
    const ns = parseNamespaceHex("00000000000000000000000000000000000000000000C27FC4694D31D1");
    expect(ns.length).toBe(NAMESPACE_SIZE);
    expect(namespaceToBase64(ns)).toBe(Buffer.from(ns).toString("base64"));
    expect(parseNamespaceBase64("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQIDBAU=")).toEqual(
      namespaceV0(Uint8Array.of(1, 2, 3, 4, 5)),
    );
  });
  it("refuses wrong length, wrong version, non-zero prefix and the reserved range", () => {
    expect(() => parseNamespaceHex("00")).toThrow(/58 hex/);
    expect(() => parseNamespaceHex(`01${"00".repeat(27)}05`)).toThrow(/version-0/);
    expect(() => parseNamespaceHex(`00${"00".repeat(17)}01${"00".repeat(9)}05`)).toThrow(/18 zero bytes/);
    expect(() => parseNamespaceHex(`${"00".repeat(28)}ff`)).toThrow(/reserved/);
    expect(() => parseNamespaceHex(`${"00".repeat(28)}01`)).toThrow(/reserved/);
    expect(() => parseNamespaceHex(`${"00".repeat(27)}0100`)).not.toThrow();
    expect(() => namespaceV0(new Uint8Array(11).fill(1))).toThrow(/at most 10/);
  });
  it("derives sha256(name)[:10] as the sub-id", () => {
    const ns = namespaceFromName("dsdn-mainnet");
    expect(toHex(ns.subarray(19))).toBe(toHex(sha256(new TextEncoder().encode("dsdn-mainnet")).subarray(0, 10)));
    expect(toHex(ns.subarray(0, 19))).toBe("00".repeat(19));
    expect(namespaceFromName("a")).not.toEqual(namespaceFromName("b"));
  });
});
