import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IDENTITY_FILE, loadOrCreateIdentity } from "./identity.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-identity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("node identity", () => {
  it("is created once with mode 0600 and reloaded unchanged", async () => {
    const a = await loadOrCreateIdentity(dir);
    expect(statSync(join(dir, IDENTITY_FILE)).mode & 0o777).toBe(0o600);
    const b = await loadOrCreateIdentity(dir);
    expect(b.nodeId).toBe(a.nodeId);
    expect(a.nodeId).toMatch(/^[0-9a-f]{64}$/);
  });
  it("refuses a key file other users can read", async () => {
    chmodSync(join(dir, IDENTITY_FILE), 0o644);
    await expect(loadOrCreateIdentity(dir)).rejects.toThrow(/readable by other users/);
    chmodSync(join(dir, IDENTITY_FILE), 0o600);
  });
});
