/** @module Local DA JWTs: HS256 signature, `Allow` claim, forgery and tampering rejected. */
import { describe, expect, it } from "vitest";
import { PERMISSION_LEVELS, signJwt, verifyJwt } from "./auth.js";

const secret = new Uint8Array(32).fill(7);

describe("JWT", () => {
  it("round-trips permissions", () => {
    expect(verifyJwt(signJwt({ Allow: PERMISSION_LEVELS.write }, secret), secret)).toEqual(["public", "read", "write"]);
  });
  it("rejects another secret, edited claims, alg none and expired tokens", () => {
    const t = signJwt({ Allow: ["public", "read"] }, secret);
    expect(verifyJwt(t, new Uint8Array(32).fill(8))).toBeUndefined();
    const [h, , s] = t.split(".");
    const body = Buffer.from(JSON.stringify({ Allow: ["public", "read", "write", "admin"] })).toString("base64url");
    expect(verifyJwt(`${h}.${body}.${s}`, secret)).toBeUndefined();
    const none = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
    expect(verifyJwt(`${none}.${body}.`, secret)).toBeUndefined();
    expect(verifyJwt(signJwt({ Allow: ["read"], exp: 1 }, secret), secret)).toBeUndefined();
    expect(verifyJwt("garbage", secret)).toBeUndefined();
  });
});
