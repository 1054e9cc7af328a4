/** @module The foundation multisig of genesis: a Cosmos LegacyAminoPubKey threshold key, as CosmJS builds it. */
import {
  createMultisigThresholdPubkey,
  isMultisigThresholdPubkey,
  type MultisigThresholdPubkey,
  pubkeyToAddress,
} from "@cosmjs/amino";
import { BECH32_PREFIX } from "../common/secp256k1.js";

/** Most co-signers a foundation key may have (the SDK's default `tx_sig_limit` per multisig is 7). */
export const MAX_FOUNDATION_SIGNERS = 7;

/** The `dsdn.foundation` record of genesis.json: the key, its address and the threshold, for anyone to check. */
export interface FoundationRecord {
  readonly address: string;
  readonly pubkey: MultisigThresholdPubkey;
}

/**
 * Builds the threshold key from secp256k1 public keys (33-byte compressed, base64). The SDK's and CosmJS's
 * default order (sorted by address) so `createMultisigThresholdPubkey` on any co-signer's machine agrees.
 */
export function foundationRecord(pubkeysBase64: readonly string[], threshold: number): FoundationRecord {
  const problem = foundationKeyProblem(pubkeysBase64, threshold);
  if (problem) throw new Error(problem);
  const pubkey = createMultisigThresholdPubkey(
    pubkeysBase64.map((value) => ({ type: "tendermint/PubKeySecp256k1", value })),
    threshold,
  );
  return { address: pubkeyToAddress(pubkey, BECH32_PREFIX), pubkey };
}

/** Why these keys and threshold make no sound foundation key, or undefined. */
export function foundationKeyProblem(pubkeysBase64: readonly string[], threshold: number): string | undefined {
  const n = pubkeysBase64.length;
  if (n < 2 || n > MAX_FOUNDATION_SIGNERS) return `needs 2..${MAX_FOUNDATION_SIGNERS} co-signer keys, got ${n}`;
  if (!Number.isInteger(threshold) || threshold < 2 || threshold > n)
    return `threshold must be an integer in 2..${n} (one key alone must never act), got ${threshold}`;
  const seen = new Set<string>();
  for (const [i, k] of pubkeysBase64.entries()) {
    const bytes = Buffer.from(k, "base64");
    if (bytes.length !== 33 || (bytes[0] !== 2 && bytes[0] !== 3) || bytes.toString("base64") !== k)
      return `key ${i + 1} is not a base64 33-byte compressed secp256k1 public key`;
    if (seen.has(k)) return `key ${i + 1} is listed twice (each co-signer counts once)`;
    seen.add(k);
  }
  return undefined;
}

/** Checks a `dsdn.foundation` record read from a file: key shape, threshold and that the address is the key's. */
export function foundationRecordProblems(raw: unknown): { path: string; problem: string }[] {
  const r = raw as Partial<FoundationRecord> | undefined;
  if (!r || typeof r !== "object") return [{ path: "dsdn.foundation", problem: "missing" }];
  if (!r.pubkey || !isMultisigThresholdPubkey(r.pubkey as never))
    return [
      { path: "dsdn.foundation.pubkey", problem: "not a tendermint/PubKeyMultisigThreshold (LegacyAminoPubKey)" },
    ];
  const keys = r.pubkey.value.pubkeys;
  if (!keys.every((k) => k.type === "tendermint/PubKeySecp256k1"))
    return [{ path: "dsdn.foundation.pubkey.value.pubkeys", problem: "every co-signer key must be secp256k1" }];
  const threshold = /^[0-9]{1,3}$/.test(String(r.pubkey.value.threshold))
    ? Number(r.pubkey.value.threshold)
    : Number.NaN;
  const bad = foundationKeyProblem(
    keys.map((k) => String(k.value)),
    threshold,
  );
  if (bad) return [{ path: "dsdn.foundation.pubkey", problem: bad }];
  const address = pubkeyToAddress(r.pubkey, BECH32_PREFIX);
  if (r.address !== address)
    return [
      { path: "dsdn.foundation.address", problem: `is ${String(r.address)} but the key's address is ${address}` },
    ];
  return [];
}
