import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../common/hash.js";
import { keyIdOf, newFileKey } from "./encryption.js";
import { dsdnHome, Keystore, keyFileText, readKeyFile } from "./keystore.js";
import { splitKey, writeShareFiles } from "./shamir.js";

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
    const ks = new Keystore(join(dir, "home"), { keyFile: join(dir, "home-secret.key") });
    const key = newFileKey();
    const path = await ks.save(key, "bafkreicysg23kiwv34eg2d7qweipxwosdo2py4ldv42nbauguluen5v6am");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(ks.keysDir).mode & 0o777).toBe(0o700);
    expect(Buffer.from((await ks.load(keyIdOf(key)))!).equals(Buffer.from(key))).toBe(true);
    expect(await ks.load(keyIdOf(newFileKey()))).toBeNull();
    expect(JSON.parse(readFileSync(path, "utf8")).manifest).toMatch(/^bafkrei/);
  });

  it("refuses files that are not key files or whose key does not match its id", async () => {
    const p = join(dir, "bad.json");
    writeFileSync(p, "{}", { mode: 0o600 });
    await expect(readKeyFile(p)).rejects.toThrow(/not a DSDN key file/);
    writeFileSync(p, JSON.stringify({ format: "dsdn-file-key/v1", keyId: "00".repeat(32), key: "11".repeat(32) }));
    await expect(readKeyFile(p)).rejects.toThrow(/damaged/);
  });
});

describe("Keystore at rest", () => {
  const keyHexIn = (path: string, key: Uint8Array) => readFileSync(path, "utf8").toLowerCase().includes(toHex(key));

  it("never stores the key in clear: sealed under a key file (0600) kept apart from the entries", async () => {
    const home = join(dir, "sealed");
    const ks = new Keystore(home, { keyFile: join(dir, "sealed-secret.key") });
    const key = newFileKey();
    const path = await ks.save(key);
    expect(keyHexIn(path, key)).toBe(false);
    expect(JSON.parse(readFileSync(path, "utf8")).format).toBe("dsdn-file-key/v2");
    expect(statSync(join(dir, "sealed-secret.key")).mode & 0o777).toBe(0o600);
    expect(Buffer.from((await ks.load(keyIdOf(key)))!).equals(Buffer.from(key))).toBe(true);
    // Another machine's key file cannot open it.
    const other = new Keystore(home, { keyFile: join(dir, "other-secret.key") });
    await (other as unknown as { fileSecret(c: boolean): Promise<Uint8Array> }).fileSecret(true);
    await expect(other.load(keyIdOf(key))).rejects.toThrow(/cannot unlock keystore entry/);
    expect(readdirSync(ks.keysDir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("passphrase mode: scrypt-sealed, a wrong or missing passphrase cannot open it", async () => {
    const home = join(dir, "pass");
    const key = newFileKey();
    const path = await new Keystore(home, { passphrase: "correct horse battery staple" }).save(key, "bafkreiabc");
    expect(keyHexIn(path, key)).toBe(false);
    expect(JSON.parse(readFileSync(path, "utf8")).kdf.name).toBe("scrypt");
    const ok = await new Keystore(home, { passphrase: "correct horse battery staple" }).load(keyIdOf(key));
    expect(Buffer.from(ok!).equals(Buffer.from(key))).toBe(true);
    await expect(new Keystore(home, { passphrase: "wrong" }).load(keyIdOf(key))).rejects.toThrow(/cannot unlock/);
    const before = process.env.DSDN_KEYSTORE_PASSPHRASE;
    delete process.env.DSDN_KEYSTORE_PASSPHRASE;
    await expect(new Keystore(home).load(keyIdOf(key))).rejects.toThrow(/passphrase-protected/);
    if (before !== undefined) process.env.DSDN_KEYSTORE_PASSPHRASE = before;
  });

  it("refuses entries, directories and key files that other users can read", async () => {
    const home = join(dir, "perms");
    const ks = new Keystore(home, { keyFile: join(home, "k.key") });
    const key = newFileKey();
    const path = await ks.save(key);
    chmodSync(path, 0o644);
    await expect(ks.load(keyIdOf(key))).rejects.toThrow(/accessible by other users/);
    chmodSync(path, 0o600);
    chmodSync(ks.keysDir, 0o755);
    await expect(ks.load(keyIdOf(key))).rejects.toThrow(/keystore directory .* accessible by other users/);
    chmodSync(ks.keysDir, 0o700);
    chmodSync(join(home, "k.key"), 0o640);
    await expect(ks.load(keyIdOf(key))).rejects.toThrow(/keystore key file .* accessible by other users/);
    chmodSync(join(home, "k.key"), 0o600);
    expect(await ks.load(keyIdOf(key))).not.toBeNull();
  });

  it("seals a plaintext entry from an older keystore the first time it is read", async () => {
    const home = join(dir, "legacy");
    const ks = new Keystore(home, { keyFile: join(home, "k.key") });
    await ks.save(newFileKey()); // creates the dirs and key file
    const key = newFileKey();
    const path = ks.pathFor(keyIdOf(key));
    writeFileSync(path, keyFileText(key), { mode: 0o600 });
    expect(keyHexIn(path, key)).toBe(true);
    expect(Buffer.from((await ks.load(keyIdOf(key)))!).equals(Buffer.from(key))).toBe(true);
    expect(keyHexIn(path, key)).toBe(false);
  });

  it("--shares-out into an existing directory leaves that directory's mode alone", async () => {
    const out = join(dir, "shared");
    mkdirSync(out, { mode: 0o755 });
    chmodSync(out, 0o755);
    const shares = await splitKey(newFileKey(), 2, 3, "bafkreiabc");
    const paths = await writeShareFiles(out, shares);
    expect(statSync(out).mode & 0o777).toBe(0o755);
    for (const p of paths) expect(statSync(p).mode & 0o777).toBe(0o600);
    const fresh = join(dir, "fresh-shares");
    await writeShareFiles(fresh, shares);
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
  });
});
