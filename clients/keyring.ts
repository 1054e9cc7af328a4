/** @module A local keyring of secp256k1 account keys: one file per key (0600) in a 0700 folder, encrypted by default. */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { writeFileAtomicSync } from "../common/atomicFile.js";
import { BaseError, ErrorCode, InvalidArgumentError } from "../common/errors.js";
import { fromHex, toHex } from "../common/hash.js";
import { isValidMnemonic, keyFromMnemonic, newMnemonic } from "../common/mnemonic.js";
import { pubKeyToAddress } from "../common/secp256k1.js";

/**
 * Backends, as the SDK's: "file" encrypts the mnemonic with a passphrase (scrypt + AES-256-GCM) and
 * is the default; "test" stores it in plain text, for the localnet's public dev accounts and CI only.
 */
export type KeyringBackend = "test" | "file";

/** Asks for the passphrase; "new" when a key is being encrypted (confirm it), "unlock" to decrypt. */
export type PassphraseSource = (purpose: "new" | "unlock", keyName: string) => Promise<string>;

export interface KeyInfo {
  readonly name: string;
  readonly address: string;
  readonly pubkey: string; // hex, 33 bytes
  readonly backend: KeyringBackend;
}

export const KEYRING_FORMAT = "dsdnd-keyring/v1";
/** scrypt cost for new keys (~100 ms, 32 MiB); stored per file so it can be raised later. */
const SCRYPT = { n: 1 << 15, r: 8, p: 1 } as const;
/** Costs accepted on load: enough for any file we wrote, bounded so a planted file cannot exhaust memory. */
const SCRYPT_MAX_N = 1 << 20;
const MAX_KEY_FILE_BYTES = 64 * 1024;
export const MIN_PASSPHRASE_LENGTH = 8;
const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;
const HEX = /^(?:[0-9a-f]{2})*$/;

interface Kdf {
  readonly name: "scrypt";
  readonly n: number;
  readonly r: number;
  readonly p: number;
  readonly salt: string;
}
interface Cipher {
  readonly name: "aes-256-gcm";
  readonly nonce: string;
  readonly ciphertext: string;
  readonly tag: string;
}
type KeyFile =
  | (KeyInfo & {
      readonly format: typeof KEYRING_FORMAT;
      readonly backend: "file";
      readonly kdf: Kdf;
      readonly cipher: Cipher;
    })
  | (KeyInfo & { readonly format?: typeof KEYRING_FORMAT; readonly backend: "test"; readonly mnemonic: string });

