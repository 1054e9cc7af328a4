/** @module Builds the DALayer a replayer reads from: CelestiaDA (light node or the local DA server) from DA_* settings. */
import { InvalidArgumentError } from "../../../common/errors.js";
import { CelestiaDA } from "../celestia/celestiaDA.js";
import { celestiaOptionsFromConfig, loadDAConfig } from "../config.js";
import { createFallbackLayer, loadFallbackConfig } from "../fallback/config.js";
import type { DALayer } from "../types.js";

export interface CreateDALayerOptions {
  /** celestia-node JSON-RPC URL (DA_RPC_URL). */
  readonly url?: string;
  /** Bearer token (programmatic callers; CLIs never take one on the command line). A read token is enough to replay. */
  readonly token?: string;
  /** File holding the token (DA_AUTH_TOKEN_FILE), owner-only. */
  readonly tokenFile?: string;
  /** 58 hex characters (DA_NAMESPACE). */
  readonly namespace?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** false: never wrap in the fallback router even when DA_FALLBACK_JOURNAL is set (pure readers). */
  readonly fallback?: boolean;
  /** Run the startup check (node answers, token accepted, node ready) before returning. Default true. */
  readonly connect?: boolean;
}

/** Explicit options win over DA_* environment variables; a bad value fails with a message naming it. */
export async function createDALayer(options: CreateDALayerOptions = {}): Promise<DALayer> {
  const cfg = loadDAConfig({
    ...(options.env ? { env: options.env } : {}),
    overrides: {
      rpcUrl: options.url,
      authToken: options.token,
      authTokenFile: options.tokenFile,
      namespace: options.namespace,
    },
  });
  // DA_FALLBACK_JOURNAL set: writes go through the fallback router (reads stay on the primary).
  const fallback = loadFallbackConfig(options.env ? { env: options.env } : {});
  if (fallback.journal && options.fallback !== false) return createFallbackLayer(cfg, fallback);
  const da = new CelestiaDA(celestiaOptionsFromConfig(cfg));
  if (options.connect ?? true) await da.connect();
  return da;
}

/** The DA options every `dsdn-node` command accepts: `--da URL`, `--token-file FILE`, `--namespace HEX`. */
export const daCliOptions = {
  da: { type: "string" },
  "token-file": { type: "string" },
  // Accepted only to refuse it with a clear message: argv is readable by every user (ps, /proc/<pid>/cmdline).
  token: { type: "string" },
  namespace: { type: "string" },
} as const;

/** Maps those options onto createDALayer; a token on the command line is refused, never used. */
export function daOptionsFromCli(v: Record<string, unknown>): CreateDALayerOptions {
  if (v.token !== undefined)
    throw new InvalidArgumentError(
      "--token is not accepted: a token on the command line is visible to every user of this machine",
      { details: "Put it in a file only you can read and pass --token-file FILE (or set DA_AUTH_TOKEN_FILE)." },
    );
  const s = (k: string) => (typeof v[k] === "string" && v[k] !== "" ? (v[k] as string) : undefined);
  return {
    ...(s("da") ? { url: s("da") } : {}),
    ...(s("token-file") ? { tokenFile: s("token-file") } : {}),
    ...(s("namespace") ? { namespace: s("namespace") } : {}),
  };
}
