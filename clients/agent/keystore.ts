/**
 * @module Local keystore for file keys: `$DSDN_HOME/keys/` (dir 0700, files 0600), each key sealed with
 * AES-256-GCM under a passphrase (scrypt) or a key file, written atomically, permissions checked on load.
 */
import { randomBytes, scrypt } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../common/errors.js";
import { bytesEqual, fromHex, toHex } from "../../common/hash.js";
import { checkPrivate, privateDir, writePrivateFile } from "../../common/privateFile.js";
import { aesGcmOpen, aesGcmSeal, KEY_BYTES, keyIdOf } from "./encryption.js";

export { privateDir, writePrivateFile } from "../../common/privateFile.js";

/** A plaintext key file: what `dsdn key recover` writes where the user asks (an explicit export). */
export const KEY_FILE_FORMAT = "dsdn-file-key/v1";
/** A keystore entry: the key sealed under the keystore secret. */
export const SEALED_KEY_FORMAT = "dsdn-file-key/v2";
/** The keystore secret file created on first use when no passphrase is set (keep it off backups of the keys). */
export const KEYSTORE_KEY_FILE = "keystore.key";

/** scrypt cost: N = 2^15, r = 8, p = 1 (OWASP minimum for scrypt), ≈ 32 MiB and ~0.1 s per unlock. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const;

export function dsdnHome(): string {
  return process.env.DSDN_HOME && process.env.DSDN_HOME !== "" ? process.env.DSDN_HOME : join(homedir(), ".dsdn");
}

export interface KeyFile {
  readonly format: typeof KEY_FILE_FORMAT;
  readonly keyId: string;
  readonly key: string;
  readonly manifest?: string;
  readonly createdAt: string;
}

interface SealedKeyFile {
  readonly format: typeof SEALED_KEY_FORMAT;
  readonly keyId: string;
  readonly manifest?: string;
  readonly createdAt: string;
  readonly kdf: { name: "scrypt"; salt: string; N: number; r: number; p: number } | { name: "keyfile" };
  readonly nonce: string;
  readonly sealed: string;
}

export function keyFileText(key: Uint8Array, manifest?: string): string {
  const body: KeyFile = {
    format: KEY_FILE_FORMAT,
    keyId: toHex(keyIdOf(key)),
    key: toHex(key),
    ...(manifest ? { manifest } : {}),
    createdAt: new Date().toISOString(),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** Reads a plaintext key file (one `dsdn key recover` wrote), checks its permissions and that the key matches its id. */
export async function readKeyFile(path: string): Promise<{ key: Uint8Array; keyId: Uint8Array; manifest?: string }> {
  let parsed: Partial<KeyFile>;
  try {
    parsed = JSON.parse(await readFile(path, "utf8"));
  } catch (e) {
    throw new InvalidArgumentError(`cannot read key file ${path}`, { details: (e as Error).message, cause: e });
  }
  if (parsed.format !== KEY_FILE_FORMAT || typeof parsed.key !== "string" || parsed.key.length !== KEY_BYTES * 2) {
    throw new InvalidArgumentError(`${path} is not a DSDN key file (expected format "${KEY_FILE_FORMAT}")`);
  }
  const key = fromHex(parsed.key);
  const keyId = keyIdOf(key);
  if (typeof parsed.keyId === "string" && !bytesEqual(fromHex(parsed.keyId), keyId)) {
    throw new BaseError(ErrorCode.Integrity, `key file ${path} is damaged: its key does not match its key id`);
  }
  await checkPrivate(path, "key file");
  return { key, keyId, ...(parsed.manifest ? { manifest: parsed.manifest } : {}) };
}

export interface KeystoreOptions {
  /** Unlock with this passphrase (scrypt). Default: DSDN_KEYSTORE_PASSPHRASE. */
  readonly passphrase?: string;
  /** Or with this 32-byte key file (hex). Default: DSDN_KEYSTORE_KEY_FILE, else `<home>/keystore.key` (created 0600). */
  readonly keyFile?: string;
}

const aadFor = (keyId: string, manifest: string | undefined) =>
  new TextEncoder().encode(`${SEALED_KEY_FORMAT}\0${keyId}\0${manifest ?? ""}`);

function scryptKey(passphrase: string, salt: Uint8Array, p: { N: number; r: number; p: number }): Promise<Buffer> {
  if (p.N > 1 << 20 || p.r > 16 || p.p > 4)
    throw new InvalidArgumentError("keystore entry asks for an unreasonable scrypt cost");
  return new Promise((ok, fail) =>
    scrypt(passphrase.normalize("NFKC"), salt, KEY_BYTES, { ...p, maxmem: 256 * p.N * p.r + (1 << 20) }, (e, k) =>
      e ? fail(e) : ok(k),
    ),
  );
}

export class Keystore {
  readonly home: string;
  readonly keysDir: string;
  private readonly passphrase: string | undefined;
  private readonly keyFilePath: string;

