/**
 * @module Key shares encrypted at rest: one 0600 JSON file per share, AES-256-GCM under a key from
 * scrypt(passphrase) or from a 32-byte key file (HKDF per file), header authenticated as AAD.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, scrypt as scryptCb } from "node:crypto";
import { chmod, mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { BaseError, ErrorCode, InvalidArgumentError } from "../../../common/errors.js";
import { fromHex, toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import { KeyShare } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { KeyShareDecryptError } from "./errors.js";

export const KEY_SHARE_FORMAT = "dsdn-frost-key-share";
export const KEY_SHARE_VERSION = 1;
/** scrypt cost: 2^15 × 8 × 128 B = 32 MiB and ~0.1 s per derivation — a guessed passphrase costs the same. */
export const DEFAULT_SCRYPT = { N: 2 ** 15, r: 8, p: 1 } as const;

/** How share files are protected: a passphrase (scrypt) or the bytes of a key file (32 bytes). */
export type KeyShareSecret =
  | { readonly kind: "passphrase"; readonly passphrase: string; readonly scrypt?: { N: number; r: number; p: number } }
  | { readonly kind: "keyfile"; readonly key: Uint8Array };

type Kdf = { name: "scrypt"; salt: string; N: number; r: number; p: number } | { name: "hkdf-sha256"; salt: string };

/** The on-disk JSON. Everything but nonce and ciphertext is bound into the AEAD as associated data. */
export interface KeyShareFile {
  format: typeof KEY_SHARE_FORMAT;
  version: number;
  epoch: string;
  groupPublicKey: string;
  participantIndex: number;
  kdf: Kdf;
  cipher: "aes-256-gcm";
  nonce: string;
  ciphertext: string; // base64 of ciphertext || 16-byte tag
}

function scrypt(passphrase: string, salt: Uint8Array, p: { N: number; r: number; p: number }): Promise<Buffer> {
  return new Promise((ok, fail) =>
    scryptCb(passphrase.normalize("NFKC"), salt, 32, { ...p, maxmem: 256 * p.N * p.r + 1024 * 1024 }, (e, k) =>
      e ? fail(e) : ok(k),
    ),
  );
}

async function deriveKey(secret: KeyShareSecret, kdf: Kdf): Promise<Buffer> {
  const salt = fromHex(kdf.salt);
  if (kdf.name === "scrypt") {
    if (secret.kind !== "passphrase") {
      throw new KeyShareDecryptError("this key share is protected by a passphrase, but a key file was given");
    }
    return scrypt(secret.passphrase, salt, kdf);
  }
  if (secret.kind !== "keyfile") {
    throw new KeyShareDecryptError("this key share is protected by a key file, but a passphrase was given");
  }
  return Buffer.from(hkdfSync("sha256", secret.key, salt, "dsdn-frost-key-share", 32));
}

/** Fixed field order, so writer and reader build identical associated data. */
function headerAad(f: Omit<KeyShareFile, "nonce" | "ciphertext">): Buffer {
  const { format, version, epoch, groupPublicKey, participantIndex, kdf, cipher } = f;
  const k =
    kdf.name === "scrypt"
      ? { name: kdf.name, salt: kdf.salt, N: kdf.N, r: kdf.r, p: kdf.p }
      : { name: kdf.name, salt: kdf.salt };
  return Buffer.from(JSON.stringify([format, version, epoch, groupPublicKey, participantIndex, k, cipher]));
}

