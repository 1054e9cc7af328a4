/** @module Builds a CometBFT genesis.json for Chain Nusantara: validators, consensus params, app_state. */

import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import { defaultAppState, validateAppState } from "../app/buildApp.js";
import { sha256 } from "../common/hash.js";

export const DENOM = "unusa";
export const DISPLAY_DENOM = "nusa";
/** 1 NUSA = 10^6 unusa. */
export const UNUSA_PER_NUSA = 1_000_000n;

export interface GenesisValidator {
  readonly name: string;
  /** 32-byte ed25519 consensus public key, base64 (as in priv_validator_key.json). */
  readonly pubKeyBase64: string;
  readonly power: bigint;
}

export interface GenesisSpec {
  readonly chainId: string;
  /** RFC 3339 time; fixed so every validator computes the same genesis. */
  readonly genesisTime: string;
  readonly validators: readonly GenesisValidator[];
  readonly balances: readonly { address: string; coins: Coin[] }[];
  /** Overrides per module (merged over the defaults). */
  readonly appState?: Record<string, unknown>;
  readonly blockMaxBytes?: bigint;
  /** First height whose precommits carry vote extensions (the oracle's prices); 0 = never. */
  readonly voteExtensionsEnableHeight?: bigint;
}

/** CometBFT's validator address: the first 20 bytes of sha256(pubkey), upper-case hex. */
export function validatorAddress(pubKeyBase64: string): string {
  return Buffer.from(sha256(Buffer.from(pubKeyBase64, "base64")).subarray(0, 20))
    .toString("hex")
    .toUpperCase();
}

export function buildGenesis(spec: GenesisSpec): Record<string, unknown> {
  const appState = { ...defaultAppState(), ...(spec.appState ?? {}) } as Record<string, any>;
  appState.bank = { ...appState.bank, balances: [...(appState.bank?.balances ?? []), ...spec.balances] };
  validateAppState(appState);
  return {
    genesis_time: spec.genesisTime,
    chain_id: spec.chainId,
    initial_height: "1",
    consensus_params: {
      block: { max_bytes: (spec.blockMaxBytes ?? 22_020_096n).toString(), max_gas: "-1" },
      evidence: { max_age_num_blocks: "100000", max_age_duration: "172800000000000", max_bytes: "1048576" },
      validator: { pub_key_types: ["ed25519"] },
      version: { app: "1" },
      abci: { vote_extensions_enable_height: (spec.voteExtensionsEnableHeight ?? 0n).toString() },
    },
    validators: spec.validators.map((v) => ({
      address: validatorAddress(v.pubKeyBase64),
      pub_key: { type: "tendermint/PubKeyEd25519", value: v.pubKeyBase64 },
      power: v.power.toString(),
      name: v.name,
    })),
    app_hash: "",
    app_state: appState,
  };
}
