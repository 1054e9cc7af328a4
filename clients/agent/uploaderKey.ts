/** @module The uploader's chain key (secp256k1): signs upload declarations and deletes; held in a keyring. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { keyFromMnemonic } from "../../common/mnemonic.js";
import { pubKeyToAddress } from "../../common/secp256k1.js";
import { Keyring } from "../keyring.js";
import { dsdnHome } from "./keystore.js";

export interface UploaderKey {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** bech32 "nusa1…": the owner recorded on DA. */
  readonly address: string;
}

/** Name of the key `dsdn` creates on first use when no `--from` is given. */
export const DEFAULT_UPLOADER_KEY = "dsdn-uploader";

/**
 * `from` names a key in the keyring at `keyringDir` (default `<dsdn home>/keyring`, the format `dsdnd keys`
 * uses). Without `from`, the default key is used, created once. DSDN_KEYRING_BACKEND=file encrypts it.
 */
export function loadUploaderKey(o: { from?: string; keyringDir?: string } = {}): UploaderKey {
  const dir = o.keyringDir ?? join(dsdnHome(), "keyring");
  const backend = process.env.DSDN_KEYRING_BACKEND === "file" ? "file" : "test";
  const ring = new Keyring(dir, backend);
  const name = o.from ?? DEFAULT_UPLOADER_KEY;
  if (o.from === undefined && !existsSync(join(dir, `${name}.json`))) ring.add(name);
  const kp = keyFromMnemonic(ring.mnemonic(name));
  return { secretKey: kp.secretKey, publicKey: kp.publicKey, address: pubKeyToAddress(kp.publicKey) };
}
