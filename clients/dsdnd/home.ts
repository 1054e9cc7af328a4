/** @module dsdnd's home folder: CometBFT's config and data plus the app's own config, store and keyring. */

import { homedir } from "node:os";
import { join } from "node:path";
import { parseGasPrice } from "../../chain-app/coins.js";
import { loadConfig } from "../../common/config.js";
import { InvalidArgumentError } from "../../common/errors.js";
import { Keyring, type KeyringBackend } from "../keyring.js";
import { passphraseSource } from "./passphrase.js";

export const DEFAULT_HOME = join(homedir(), ".dsdnd");

export const homeOption = { home: { type: "string" as const, default: process.env.DSDND_HOME ?? DEFAULT_HOME } };
export const nodeOption = {
  node: { type: "string" as const, default: process.env.RPC_URL ?? "http://127.0.0.1:26657" },
};
/**
 * As the SDK: the encrypted `file` backend unless told otherwise; the localnet's env file sets
 * DSDND_KEYRING_BACKEND=test for its public dev accounts. The passphrase never comes from argv or env.
 */
export const keyringOptions = {
  "keyring-dir": { type: "string" as const },
  "keyring-backend": { type: "string" as const, default: process.env.DSDND_KEYRING_BACKEND ?? "file" },
  "keyring-passphrase-file": { type: "string" as const },
};

export const appConfigPath = (home: string) => join(home, "config", "app.json");
export const genesisPath = (home: string) => join(home, "config", "genesis.json");
export const appDbPath = (home: string) => join(home, "data", "dsdn-app.sqlite");

export const appConfigSpec = {
  abci: { type: "url", env: "DSDND_ABCI", default: "tcp://127.0.0.1:26658" },
  minGasPrice: {
    type: "string",
    env: "DSDND_MIN_GAS_PRICE",
    default: "0.025unusa",
    check: (v: string) => {
      if (v === "") return undefined;
      try {
        parseGasPrice(v);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  },
  /** The price feeder's output (`dsdn-node price-feeder --out`); empty = this validator reports no price. */
  priceFile: { type: "string", env: "DSDND_PRICE_FILE", default: "" },
  retainHeights: {
    type: "int",
    env: "DSDND_RETAIN_HEIGHTS",
    default: 100,
    check: (v: number) => (v >= 0 ? undefined : "must be >= 0"),
  },
} as const;

export function loadAppConfig(home: string) {
  return loadConfig(appConfigSpec, { file: appConfigPath(home) });
}

export function keyringFrom(values: Record<string, unknown>): Keyring {
  const home = String(values.home ?? DEFAULT_HOME);
  const dir = (values["keyring-dir"] as string | undefined) ?? join(home, "keyring");
  const backend = String(values["keyring-backend"] ?? "file");
  if (backend !== "test" && backend !== "file")
    throw new InvalidArgumentError(`--keyring-backend must be "test" or "file", got "${backend}"`);
  const file = values["keyring-passphrase-file"] as string | undefined;
  return new Keyring(dir, backend as KeyringBackend, passphraseSource(file));
}
