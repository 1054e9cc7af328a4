/** Key shares at rest: round trip, 0600, wrong passphrase / key file, tampering, permissions. */
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { toHex } from "../../../common/hash.js";
import { encodeMessage } from "../../../common/protobuf.js";
import { KeyShare } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { KeyShareDecryptError } from "./errors.js";
import {
  createKeyFile,
  KeyShareStore,
  loadKeyShareFile,
  openKeyShare,
  readKeyFile,
  saveKeyShareFile,
  sealKeyShare,
} from "./keyStore.js";

const dir = mkdtempSync(join(tmpdir(), "dsdn-frost-ks-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Low scrypt cost keeps the test fast; the default (2^15) is exercised once below.
const fast = { N: 1024, r: 8, p: 1 };

function sampleShare(): KeyShare {
  return KeyShare.fromPartial({
    epoch: 42n,
    sessionId: randomBytes(32),
    threshold: 3,
    members: [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)],
    participantIndex: 2,
    signingShare: randomBytes(32),
    groupPublicKey: randomBytes(32),
    verifyingShares: [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)],
    commitments: [randomBytes(32), randomBytes(32), randomBytes(32)],
  });
}

describe("key-share files", () => {
  it("passphrase: saves 0600, loads back identical, and never holds the share in clear", async () => {
    const share = sampleShare();
    const path = join(dir, "a.share.json");
    await saveKeyShareFile(path, share, { kind: "passphrase", passphrase: "correct horse", scrypt: fast });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain(toHex(share.signingShare));
    expect(text).not.toContain(Buffer.from(share.signingShare).toString("base64"));
    expect(JSON.parse(text)).toMatchObject({
      format: "dsdn-frost-key-share",
      version: 1,
      epoch: "42",
      kdf: { name: "scrypt" },
    });
    const back = await loadKeyShareFile(path, { kind: "passphrase", passphrase: "correct horse" });
    expect(Buffer.from(encodeMessage(KeyShare, back)).equals(Buffer.from(encodeMessage(KeyShare, share)))).toBe(true);
  });

  it("a wrong passphrase gives a clear error", async () => {
    const path = join(dir, "b.share.json");
    await saveKeyShareFile(path, sampleShare(), { kind: "passphrase", passphrase: "right", scrypt: fast });
    const err = await loadKeyShareFile(path, { kind: "passphrase", passphrase: "wrong" }).catch((e) => e);
    expect(err).toBeInstanceOf(KeyShareDecryptError);
    expect(err.message).toMatch(
      /cannot decrypt key share .*b\.share\.json: wrong passphrase, or the file was modified/,
    );
    const key = await loadKeyShareFile(path, { kind: "keyfile", key: randomBytes(32) }).catch((e) => e);
    expect(key.message).toMatch(/protected by a passphrase, but a key file was given/);
  });

  it("key file: round trip; another key file fails; the header is authenticated", async () => {
    const kf = join(dir, "frost.key");
    await createKeyFile(kf);
    expect(statSync(kf).mode & 0o777).toBe(0o600);
    const key = await readKeyFile(kf);
    const share = sampleShare();
    const text = await sealKeyShare(share, { kind: "keyfile", key });
    expect((await openKeyShare(text, { kind: "keyfile", key })).participantIndex).toBe(2);
    await expect(openKeyShare(text, { kind: "keyfile", key: randomBytes(32) })).rejects.toThrow(/wrong key file/);
    const edited = JSON.stringify({ ...JSON.parse(text), participantIndex: 3 });
    await expect(openKeyShare(edited, { kind: "keyfile", key })).rejects.toThrow(KeyShareDecryptError);
    const flipped = JSON.parse(text);
    const ct = Buffer.from(flipped.ciphertext, "base64");
    ct[0]! ^= 1;
    flipped.ciphertext = ct.toString("base64");
    await expect(openKeyShare(JSON.stringify(flipped), { kind: "keyfile", key })).rejects.toThrow(KeyShareDecryptError);
    await expect(openKeyShare("not json", { kind: "keyfile", key })).rejects.toThrow(/not valid JSON/);
  });

  it("refuses files others can read, and empty passphrases", async () => {
    const path = join(dir, "c.share.json");
    await saveKeyShareFile(path, sampleShare(), { kind: "passphrase", passphrase: "p", scrypt: fast });
    chmodSync(path, 0o644);
    await expect(loadKeyShareFile(path, { kind: "passphrase", passphrase: "p" })).rejects.toThrow(
      /readable by other users/,
    );
    await expect(sealKeyShare(sampleShare(), { kind: "passphrase", passphrase: "" })).rejects.toThrow(
      /must not be empty/,
    );
    const bad = join(dir, "bad.key");
    writeFileSync(bad, "xyz\n", { mode: 0o600 });
    await expect(readKeyFile(bad)).rejects.toThrow(/64 hex/);
  });

  it("KeyShareStore finds a share by group key with the default scrypt cost", async () => {
    const store = new KeyShareStore(join(dir, "store"), { kind: "passphrase", passphrase: "s3cret" });
    const share = sampleShare();
    const path = await store.save(share);
    expect(path).toMatch(new RegExp(`frost-e42-${toHex(share.groupPublicKey)}\\.share\\.json$`));
    expect(JSON.parse(readFileSync(path, "utf8")).kdf).toMatchObject({ N: 32768, r: 8, p: 1 });
    const fresh = new KeyShareStore(join(dir, "store"), { kind: "passphrase", passphrase: "s3cret" });
    expect((await fresh.load(share.groupPublicKey))!.participantIndex).toBe(2);
    expect(await fresh.load(randomBytes(32))).toBeUndefined();
    const wrong = new KeyShareStore(join(dir, "store"), { kind: "passphrase", passphrase: "nope" });
    await expect(wrong.load(share.groupPublicKey)).rejects.toThrow(KeyShareDecryptError);
  });
});
