/** @module The genesis validator rule: the set CometBFT sends in InitChain must be the set the app's genesis bonds. */
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import { toHex } from "../../common/hash.js";

function keyOf(v: ValidatorUpdate): string {
  if (v.pubKey?.ed25519?.length) return `ed25519:${toHex(v.pubKey.ed25519)}`;
  if (v.pubKey?.secp256k1?.length) return `secp256k1:${toHex(v.pubKey.secp256k1)}`;
  throw new Error("genesis validator without a public key");
}

function describe(set: readonly ValidatorUpdate[]): string {
  return set.map((v) => `${keyOf(v)}=${v.power}`).join(", ") || "(none)";
}

/**
 * As the SDK's InitChainer: the app's genesis (the stake module) decides the validator set and
 * returns it to CometBFT. When CometBFT also sends a set (genesis.json `validators`) it must be the
 * same keys with the same powers, or the chain does not start: otherwise a key listed only in
 * genesis.json would sign blocks with power the stake module never granted and never takes back.
 * An app genesis without validators cannot adopt genesis.json's list, because nothing is bonded
 * behind it (the SDK refuses this too).
 */
export function reconcileGenesisValidators(
  requested: readonly ValidatorUpdate[],
  fromApp: readonly ValidatorUpdate[],
): ValidatorUpdate[] {
  const app = new Map<string, bigint>();
  for (const v of fromApp) {
    const k = keyOf(v);
    if (app.has(k)) throw new Error(`genesis validators: ${k} appears twice in the app's genesis`);
    if (v.power <= 0n) throw new Error(`genesis validators: ${k} has power ${v.power}`);
    app.set(k, v.power);
  }
  if (requested.length === 0) return [...fromApp];
  const mismatch = () =>
    new Error(
      `genesis validators: CometBFT's genesis.json lists ${describe(requested)} but the app's genesis bonds ${describe(fromApp)}`,
    );
  if (requested.length !== fromApp.length) throw mismatch();
  const seen = new Set<string>();
  for (const v of requested) {
    const k = keyOf(v);
    if (seen.has(k) || app.get(k) !== v.power) throw mismatch();
    seen.add(k);
  }
  return [...fromApp];
}
