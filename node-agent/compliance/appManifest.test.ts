import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { fromHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { checkAppManifest, encodeAppManifest, openAppManifest, signAppManifest } from "./appManifest.js";
import { BlockList } from "./blockList.js";

const owner = secp256k1KeyPair(fromHex("a1".repeat(32)));
const mallory = secp256k1KeyPair(fromHex("a2".repeat(32)));
const cid = (s: string) => cidForBytes(new TextEncoder().encode(s));
const INDEX = cid("<h1>hi</h1>");
const CSS = cid("body{}");
const WASM = cid("\0asm");
const FORBIDDEN = cid("forbidden");
const site = { name: "my-site", type: "static" as const, files: { "/index.html": INDEX, "/style.css": CSS } };
const enc = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
const blockedList = (value: string) => {
  const l = new BlockList();
  l.add({ kind: "cid", value, reason: "court order", proposalId: "1", decisionId: "1", height: "3" });
  return l;
};

describe("owner-signed app manifests", () => {
  it("a normal manifest (static or web_app) passes: signature by its owner, no forbidden CID", () => {
    const m = signAppManifest(site, owner);
    expect(checkAppManifest(encodeAppManifest(m), new BlockList())).toEqual(m);
    const app = signAppManifest({ name: "api", type: "web_app", files: { "/index.html": INDEX }, module: WASM }, owner);
    expect(checkAppManifest(encodeAppManifest(app), blockedList(FORBIDDEN)).module).toBe(WASM);
  });

  it("a manifest naming a forbidden CID (a file or the module) is refused, naming the block", () => {
    const withFile = signAppManifest({ ...site, files: { ...site.files, "/x.bin": FORBIDDEN } }, owner);
    expect(() => checkAppManifest(encodeAppManifest(withFile), blockedList(FORBIDDEN))).toThrow(
      /blocked by governance \(proposal 1\): court order/,
    );
    const withModule = signAppManifest({ name: "api", type: "web_app", files: site.files, module: FORBIDDEN }, owner);
    expect(() => checkAppManifest(encodeAppManifest(withModule), blockedList(FORBIDDEN))).toThrow(/blocked/);
  });

  it("refuses every forgery and malformed manifest an attacker controls", () => {
    const m = signAppManifest(site, owner);
    const other = signAppManifest(site, mallory);
    const cases: [string, unknown, RegExp][] = [
      [
        "a file swapped after signing",
        { ...m, files: { ...m.files, "/index.html": FORBIDDEN } },
        /not signed by its owner/,
      ],
      ["owner claimed, another key signed", { ...other, owner: m.owner }, /not signed by its owner/],
      ["owner's key, another's signature", { ...m, signature: other.signature }, /not signed by its owner/],
      ["no signature", { ...m, signature: "" }, /not signed by its owner/],
      ["type changed", { ...m, type: "web_app", module: WASM }, /not signed by its owner/],
      ["unknown field", { ...m, admin: true }, /unknown field/],
      ["web_app without module", { ...m, type: "web_app" }, /names its wasm module/],
      ["path escaping", { ...m, files: { "/../etc/passwd": INDEX } }, /"\.\."/],
      ["not a CID", { ...m, files: { "/a": "QmNotRaw" } }, /not a CID/],
      ["no files", { ...m, files: {} }, /1\.\.1024/],
      ["bad owner", { ...m, owner: "cosmos1xyz" }, /owner/],
    ];
    for (const [what, bad, re] of cases) expect(() => openAppManifest(enc(bad)), what).toThrow(re);
    expect(() => openAppManifest(new TextEncoder().encode("{not json"))).toThrow(/not JSON/);
    expect(() => openAppManifest(new Uint8Array(64 * 1024 + 1))).toThrow(/at most/);
  });
});
