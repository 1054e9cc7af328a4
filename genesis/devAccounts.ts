/** @module Localnet development accounts: deterministic, PUBLIC mnemonics — never use them for real funds. */
import { entropyToMnemonic } from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { sha256 } from "../common/hash.js";
import { keyFromMnemonic } from "../common/mnemonic.js";
import { pubKeyToAddress } from "../common/secp256k1.js";

export interface DevAccount {
  readonly name: string;
  readonly address: string;
  readonly mnemonic: string;
  readonly developmentOnly: true;
}

/** Dev account i's mnemonic is derived from the public seed text `dsdn-localnet-dev-<name>`. */
export function devAccount(name: string): DevAccount {
  const entropy = sha256(new TextEncoder().encode(`dsdn-localnet-dev-${name}`));
  const mnemonic = entropyToMnemonic(entropy, wordlist);
  return { name, address: pubKeyToAddress(keyFromMnemonic(mnemonic).publicKey), mnemonic, developmentOnly: true };
}

export const DEV_ACCOUNT_NAMES = [
  "faucet",
  "alice",
  "bob",
  "carol",
  "dave",
  "operator0",
  "operator1",
  "operator2",
  "operator3",
  // Storage-node operators of the localnet (localnet/start.sh bonds and registers one node each).
  "storage0",
  "storage1",
  "storage2",
  "storage3",
  "storage4",
  "storage5",
  "storage6",
];

export function devAccounts(count = DEV_ACCOUNT_NAMES.length): DevAccount[] {
  const names = [...DEV_ACCOUNT_NAMES];
  for (let i = names.length; i < count; i++) names.push(`dev${i}`);
  return names.slice(0, count).map(devAccount);
}