const scryptAsync = promisify(scrypt) as (
  pass: string,
  salt: Buffer,
  len: number,
  opts: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

function deriveKey(passphrase: string, kdf: Kdf): Promise<Buffer> {
  return scryptAsync(passphrase.normalize("NFKC"), Buffer.from(kdf.salt, "hex"), 32, {
    N: kdf.n,
    r: kdf.r,
    p: kdf.p,
    maxmem: 256 * kdf.n * kdf.r + 1024 * 1024,
  });
}

/** Everything in the file but the ciphertext is authenticated too: a swapped address or weakened kdf is refused. */
function additionalData(f: { name: string; address: string; pubkey: string; kdf: Kdf }): Buffer {
  const { name, address, pubkey, kdf } = f;
  return Buffer.from(
    JSON.stringify([KEYRING_FORMAT, name, address, pubkey, kdf.name, kdf.n, kdf.r, kdf.p, kdf.salt]),
    "utf8",
  );
}

const tampered = (path: string, why: string) =>
  new BaseError(ErrorCode.Integrity, `key file ${path} is damaged or was tampered with: ${why}`);

/** Refuses a keyring path others could read or replace (as ssh does for its keys). */
function checkPrivate(path: string, kind: "dir" | "file"): void {
  const st = lstatSync(path);
  if (kind === "dir" ? !st.isDirectory() : !st.isFile())
    throw new BaseError(ErrorCode.Unauthorized, `${path} must be a ${kind === "dir" ? "directory" : "regular file"}`);
  const getuid = process.getuid?.bind(process);
  if (getuid && st.uid !== getuid()) throw new BaseError(ErrorCode.Unauthorized, `${path} is owned by another user`);
  const mode = st.mode & 0o777;
  if (mode & 0o077) {
    const want = kind === "dir" ? "700" : "600";
    throw new BaseError(
      ErrorCode.Unauthorized,
      `${path} is accessible to other users (mode ${mode.toString(8).padStart(4, "0")}); run: chmod ${want} ${path}`,
    );
  }
}

export class Keyring {
  constructor(
    readonly dir: string,
    readonly backend: KeyringBackend,
    private readonly passphrase?: PassphraseSource,
  ) {}

  private file(name: string): string {
    if (!NAME.test(name)) throw new InvalidArgumentError(`invalid key name "${name}" (letters, digits, _ . - only)`);
    return join(this.dir, `${name}.json`);
  }

  private async askPassphrase(purpose: "new" | "unlock", name: string): Promise<string> {
    if (!this.passphrase)
      throw new BaseError(ErrorCode.Unauthorized, "the file keyring needs a passphrase and none can be asked for here");
    const p = await this.passphrase(purpose, name);
    if (purpose === "new" && [...p].length < MIN_PASSPHRASE_LENGTH)
      throw new InvalidArgumentError(`the keyring passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters`);
    if (p.length === 0) throw new InvalidArgumentError("empty keyring passphrase");
    return p;
  }

  /** Adds a key from a mnemonic (or a new one). Returns the info and the mnemonic to show once. */
  async add(name: string, mnemonic?: string): Promise<{ info: KeyInfo; mnemonic: string }> {
    const path = this.file(name);
    if (existsSync(path)) throw new BaseError(ErrorCode.Conflict, `key "${name}" already exists in ${this.dir}`);
    const words = mnemonic?.trim().split(/\s+/).join(" ") ?? newMnemonic(24);
    if (!isValidMnemonic(words)) throw new InvalidArgumentError("invalid BIP-39 mnemonic");
    const kp = keyFromMnemonic(words);
    const info: KeyInfo = {
      name,
      address: pubKeyToAddress(kp.publicKey),
      pubkey: toHex(kp.publicKey),
      backend: this.backend,
    };
    let body: KeyFile;
    if (this.backend === "file") {
      const passphrase = await this.askPassphrase("new", name);
      const kdf: Kdf = { name: "scrypt", ...SCRYPT, salt: randomBytes(16).toString("hex") };
      const nonce = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", await deriveKey(passphrase, kdf), nonce);
      c.setAAD(additionalData({ ...info, kdf }));
      const ciphertext = Buffer.concat([c.update(words, "utf8"), c.final()]);
      body = {
        format: KEYRING_FORMAT,
        ...info,
        backend: "file",
        kdf,
        cipher: {
          name: "aes-256-gcm",
          nonce: nonce.toString("hex"),
          ciphertext: ciphertext.toString("hex"),
          tag: c.getAuthTag().toString("hex"),
        },
      };
    } else body = { format: KEYRING_FORMAT, ...info, backend: "test", mnemonic: words };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    checkPrivate(this.dir, "dir");
    writeFileAtomicSync(path, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600, noClobber: true });
    return { info, mnemonic: words };
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    checkPrivate(this.dir, "dir");
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json") && !f.startsWith("."))
      .sort()
      .map((f) => strip(this.load(join(this.dir, f))));
  }

  show(nameOrAddress: string): KeyInfo {
    const found = this.list().find((k) => k.name === nameOrAddress || k.address === nameOrAddress);
    if (!found) throw new BaseError(ErrorCode.NotFound, `key "${nameOrAddress}" not found in ${this.dir}`);
    return found;
  }

  /** The mnemonic (decrypted with the passphrase for the file backend); checked against the stored address. */
  async mnemonic(nameOrAddress: string): Promise<string> {
    const info = this.show(nameOrAddress);
    const path = this.file(info.name);
    const k = this.load(path);
    if (k.backend !== this.backend)
      throw new BaseError(
        ErrorCode.Unauthorized,
        `key "${k.name}" is stored by the ${k.backend} keyring backend; pass --keyring-backend ${k.backend}`,
      );
    const words = k.backend === "test" ? k.mnemonic : await this.decrypt(k);
    if (!isValidMnemonic(words) || pubKeyToAddress(keyFromMnemonic(words).publicKey) !== k.address)
      throw tampered(path, "its key does not belong to its address");
    return words;
  }

  async signer(nameOrAddress: string): Promise<DirectSecp256k1HdWallet> {
    return DirectSecp256k1HdWallet.fromMnemonic(await this.mnemonic(nameOrAddress), { prefix: "nusa" });
  }

  private async decrypt(k: Extract<KeyFile, { backend: "file" }>): Promise<string> {
    const passphrase = await this.askPassphrase("unlock", k.name);
    const key = await deriveKey(passphrase, k.kdf);
    try {
      const d = createDecipheriv("aes-256-gcm", key, Buffer.from(k.cipher.nonce, "hex"));
      d.setAAD(additionalData(k));
      d.setAuthTag(Buffer.from(k.cipher.tag, "hex"));
      return Buffer.concat([d.update(Buffer.from(k.cipher.ciphertext, "hex")), d.final()]).toString("utf8");
    } catch (err) {
      // GCM cannot tell a wrong passphrase from a modified file; both are refused the same way.
      throw new BaseError(
        ErrorCode.Unauthorized,
        `cannot decrypt key "${k.name}": wrong passphrase (or the key file was modified)`,
        { cause: err },
      );
    }
  }

  /** Reads and validates one key file: private permissions, bounded size, every field well-formed. */
  private load(path: string): KeyFile {
    checkPrivate(path, "file");
    const text = readFileSync(path, "utf8");
    if (text.length > MAX_KEY_FILE_BYTES) throw tampered(path, "too large");
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw tampered(path, "not JSON");
    }
    const str = (v: unknown, re?: RegExp): v is string => typeof v === "string" && (re === undefined || re.test(v));
    if (!str(raw.name, NAME) || !str(raw.address) || !str(raw.pubkey, /^[0-9a-f]{66}$/))
      throw tampered(path, "bad name, address or pubkey");
    if (`${raw.name}.json` !== path.split(/[\\/]/).pop()) throw tampered(path, "its name does not match the file name");
    if (pubKeyToAddress(fromHex(raw.pubkey)) !== raw.address) throw tampered(path, "its address is not its pubkey's");
    if (raw.backend === "test") {
      if (!str(raw.mnemonic)) throw tampered(path, "no mnemonic");
      return raw as unknown as KeyFile;
    }
    if (raw.backend !== "file" || raw.format !== KEYRING_FORMAT) throw tampered(path, "unknown backend or format");
    const kdf = raw.kdf as Partial<Kdf> | undefined;
    const cipher = raw.cipher as Partial<Cipher> | undefined;
    const int = (v: unknown, max: number) => Number.isSafeInteger(v) && (v as number) >= 1 && (v as number) <= max;
    if (
      kdf?.name !== "scrypt" ||
      !int(kdf.n, SCRYPT_MAX_N) ||
      ((kdf.n as number) & ((kdf.n as number) - 1)) !== 0 ||
      !int(kdf.r, 32) ||
      !int(kdf.p, 16) ||
      !str(kdf.salt, HEX) ||
      kdf.salt.length < 32
    )
      throw tampered(path, "bad key derivation parameters");
    if (
      cipher?.name !== "aes-256-gcm" ||
      !str(cipher.nonce, /^[0-9a-f]{24}$/) ||
      !str(cipher.tag, /^[0-9a-f]{32}$/) ||
      !str(cipher.ciphertext, HEX)
    )
      throw tampered(path, "bad cipher fields");
    return raw as unknown as KeyFile;
  }
}

function strip(k: KeyFile): KeyInfo {
  return { name: k.name, address: k.address, pubkey: k.pubkey, backend: k.backend };
}
