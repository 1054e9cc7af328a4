import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { keyIdOf, newFileKey } from "./encryption.js";
import { dsdnHome, Keystore, readKeyFile } from "./keystore.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-keystore-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("Keystore", () => {
  it("honours DSDN_HOME", () => {
    const before = process.env.DSDN_HOME;
    process.env.DSDN_HOME = dir;
    expect(dsdnHome()).toBe(dir);
    if (before === undefined) delete process.env.DSDN_HOME;
    else process.env.DSDN_HOME = before;
  });

  it("saves keys owner-only (dir 0700, file 0600) and finds them by key id", async () => {
    const ks = new Keystore(join(dir, "home"));
    const key = newFileKey();
    const path = await ks.save(key, "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(ks.keysDir).mode & 0o777).toBe(0o700);
    expect(Buffer.from((await ks.load(keyIdOf(key)))!).equals(Buffer.from(key))).toBe(true);
    expect(await ks.load(keyIdOf(newFileKey()))).toBeNull();
    const read = await readKeyFile(path);
    expect(read.manifest).toMatch(/^bafkrei/);
  });

  it("refuses files that are not key files or whose key does not match its id", async () => {
    const p = join(dir, "bad.json");
    writeFileSync(p, "{}");
    await expect(readKeyFile(p)).rejects.toThrow(/not a DSDN key file/);
    writeFileSync(p, JSON.stringify({ format: "dsdn-file-key/v1", keyId: "00".repeat(32), key: "11".repeat(32) }));
    await expect(readKeyFile(p)).rejects.toThrow(/damaged/);
  });
});
