/** @module BIP-39 mnemonics to secp256k1 account keys on the Cosmos HD path (coin type 118). */
import { HDKey } from "@scure/bip32";
import { generateMnemonic, mnemonicToSeedSync, validateMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { InvalidArgumentError } from "./errors.js";
import { type Secp256k1KeyPair, secp256k1KeyPair } from "./secp256k1.js";

export const COSMOS_HD_PATH = "m/44'/118'/0'/0/0";

export function newMnemonic(words: 12 | 24 = 24): string {
  return generateMnemonic(wordlist, words === 24 ? 256 : 128);
}

export function isValidMnemonic(mnemonic: string): boolean {
  return validateMnemonic(mnemonic.trim().split(/\s+/).join(" "), wordlist);
}

/** Same derivation as CosmJS's DirectSecp256k1HdWallet (BIP-39 seed, BIP-32 path m/44'/118'/0'/0/n). */
export function keyFromMnemonic(mnemonic: string, hdPath: string = COSMOS_HD_PATH): Secp256k1KeyPair {
  const normalized = mnemonic.trim().split(/\s+/).join(" ");
  if (!validateMnemonic(normalized, wordlist)) throw new InvalidArgumentError("invalid BIP-39 mnemonic");
  const node = HDKey.fromMasterSeed(mnemonicToSeedSync(normalized)).derive(hdPath);
  if (!node.privateKey) throw new InvalidArgumentError(`cannot derive a private key at ${hdPath}`);
  return secp256k1KeyPair(node.privateKey);
}