/** Encrypts a share into its file body (JSON text). */
export async function sealKeyShare(share: KeyShare, secret: KeyShareSecret): Promise<string> {
  if (secret.kind === "passphrase" && secret.passphrase.length === 0) {
    throw new InvalidArgumentError("the key-share passphrase must not be empty");
  }
  if (secret.kind === "keyfile" && secret.key.length !== 32) {
    throw new InvalidArgumentError("a key file must hold exactly 32 bytes");
  }
  const salt = toHex(randomBytes(16));
  const kdf: Kdf =
    secret.kind === "passphrase"
      ? { name: "scrypt", salt, ...(secret.scrypt ?? DEFAULT_SCRYPT) }
      : { name: "hkdf-sha256", salt };
  const header = {
    format: KEY_SHARE_FORMAT,
    version: KEY_SHARE_VERSION,
    epoch: share.epoch.toString(),
    groupPublicKey: toHex(share.groupPublicKey),
    participantIndex: share.participantIndex,
    kdf,
    cipher: "aes-256-gcm",
  } as const;
  const key = await deriveKey(secret, kdf);
  const nonce = randomBytes(12);
  const c = createCipheriv("aes-256-gcm", key, nonce);
  c.setAAD(headerAad(header));
  const plain = encodeMessage(KeyShare, share);
  const ct = Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
  plain.fill(0);
  key.fill(0);
  const file: KeyShareFile = { ...header, nonce: toHex(nonce), ciphertext: ct.toString("base64") };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/** Decrypts a file body; a wrong passphrase / key file or any edit gives KeyShareDecryptError. */
export async function openKeyShare(text: string, secret: KeyShareSecret, where = "key share"): Promise<KeyShare> {
  let f: KeyShareFile;
  try {
    f = JSON.parse(text) as KeyShareFile;
  } catch (e) {
    throw new BaseError(ErrorCode.Decode, `${where} is not valid JSON`, { cause: e });
  }
  if (f?.format !== KEY_SHARE_FORMAT || f.version !== KEY_SHARE_VERSION || f.cipher !== "aes-256-gcm") {
    throw new BaseError(ErrorCode.Decode, `${where} is not a ${KEY_SHARE_FORMAT} v${KEY_SHARE_VERSION} file`);
  }
  if (f.kdf?.name !== "scrypt" && f.kdf?.name !== "hkdf-sha256") {
    throw new BaseError(ErrorCode.Decode, `${where}: unknown kdf`);
  }
  const key = await deriveKey(secret, f.kdf);
  const ct = Buffer.from(f.ciphertext, "base64");
  let plain: Buffer;
  try {
    const d = createDecipheriv("aes-256-gcm", key, fromHex(f.nonce));
    d.setAAD(headerAad(f));
    d.setAuthTag(ct.subarray(ct.length - 16));
    plain = Buffer.concat([d.update(ct.subarray(0, ct.length - 16)), d.final()]);
  } catch (e) {
    throw new KeyShareDecryptError(
      `cannot decrypt ${where}: wrong ${f.kdf.name === "scrypt" ? "passphrase" : "key file"}, or the file was modified`,
      { cause: e },
    );
  } finally {
    key.fill(0);
  }
  const share = decodeMessage(KeyShare, plain, where);
  plain.fill(0);
  if (share.epoch.toString() !== f.epoch || toHex(share.groupPublicKey) !== f.groupPublicKey) {
    throw new KeyShareDecryptError(`${where}: header does not match the encrypted share`);
  }
  return share;
}

/** Writes via a temp file and rename, so a crash never leaves a half-written share; mode 0600. */
export async function saveKeyShareFile(path: string, share: KeyShare, secret: KeyShareSecret): Promise<void> {
  const body = await sealKeyShare(share, secret);
  const tmp = `${path}.${process.pid}.${toHex(randomBytes(4))}.tmp`;
  await writeFile(tmp, body, { mode: 0o600, flag: "wx" });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}

export async function loadKeyShareFile(path: string, secret: KeyShareSecret): Promise<KeyShare> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new BaseError(ErrorCode.NotFound, `key share ${path} does not exist`);
  if ((st.mode & 0o077) !== 0) {
    throw new BaseError(ErrorCode.InvalidConfig, `key share ${path} is readable by other users`, {
      details: `run: chmod 600 ${path}`,
    });
  }
  return openKeyShare(await readFile(path, "utf8"), secret, `key share ${path}`);
}

/** Creates a key file: 32 random bytes as 64 hex characters, mode 0600; refuses to overwrite. */
export async function createKeyFile(path: string): Promise<void> {
  await writeFile(path, `${toHex(randomBytes(32))}\n`, { mode: 0o600, flag: "wx" });
  await chmod(path, 0o600);
}

export async function readKeyFile(path: string): Promise<Uint8Array> {
  const st = await stat(path).catch(() => null);
  if (!st) throw new BaseError(ErrorCode.NotFound, `key file ${path} does not exist`);
  if ((st.mode & 0o077) !== 0) {
    throw new BaseError(ErrorCode.InvalidConfig, `key file ${path} is readable by other users`, {
      details: `run: chmod 600 ${path}`,
    });
  }
  const hex = (await readFile(path, "utf8")).trim();
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new InvalidArgumentError(`key file ${path} must hold 64 hex characters`);
  return fromHex(hex.toLowerCase());
}

/** A directory of share files, one per (epoch, group key), with decrypted shares cached in memory. */
export class KeyShareStore {
  readonly #cache = new Map<string, KeyShare>();

  constructor(
    readonly dir: string,
    readonly secret: KeyShareSecret,
  ) {}

  static fileName(epoch: bigint, groupPublicKey: Uint8Array): string {
    return `frost-e${epoch}-${toHex(groupPublicKey)}.share.json`;
  }

  async save(share: KeyShare): Promise<string> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const path = join(this.dir, KeyShareStore.fileName(share.epoch, share.groupPublicKey));
    await saveKeyShareFile(path, share, this.secret);
    this.#cache.set(toHex(share.groupPublicKey), share);
    return path;
  }

  /** The shares loaded or saved by this process so far (no disk access). */
  loaded(): KeyShare[] {
    return [...this.#cache.values()];
  }

  /** The share for a group key, or undefined when this participant holds none. */
  async load(groupPublicKey: Uint8Array): Promise<KeyShare | undefined> {
    const hex = toHex(groupPublicKey);
    const hit = this.#cache.get(hex);
    if (hit) return hit;
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const name = names.find((n) => n.endsWith(`-${hex}.share.json`));
    if (!name) return undefined;
    const share = await loadKeyShareFile(join(this.dir, name), this.secret);
    this.#cache.set(hex, share);
    return share;
  }
}
