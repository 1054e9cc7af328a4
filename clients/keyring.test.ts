/** @module Keys at rest: the encrypted file backend refuses wrong passphrases, tampering and loose permissions. */
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { toHex } from "../common/hash.js";
import { keyFromMnemonic } from "../common/mnemonic.js";
import { keyringFrom } from "./dsdnd/home.js";
import { readPassphraseFile } from "./dsdnd/passphrase.js";
import { Keyring, type PassphraseSource } from "./keyring.js";

const MNEMONIC =
  "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon art";
const OTHER =
  "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title";
const PASS = "correct horse battery staple";

let dir: string;
const fixed =
  (p: string): PassphraseSource =>
  async () =>
    p;
const fileRing = (p = PASS) => new Keyring(join(dir, "keyring"), "file", fixed(p));
const keyPath = (name: string) => join(dir, "keyring", `${name}.json`);
const edit = (name: string, f: (j: Record<string, any>) => void) => {
  const j = JSON.parse(readFileSync(keyPath(name), "utf8"));
  f(j);
  writeFileSync(keyPath(name), JSON.stringify(j), { mode: 0o600 });
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "keyring-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("file keyring backend", () => {
  it("round trip: a key added with a passphrase decrypts to the same mnemonic and signer", async () => {
    const { info } = await fileRing().add("alice", MNEMONIC);
    expect(info.backend).toBe("file");
    const again = fileRing();
    expect(await again.mnemonic("alice")).toBe(MNEMONIC);
    expect(await again.mnemonic(info.address)).toBe(MNEMONIC);
    const [acc] = await (await again.signer("alice")).getAccounts();
    expect(acc?.address).toBe(info.address);
    expect(again.list().map((k) => k.name)).toEqual(["alice"]);
  });

  it("the file holds no plain-text mnemonic, word run or private key, and is 0600 in a 0700 folder", async () => {
    await fileRing().add("alice", MNEMONIC);
    const { mnemonic: fresh } = await fileRing().add("bob");
    for (const [name, words] of [
      ["alice", MNEMONIC],
      ["bob", fresh],
    ] as const) {
      const text = readFileSync(keyPath(name), "utf8");
      const list = words.split(" ");
      for (let i = 0; i + 3 <= list.length; i++) expect(text).not.toContain(list.slice(i, i + 3).join(" "));
      expect(text).not.toContain(toHex(keyFromMnemonic(words).secretKey));
      expect(text).not.toContain(PASS);
    }
    expect(readdirSync(join(dir, "keyring")).sort()).toEqual(["alice.json", "bob.json"]); // no temp files left
    const { statSync } = await import("node:fs");
    expect(statSync(keyPath("alice")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "keyring")).mode & 0o777).toBe(0o700);
  });

  it("refuses a wrong passphrase with a clear error", async () => {
    await fileRing().add("alice", MNEMONIC);
    await expect(fileRing("wrong passphrase").mnemonic("alice")).rejects.toThrow(/wrong passphrase/);
  });

  it("refuses a too-short new passphrase and a keyring with no way to ask for one", async () => {
    await expect(fileRing("short").add("alice", MNEMONIC)).rejects.toThrow(/at least 8 characters/);
    await expect(new Keyring(join(dir, "keyring"), "file").add("alice", MNEMONIC)).rejects.toThrow(/passphrase/);
  });

  it("refuses every tampered file", async () => {
    const other = keyFromMnemonic(OTHER);
    const { info: bobInfo } = await fileRing().add("bob", OTHER);
    const cases: [string, (j: Record<string, any>) => void, RegExp][] = [
      [
        "flipped ciphertext byte",
        (j) => {
          const c = j.cipher.ciphertext as string;
          j.cipher.ciphertext = `${c[0] === "0" ? "1" : "0"}${c.slice(1)}`;
        },
        /wrong passphrase \(or the key file was modified\)/,
      ],
      ["changed tag", (j) => (j.cipher.tag = "00".repeat(16)), /wrong passphrase \(or the key file was modified\)/],
      [
        "address and pubkey swapped for another key's",
        (j) => {
          j.address = bobInfo.address;
          j.pubkey = toHex(other.publicKey);
        },
        /modified/,
      ],
      ["address alone changed", (j) => (j.address = bobInfo.address), /not its pubkey's/],
      ["weakened kdf cost", (j) => (j.kdf.n = 2), /modified/],
      ["absurd kdf cost", (j) => (j.kdf.n = 2 ** 30), /key derivation parameters/],
      ["renamed inside", (j) => (j.name = "bob"), /does not match the file name/],
      ["unknown cipher", (j) => (j.cipher.name = "none"), /bad cipher fields/],
      ["plain mnemonic planted as a file-backend key", (j) => (j.backend = "test"), /no mnemonic/],
    ];
    for (const [what, change, error] of cases) {
      rmSync(keyPath("alice"), { force: true });
      await fileRing().add("alice", MNEMONIC);
      edit("alice", change);
      await expect(
        (async () => {
          fileRing().list();
          return fileRing().mnemonic("alice");
        })(),
        what,
      ).rejects.toThrow(error);
    }
  });

  it("refuses key files and folders other users can read", async () => {
    await fileRing().add("alice", MNEMONIC);
    chmodSync(keyPath("alice"), 0o644);
    expect(() => fileRing().list()).toThrow(/accessible to other users \(mode 0644\); run: chmod 600/);
    chmodSync(keyPath("alice"), 0o600);
    chmodSync(join(dir, "keyring"), 0o755);
    expect(() => fileRing().list()).toThrow(/accessible to other users \(mode 0755\); run: chmod 700/);
  });

  it("never overwrites an existing key", async () => {
    await fileRing().add("alice", MNEMONIC);
    await expect(fileRing().add("alice", OTHER)).rejects.toThrow(/already exists/);
    expect(await fileRing().mnemonic("alice")).toBe(MNEMONIC);
  });
});