  constructor(home: string = dsdnHome(), options: KeystoreOptions = {}) {
    this.home = home;
    this.keysDir = join(home, "keys");
    const env = process.env.DSDN_KEYSTORE_PASSPHRASE;
    this.passphrase = options.passphrase ?? (env !== undefined && env !== "" ? env : undefined);
    const kf = options.keyFile ?? process.env.DSDN_KEYSTORE_KEY_FILE;
    this.keyFilePath = kf !== undefined && kf !== "" ? kf : join(home, KEYSTORE_KEY_FILE);
  }

  pathFor(keyId: Uint8Array): string {
    return join(this.keysDir, `${toHex(keyId)}.json`);
  }

  /** The key-file secret, created (0600, atomically) on first use; refused when others can read it. */
  private async fileSecret(create: boolean): Promise<Uint8Array> {
    if (create && !(await stat(this.keyFilePath).catch(() => null))) {
      await privateDir(this.home);
      await writePrivateFile(this.keyFilePath, `${randomBytes(KEY_BYTES).toString("hex")}\n`);
    }
    await checkPrivate(this.keyFilePath, "keystore key file");
    const hex = (await readFile(this.keyFilePath, "utf8")).trim();
    if (!/^[0-9a-f]{64}$/.test(hex))
      throw new InvalidArgumentError(`${this.keyFilePath} is not a 32-byte hex key file`);
    return fromHex(hex);
  }

  /** Stores a file key under its id, sealed; returns the entry's path. */
  async save(key: Uint8Array, manifest?: string): Promise<string> {
    await privateDir(this.home);
    await privateDir(this.keysDir);
    const keyId = toHex(keyIdOf(key));
    const nonce = randomBytes(12);
    let kdf: SealedKeyFile["kdf"];
    let wrap: Uint8Array;
    if (this.passphrase !== undefined) {
      const salt = randomBytes(16);
      kdf = { name: "scrypt", salt: salt.toString("hex"), ...SCRYPT };
      wrap = await scryptKey(this.passphrase, salt, SCRYPT);
    } else {
      kdf = { name: "keyfile" };
      wrap = await this.fileSecret(true);
    }
    const body: SealedKeyFile = {
      format: SEALED_KEY_FORMAT,
      keyId,
      ...(manifest ? { manifest } : {}),
      createdAt: new Date().toISOString(),
      kdf,
      nonce: nonce.toString("hex"),
      sealed: aesGcmSeal(wrap, nonce, aadFor(keyId, manifest), key).toString("hex"),
    };
    const path = this.pathFor(keyIdOf(key));
    await writePrivateFile(path, `${JSON.stringify(body, null, 2)}\n`);
    return path;
  }

  /** The key with this id, or null when this machine does not hold it. */
  async load(keyId: Uint8Array): Promise<Uint8Array | null> {
    const path = this.pathFor(keyId);
    if (!(await stat(path).catch(() => null))) return null;
    await checkPrivate(this.keysDir, "keystore directory");
    await checkPrivate(path, "keystore entry");
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<SealedKeyFile> & Partial<KeyFile>;
    let key: Uint8Array;
    if (parsed.format === KEY_FILE_FORMAT) {
      // An entry written before the keystore was encrypted: read it once and seal it in place.
      key = (await readKeyFile(path)).key;
      await this.save(key, parsed.manifest);
    } else if (parsed.format === SEALED_KEY_FORMAT && parsed.kdf && parsed.nonce && parsed.sealed && parsed.keyId) {
      let wrap: Uint8Array;
      if (parsed.kdf.name === "scrypt") {
        if (this.passphrase === undefined)
          throw new BaseError(ErrorCode.Unauthorized, `keystore entry ${path} is passphrase-protected`, {
            details: "Set DSDN_KEYSTORE_PASSPHRASE to unlock it.",
          });
        wrap = await scryptKey(this.passphrase, fromHex(parsed.kdf.salt), parsed.kdf);
      } else wrap = await this.fileSecret(false);
      const opened = aesGcmOpen(
        wrap,
        fromHex(parsed.nonce),
        aadFor(parsed.keyId, parsed.manifest),
        fromHex(parsed.sealed),
      );
      if (!opened)
        throw new BaseError(ErrorCode.Unauthorized, `cannot unlock keystore entry ${path}`, {
          details:
            parsed.kdf.name === "scrypt"
              ? "Wrong DSDN_KEYSTORE_PASSPHRASE, or the entry was altered."
              : `Wrong keystore key file (${this.keyFilePath}), or the entry was altered.`,
        });
      key = opened;
    } else {
      throw new InvalidArgumentError(`${path} is not a DSDN keystore entry`);
    }
    if (!bytesEqual(keyIdOf(key), keyId)) {
      throw new BaseError(ErrorCode.Integrity, `keystore file ${path} holds a different key than its name says`);
    }
    return key;
  }
}
