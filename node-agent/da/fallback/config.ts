/** @module Fallback router settings from the environment (DA_FALLBACK_*, DA_SECONDARY_*, DA_EMERGENCY_*) and the layer built from them. */
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { type ConfigOf, type FieldSpec, type LoadOptions, loadConfig } from "../../../common/config.js";
import { ConfigError } from "../../../common/errors.js";
import { readSecretFile } from "../../../common/privateFile.js";
import { CelestiaDA } from "../celestia/celestiaDA.js";
import { ChainDA } from "../chain/chainDA.js";
import { celestiaOptionsFromConfig, type DAConfig } from "../config.js";
import type { DALogger } from "../events/logger.js";
import type { DALayer } from "../types.js";
import { FallbackRouter } from "./router.js";
import { defaultFallbackThresholds } from "./stateMachine.js";

const positive = (v: number) => (v < 1 ? "must be ≥ 1" : undefined);

export const fallbackConfigSpec = {
  /** SQLite journal of blobs awaiting reconciliation; setting it turns the router on. */
  journal: { type: "string", env: "DA_FALLBACK_JOURNAL" } as FieldSpec<string>,
  warnLatencyMs: {
    type: "int",
    env: "DA_FALLBACK_WARN_LATENCY_MS",
    default: defaultFallbackThresholds.warnLatencyMs,
    check: positive,
  } as FieldSpec<number>,
  degradedAfterMs: {
    type: "int",
    env: "DA_FALLBACK_DEGRADED_AFTER_MS",
    default: defaultFallbackThresholds.degradedAfterMs,
    check: positive,
  } as FieldSpec<number>,
  emergencyAfterMs: {
    type: "int",
    env: "DA_FALLBACK_EMERGENCY_AFTER_MS",
    default: defaultFallbackThresholds.emergencyAfterMs,
    check: positive,
  } as FieldSpec<number>,
  healthIntervalMs: {
    type: "int",
    env: "DA_FALLBACK_HEALTH_INTERVAL_MS",
    default: 10_000,
    check: (v: number) => (v < 10 ? "must be ≥ 10" : undefined),
  } as FieldSpec<number>,
  /** Chain Nusantara CometBFT RPC for the validator-quorum DA. */
  secondaryRpcUrl: { type: "url", env: "DA_SECONDARY_RPC_URL" } as FieldSpec<string>,
  /** Mnemonic file (owner-only) of the account that pays MsgPostBlob. */
  secondaryMnemonicFile: { type: "string", env: "DA_SECONDARY_MNEMONIC_FILE" } as FieldSpec<string>,
  secondaryGasPrice: { type: "string", env: "DA_SECONDARY_GAS_PRICE" } as FieldSpec<string>,
  /** The operators' self-hosted DA (`dsdn-node da`), same JSON-RPC as Celestia. */
  emergencyRpcUrl: { type: "url", env: "DA_EMERGENCY_RPC_URL" } as FieldSpec<string>,
  emergencyAuthTokenFile: { type: "string", env: "DA_EMERGENCY_AUTH_TOKEN_FILE" } as FieldSpec<string>,
};

export type FallbackConfig = ConfigOf<typeof fallbackConfigSpec>;

export function loadFallbackConfig(options: LoadOptions = {}): FallbackConfig {
  return loadConfig(fallbackConfigSpec, options);
}

/**
 * The router over the primary from `da` plus the configured secondary and emergency layers, its health
 * monitor started. Closing it closes every layer it opened.
 */
export async function createFallbackLayer(
  da: DAConfig,
  cfg: FallbackConfig,
  options: { logger?: DALogger } = {},
): Promise<FallbackRouter> {
  const primary = new CelestiaDA(celestiaOptionsFromConfig(da));
  let secondary: DALayer | undefined;
  if (cfg.secondaryRpcUrl && !cfg.secondaryMnemonicFile)
    throw new ConfigError(
      "secondaryMnemonicFile",
      "DA_SECONDARY_RPC_URL needs DA_SECONDARY_MNEMONIC_FILE: a secondary the router cannot post to would hold Degraded with every post failing",
    );
  if (cfg.secondaryRpcUrl && cfg.secondaryMnemonicFile) {
    const signer = await DirectSecp256k1HdWallet.fromMnemonic(
      readSecretFile(cfg.secondaryMnemonicFile, "DA secondary mnemonic"),
      { prefix: "nusa" },
    );
    secondary = await ChainDA.connect({
      rpcUrl: cfg.secondaryRpcUrl,
      namespace: da.namespace,
      signer,
      ...(cfg.secondaryGasPrice ? { gasPrice: cfg.secondaryGasPrice } : {}),
    });
  }
  const emergency = cfg.emergencyRpcUrl
    ? new CelestiaDA({
        ...celestiaOptionsFromConfig(da),
        url: cfg.emergencyRpcUrl,
        layer: "emergency",
        ...(cfg.emergencyAuthTokenFile
          ? { authToken: readSecretFile(cfg.emergencyAuthTokenFile, "DA emergency token") }
          : { authToken: undefined }),
      })
    : undefined;
  const router = new FallbackRouter({
    primary,
    ...(secondary ? { secondary } : {}),
    ...(emergency ? { emergency } : {}),
    journalPath: cfg.journal!,
    thresholds: {
      warnLatencyMs: cfg.warnLatencyMs,
      degradedAfterMs: cfg.degradedAfterMs,
      emergencyAfterMs: cfg.emergencyAfterMs,
    },
    healthIntervalMs: cfg.healthIntervalMs,
    ownsLayers: true,
    ...(options.logger ? { logger: options.logger } : {}),
  });
  router.start();
  return router;
}
