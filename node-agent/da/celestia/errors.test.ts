/** @module celestia-node error strings → kinds, transient vs fatal, and secret redaction. */
import { describe, expect, it } from "vitest";
import { classifyDAError, DAError, displayUrl, isTransientKind, redactSecret } from "./errors.js";

describe("classifyDAError", () => {
  const cases: [string, string, boolean][] = [
    ["blob: not found", "not_found", false],
    ["header: given height is from the future: networkHeight: 10, requestedHeight: 20", "future_height", true],
    ["header: syncing in progress: localHead: 5, requestedHeight: 9", "syncing", true],
    ["requested header (5) is below Tail (100)", "pruned", false],
    ["missing permission to invoke 'Submit' (need 'write')", "permission", false],
    ["HTTP 401 Unauthorized", "unauthorized", false],
    ["context deadline exceeded", "timeout", true],
    ["dial tcp 127.0.0.1:26658: connect: connection refused", "unavailable", true],
    ["ECONNRESET", "unavailable", true],
    ["request bigger than maximum 16777216 allowed", "too_large", false],
    ["account sequence mismatch, expected 5, got 4: incorrect account sequence", "sequence", true],
    ["tx already in mempool", "mempool", true],
    ["insufficient fees; got: 10utia required: 20utia", "funds", false],
    ["height is equal to 0", "invalid", false],
    ["wrong param count (method 'blob.Get'): 1 != 3", "invalid", false],
    ["something odd", "other", false],
  ];
  for (const [text, kind, transient] of cases) {
    it(`${text} → ${kind}`, () => {
      expect(classifyDAError(text)).toBe(kind);
      expect(isTransientKind(classifyDAError(text))).toBe(transient);
    });
  }
  it("DAError carries the stable code and the transient flag", () => {
    const e = new DAError("not_found", "blob.Get: blob: not found", { method: "blob.Get", rpcCode: 1 });
    expect(e.code).toBe("DSDN_NOT_FOUND");
    expect(e.transient).toBe(false);
    expect(e.toJSON().meta).toMatchObject({ kind: "not_found", method: "blob.Get", rpcCode: 1 });
  });
  it("redacts the token and URL credentials", () => {
    expect(redactSecret("bad token abc.def.ghi here abc.def.ghi", "abc.def.ghi")).toBe(
      "bad token <redacted> here <redacted>",
    );
    expect(displayUrl("http://user:pw@host:26658/?token=xyz")).toBe("http://host:26658/?token=%3Credacted%3E");
  });
});
