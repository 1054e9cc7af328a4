/** @module A local keyring of secp256k1 account keys: one file per key, 0600, optionally passphrase-encrypted. */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { BaseError, ErrorCode, InvalidArgumentError } from "../common/errors.js";
import { toHex } from "../common/hash.js";
import { isValidMnemonic, keyFromMnemonic, newMnemonic } from "../common/mnemonic.js";
import { pubKeyToAddress } from "../common/secp256k1.js";

/**
 * Backends: "test" stores the mnemonic in plain text (localnet and CI only, like the SDK's test
 * backend); "file" encrypts it with scrypt + AES-256-GCM under DSDND_KEYRING_PASSPHRASE.
 */
export type KeyringBackend = "test" | "file";

export interface KeyInfo {
  readonly name: string;
  readonly address: string;
  readonly pubkey: string; // hex, 33 bytes
  readonly backend: KeyringBackend;
}

interface KeyFile extends KeyInfo {
  readonly mnemonic?: string;
  readonly encrypted?: { salt: string; iv: string; tag: string; data: string };
}

const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

export class Keyring {
  constructor(
    readonly dir: string,
    readonly backend: KeyringBackend = "test",
    private readonly passphrase: string | undefined = process.env.DSDND_KEYRING_PASSPHRASE,
  ) {}

  private file(name: string): string {
    if (!NAME.test(name)) throw new InvalidArgumentError(`invalid key name "${name}" (letters, digits, _ . - only)`);
    return join(this.dir, `${name}.json`);
  }

  /** Adds a key from a mnemonic (or a new one). Returns the info and the mnemonic to show once. */
  add(name: string, mnemonic?: string): { info: KeyInfo; mnemonic: string } {
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
    const body: KeyFile =
      this.backend === "file" ? { ...info, encrypted: this.encrypt(words) } : { ...info, mnemonic: words };
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(body, null, 2), { mode: 0o600 });
    renameSync(tmp, path);
    chmodSync(path, 0o600);
    return { info, mnemonic: words };
  }

  list(): KeyInfo[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => this.strip(JSON.parse(readFileSync(join(this.dir, f), "utf8")) as KeyFile));
  }

  private strip(k: KeyFile): KeyInfo {
    return { name: k.name, address: k.address, pubkey: k.pubkey, backend: k.backend };
  }

  show(nameOrAddress: string): KeyInfo {
    const found = this.list().find((k) => k.name === nameOrAddress || k.address === nameOrAddress);
    if (!found) throw new BaseError(ErrorCode.NotFound, `key "${nameOrAddress}" not found in ${this.dir}`);
    return found;
  }

  mnemonic(nameOrAddress: string): string {
    const info = this.show(nameOrAddress);
    const k = JSON.parse(readFileSync(this.file(info.name), "utf8")) as KeyFile;
    if (k.mnemonic) return k.mnemonic;
    if (k.encrypted) return this.decrypt(k.encrypted);
    throw new BaseError(ErrorCode.Internal, `key file for "${info.name}" holds no key material`);
  }

  async signer(nameOrAddress: string): Promise<DirectSecp256k1HdWallet> {
    return DirectSecp256k1HdWallet.fromMnemonic(this.mnemonic(nameOrAddress), { prefix: "nusa" });
  }

  private key(salt: Buffer): Buffer {
    if (!this.passphrase) {
      throw new BaseError(ErrorCode.Unauthorized, "the file keyring needs a passphrase: set DSDND_KEYRING_PASSPHRASE");
    }
    return scryptSync(this.passphrase, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
  }

  private encrypt(text: string): NonNullable<KeyFile["encrypted"]> {
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const c = createCipheriv("aes-256-gcm", this.key(salt), iv);
    const data = Buffer.concat([c.update(text, "utf8"), c.final()]);
    return {
      salt: salt.toString("hex"),
      iv: iv.toString("hex"),
      tag: c.getAuthTag().toString("hex"),
      data: data.toString("hex"),
    };
  }

  private decrypt(e: NonNullable<KeyFile["encrypted"]>): string {
    try {
      const d = createDecipheriv("aes-256-gcm", this.key(Buffer.from(e.salt, "hex")), Buffer.from(e.iv, "hex"));
      d.setAuthTag(Buffer.from(e.tag, "hex"));
      return Buffer.concat([d.update(Buffer.from(e.data, "hex")), d.final()]).toString("utf8");
    } catch (err) {
      if (err instanceof BaseError) throw err;
      throw new BaseError(ErrorCode.Unauthorized, "cannot decrypt key: wrong passphrase", { cause: err });
    }
  }
}
