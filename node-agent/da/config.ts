/** @module DA transport settings from the environment (DA_RPC_URL, DA_AUTH_TOKEN_FILE / DA_AUTH_TOKEN, DA_NAMESPACE, …). */
import { type ConfigOf, type FieldSpec, type LoadOptions, loadConfig } from "../../common/config.js";
import { ConfigError } from "../../common/errors.js";
import { fromHex } from "../../common/hash.js";
import { readSecretFile } from "../../common/privateFile.js";
import type { CelestiaDAOptions } from "./celestia/celestiaDA.js";
import { type Namespace, namespaceProblem, toNamespace } from "./commitment/namespace.js";

export const daConfigSpec = {
  rpcUrl: {
    type: "url",
    env: "DA_RPC_URL",
    default: "http://127.0.0.1:26658",
    // A token in a URL ends up in logs, proxies and shell history: it goes in DA_AUTH_TOKEN(_FILE) only.
    check: (v: string) => {
      const u = new URL(v);
      return u.username || u.password || u.searchParams.has("token") || u.searchParams.has("auth")
        ? "must not carry credentials or a ?token=: use DA_AUTH_TOKEN_FILE (or DA_AUTH_TOKEN)"
        : undefined;
    },
  } as FieldSpec<string>,
  authToken: { type: "string", env: "DA_AUTH_TOKEN", secret: true } as FieldSpec<string>,
  /** A file holding the token (owner-only); wins over DA_AUTH_TOKEN. */
  authTokenFile: { type: "string", env: "DA_AUTH_TOKEN_FILE" } as FieldSpec<string>,
  namespace: {
    type: "hex",
    env: "DA_NAMESPACE",
    required: true,
    check: (v: string) => (v.length !== 58 ? "must be 58 hex characters (29 bytes)" : namespaceProblem(fromHex(v))),
  } as FieldSpec<string>,
  timeoutMs: {
    type: "int",
    env: "DA_TIMEOUT_MS",
    default: 60_000,
    check: (v: number) => (v < 100 ? "must be ≥ 100" : undefined),
  } as FieldSpec<number>,
  retryCount: {
    type: "int",
    env: "DA_RETRY_COUNT",
    default: 3,
    check: (v: number) => (v < 0 || v > 20 ? "must be 0–20" : undefined),
  } as FieldSpec<number>,
  retryDelayMs: {
    type: "int",
    env: "DA_RETRY_DELAY_MS",
    default: 500,
    check: (v: number) => (v < 0 ? "must be ≥ 0" : undefined),
  } as FieldSpec<number>,
  /** utia per gas, as a decimal string ("0.004"); empty lets the node estimate. */
  gasPrice: {
    type: "string",
    env: "DA_GAS_PRICE",
    check: (v: string) =>
      /^\d+(\.\d+)?$/.test(v) && Number(v) > 0 ? undefined : "must be a positive decimal (utia/gas)",
  } as FieldSpec<string>,
  txPriority: {
    type: "int",
    env: "DA_TX_PRIORITY",
    check: (v: number) => ([1, 2, 3].includes(v) ? undefined : "must be 1 (low), 2 (medium) or 3 (high)"),
  } as FieldSpec<number>,
};

export type DAConfigRaw = ConfigOf<typeof daConfigSpec>;

/** Validated DA settings; `namespace` is already the 29 checked bytes. */
export interface DAConfig {
  readonly rpcUrl: string;
  readonly authToken: string | undefined;
  readonly namespace: Namespace;
  readonly namespaceHex: string;
  readonly timeoutMs: number;
  readonly retryCount: number;
  readonly retryDelayMs: number;
  readonly gasPrice: number | undefined;
  readonly txPriority: 1 | 2 | 3 | undefined;
}

export function loadDAConfig(options: LoadOptions = {}): DAConfig {
  const raw: DAConfigRaw = loadConfig(daConfigSpec, options);
  let namespace: Namespace;
  try {
    namespace = toNamespace(fromHex(raw.namespace));
  } catch (e) {
    throw new ConfigError("namespace", (e as Error).message, { cause: e });
  }
  let authToken = raw.authToken || undefined;
  if (raw.authTokenFile) {
    try {
      authToken = readSecretFile(raw.authTokenFile, "DA auth token");
    } catch (e) {
      throw new ConfigError("authTokenFile", (e as Error).message, { cause: e });
    }
  }
  return {
    rpcUrl: raw.rpcUrl,
    authToken,
    namespace,
    namespaceHex: raw.namespace,
    timeoutMs: raw.timeoutMs,
    retryCount: raw.retryCount,
    retryDelayMs: raw.retryDelayMs,
    gasPrice: raw.gasPrice === undefined ? undefined : Number(raw.gasPrice),
    txPriority: raw.txPriority as 1 | 2 | 3 | undefined,
  };
}

/** CelestiaDA constructor options from a loaded config. */
export function celestiaOptionsFromConfig(cfg: DAConfig): CelestiaDAOptions {
  return {
    url: cfg.rpcUrl,
    namespace: cfg.namespace,
    timeoutMs: cfg.timeoutMs,
    retryCount: cfg.retryCount,
    retryDelayMs: cfg.retryDelayMs,
    ...(cfg.authToken ? { authToken: cfg.authToken } : {}),
    ...(cfg.gasPrice !== undefined ? { gasPrice: cfg.gasPrice } : {}),
    ...(cfg.txPriority !== undefined ? { txPriority: cfg.txPriority } : {}),
  };
}
