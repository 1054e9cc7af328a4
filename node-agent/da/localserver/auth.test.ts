/** @module Local DA JWTs: HS256 signature, `Allow` claim, forgery and tampering rejected. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { issueTokens, PERMISSION_LEVELS, signJwt, verifyJwt } from "./auth.js";

const secret = new Uint8Array(32).fill(7);

describe("JWT", () => {
  it("round-trips permissions", () => {
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(verifyJwt(signJwt({ Allow: PERMISSION_LEVELS.write, exp }, secret), secret)).toEqual([
      "public",
      "read",
      "write",
    ]);
  });
  it("rejects another secret, edited claims, alg none and expired tokens", () => {
    const t = signJwt({ Allow: ["public", "read"], exp: Math.floor(Date.now() / 1000) + 60 }, secret);
    expect(verifyJwt(t, new Uint8Array(32).fill(8))).toBeUndefined();
    const [h, , s] = t.split(".");
    const body = Buffer.from(JSON.stringify({ Allow: ["public", "read", "write", "admin"] })).toString("base64url");
    expect(verifyJwt(`${h}.${body}.${s}`, secret)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    expect(verifyJwt(`${none}.${body}.`, secret)).toBeUndefined();
    expect(verifyJwt(signJwt({ Allow: ["read"], exp: 1 }, secret), secret)).toBeUndefined();
    expect(verifyJwt("garbage", secret)).toBeUndefined();
  });

  it("refuses a token that never expires, and issues only expiring tokens", () => {
    expect(verifyJwt(signJwt({ Allow: PERMISSION_LEVELS.admin }, secret), secret)).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), "dsdn-jwt-"));
    try {
      const { tokens } = issueTokens(dir, secret, 3600);
      for (const t of [tokens.read, tokens.write, tokens.admin]) {
        const claims = JSON.parse(Buffer.from(t.split(".")[1]!, "base64url").toString());
        expect(claims.exp - Math.floor(Date.now() / 1000)).toBeGreaterThan(3500);
        expect(claims.exp - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(3600);
      }
      expect(verifyJwt(tokens.read, secret)).toEqual(["public", "read"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
