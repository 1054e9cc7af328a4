/** @module The uploader's chain key (secp256k1): signs upload declarations and deletes; held in a keyring. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { keyFromMnemonic } from "../../common/mnemonic.js";
import { pubKeyToAddress } from "../../common/secp256k1.js";
import { passphraseSource } from "../dsdnd/passphrase.js";
import { Keyring, type KeyringBackend } from "../keyring.js";
import { dsdnHome } from "./keystore.js";

export interface UploaderKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** bech32 "nusa1…": the owner recorded on DA. */
  readonly address: string;
}

/** Name of the key `dsdn` creates on first use when no `--from` is given. */
export const DEFAULT_UPLOADER_KEY = "dsdn-uploader";

export interface UploaderKeyOptions {
  /** A key in the keyring; without it, `dsdn-uploader`, created on first use. */
  readonly from?: string;
  /** Default `<dsdn home>/keyring` (the format `dsdnd keys` uses). */
  readonly keyringDir?: string;
  /** As dsdnd: the encrypted `file` backend unless DSDND_KEYRING_BACKEND (or this) says `test`. */
  readonly backend?: KeyringBackend;
  readonly passphraseFile?: string;
}

export async function loadUploaderKey(o: UploaderKeyOptions = {}): Promise<UploaderKey> {
  const dir = o.keyringDir ?? join(dsdnHome(), "keyring");
  const backend = o.backend ?? (process.env.DSDND_KEYRING_BACKEND === "test" ? "test" : "file");
  const ring = new Keyring(dir, backend, passphraseSource(o.passphraseFile));
  const name = o.from ?? DEFAULT_UPLOADER_KEY;
  if (o.from === undefined && !existsSync(join(dir, `${name}.json`))) await ring.add(name);
  const kp = keyFromMnemonic(await ring.mnemonic(name));
  return { secretKey: kp.secretKey, publicKey: kp.publicKey, address: pubKeyToAddress(kp.publicKey) };
}