describe("test backend and backend choice", () => {
  it("keeps the plain-text test backend for dev accounts, and names the backend a key needs", async () => {
    const test = new Keyring(join(dir, "keyring"), "test");
    await test.add("dev", MNEMONIC);
    expect(JSON.parse(readFileSync(keyPath("dev"), "utf8")).mnemonic).toBe(MNEMONIC);
    expect(await test.mnemonic("dev")).toBe(MNEMONIC);
    await expect(fileRing().mnemonic("dev")).rejects.toThrow(/--keyring-backend test/);
    await fileRing().add("secret", OTHER);
    await expect(test.mnemonic("secret")).rejects.toThrow(/--keyring-backend file/);
  });

  it("the CLI defaults to the encrypted file backend and reads the passphrase from a private file only", async () => {
    const values = { home: dir };
    expect(keyringFrom(values).backend).toBe(process.env.DSDND_KEYRING_BACKEND ?? "file");
    const pass = join(dir, "pass.txt");
    writeFileSync(pass, `${PASS}\nignored second line\n`, { mode: 0o600 });
    expect(readPassphraseFile(pass)).toBe(PASS);
    const ring = keyringFrom({ home: dir, "keyring-backend": "file", "keyring-passphrase-file": pass });
    await ring.add("alice", MNEMONIC);
    expect(await fileRing().mnemonic("alice")).toBe(MNEMONIC);
    chmodSync(pass, 0o640);
    expect(() => readPassphraseFile(pass)).toThrow(/readable by other users/);
    writeFileSync(join(dir, "empty"), "", { mode: 0o600 });
    expect(() => readPassphraseFile(join(dir, "empty"))).toThrow(/is empty/);
    expect(() => keyringFrom({ home: dir, "keyring-backend": "os" })).toThrow(/must be "test" or "file"/);
  });
});
