/** @module Builds the DALayer a replayer reads from: CelestiaDA (light node or the local DA server) from DA_* settings. */
import { CelestiaDA } from "../celestia/celestiaDA.js";
import { celestiaOptionsFromConfig, loadDAConfig } from "../config.js";
import type { DALayer } from "../types.js";

export interface CreateDALayerOptions {
  /** celestia-node JSON-RPC URL (DA_RPC_URL). */
  readonly url?: string;
  /** Bearer token (DA_AUTH_TOKEN); a read token is enough to replay. */
  readonly token?: string;
  /** 58 hex characters (DA_NAMESPACE). */
  readonly namespace?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Run the startup check (node answers, token accepted, node ready) before returning. Default true. */
  readonly connect?: boolean;
}

/** Explicit options win over DA_* environment variables; a bad value fails with a message naming it. */
export async function createDALayer(options: CreateDALayerOptions = {}): Promise<DALayer> {
  const cfg = loadDAConfig({
    ...(options.env ? { env: options.env } : {}),
    overrides: { rpcUrl: options.url, authToken: options.token, namespace: options.namespace },
  });
  const da = new CelestiaDA(celestiaOptionsFromConfig(cfg));
  if (options.connect ?? true) await da.connect();
  return da;
}
