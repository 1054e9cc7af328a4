import { describe, expect, it } from "vitest";
import { cidForBytes } from "../../common/cid.js";
import { utf8 } from "../../common/encoding.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { contentTypeOf, openSiteManifest, resolveSitePath, signSiteManifest } from "./siteManifest.js";

const owner = secp256k1KeyPair();
const mallory = secp256k1KeyPair();
const cid = (s: string) => cidForBytes(utf8(s));
const files = [
  { path: "index.html", cid: cid("<h1>home</h1>"), size: 13 },
  { path: "css/site.css", cid: cid("h1{}"), size: 4 },
  { path: "docs/index.html", cid: cid("<p>docs</p>"), size: 11 },
];
const enc = (m: unknown) => utf8(JSON.stringify(m));
const SITE = cid("site");

describe("site manifests (owner-signed path → CID)", () => {
  it("round-trips and resolves paths: index.html for the root and directories, exact files, 404 otherwise", () => {
    const m = openSiteManifest(enc(signSiteManifest(files, owner, 1)), SITE);
    expect(resolveSitePath(m, "/")?.file.path).toBe("index.html");
    expect(resolveSitePath(m, "css/site.css")?.file.cid).toBe(files[1]!.cid);
    expect(resolveSitePath(m, "docs")?.file.path).toBe("docs/index.html");
    expect(resolveSitePath(m, "docs/")?.file.path).toBe("docs/index.html");
    expect(resolveSitePath(m, "missing.html")).toBeNull();
    const with404 = openSiteManifest(
      enc(signSiteManifest([...files, { path: "404.html", cid: cid("gone"), size: 4 }], owner, 1)),
      SITE,
    );
    expect(resolveSitePath(with404, "missing.html")).toMatchObject({ status: 404, file: { path: "404.html" } });
  });

  it.each([
    ["unsigned", (m: Record<string, unknown>) => ({ ...m, signature: undefined })],
    [
      "a path swapped to another object after signing",
      (m: Record<string, unknown>) => ({
        ...m,
        files: (m.files as { path: string }[]).map((f) => (f.path === "index.html" ? { ...f, cid: cid("evil") } : f)),
      }),
    ],
    [
      "signed by someone else in the owner's name",
      (m: Record<string, unknown>) => {
        const forged = signSiteManifest(files, mallory, 1) as unknown as Record<string, unknown>;
        return { ...forged, owner: m.owner };
      },
    ],
    [
      "a path escaping the site",
      (m: Record<string, unknown>) => ({ ...m, files: [{ path: "../etc/passwd", cid: cid("x"), size: 1 }] }),
    ],
    ["not JSON", () => "{"],
  ])("refuses a manifest that is %s", (_what, tamper) => {
    const good = signSiteManifest(files, owner, 1) as unknown as Record<string, unknown>;
    const bytes = typeof tamper(good) === "string" ? utf8(tamper(good) as string) : enc(tamper(good));
    expect(() => openSiteManifest(bytes, SITE)).toThrow(/not a valid signed site manifest/);
  });

  it("content types come from the extension, not from the manifest", () => {
    expect(contentTypeOf("index.html")).toMatch(/^text\/html/);
    expect(contentTypeOf("css/site.css")).toMatch(/^text\/css/);
    expect(contentTypeOf("app.JS")).toMatch(/^text\/javascript/);
    expect(contentTypeOf("blob")).toBe("application/octet-stream");
  });
});
