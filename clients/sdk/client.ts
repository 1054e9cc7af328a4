/** @module One call to a signing client for Chain Nusantara, plus the query extensions DSDN uses. */
import type { OfflineSigner } from "@cosmjs/proto-signing";
import {
  type AuthExtension,
  type BankExtension,
  GasPrice,
  QueryClient,
  SigningStargateClient,
  StargateClient,
  setupAuthExtension,
  setupBankExtension,
  setupTxExtension,
  type TxExtension,
} from "@cosmjs/stargate";
import { connectComet } from "@cosmjs/tendermint-rpc";
import { dsdnRegistry } from "./registry.js";

export const DEFAULT_GAS_PRICE = "0.025unusa";
export const BECH32_PREFIX = "nusa";

/** Raw and proven store reads — the DSDN query extension every module's queries build on. */
export interface DsdnExtension {
  readonly dsdn: {
    /** Calls `/dsdn.<module>.v1.Query/<Method>` (or any gRPC-style path) with protobuf bytes. */
    query(path: string, request: Uint8Array): Promise<Uint8Array>;
    /** Raw state value at `key` (unverified; see verifiedRawKey for a proven read). */
    rawKey(key: Uint8Array, height?: number): Promise<{ value: Uint8Array; height: number }>;
  };
}

export type DsdnQueryClient = QueryClient & AuthExtension & BankExtension & TxExtension & DsdnExtension;

function setupDsdnExtension(base: QueryClient): DsdnExtension {
  return {
    dsdn: {
      query: (path, request) => base.queryAbci(path, request).then((r) => r.value),
      async rawKey(key, height) {
        const r = await base.queryAbci("/store/key", key, height);
        return { value: r.value, height: r.height };
      },
    },
  };
}

export async function connectQueryClient(rpcUrl: string): Promise<DsdnQueryClient> {
  const comet = await connectComet(rpcUrl);
  return QueryClient.withExtensions(
    comet,
    setupAuthExtension,
    setupBankExtension,
    setupTxExtension,
    setupDsdnExtension,
  );
}

export async function connectClient(rpcUrl: string): Promise<StargateClient> {
  return StargateClient.connect(rpcUrl);
}

/**
 * How often signAndBroadcast asks whether its tx is in a block. CosmJS's default is 3 s, which adds 1.5 s on average
 * (up to 3 s) to every `dsdnd tx …` on a chain with sub-second blocks; one tx lookup per 500 ms costs the node little.
 */
export const BROADCAST_POLL_INTERVAL_MS = 500;

/** A SigningStargateClient that knows every DSDN message, with `fee: "auto"` priced at `gasPrice`. */
export async function connectSigningClient(
  rpcUrl: string,
  signer: OfflineSigner,
  options: { gasPrice?: string } = {},
): Promise<{ client: SigningStargateClient; query: DsdnQueryClient }> {
  const client = await SigningStargateClient.connectWithSigner(rpcUrl, signer, {
    registry: dsdnRegistry(),
    gasPrice: GasPrice.fromString(options.gasPrice ?? DEFAULT_GAS_PRICE),
    broadcastPollIntervalMs: BROADCAST_POLL_INTERVAL_MS,
  });
  const query = await connectQueryClient(rpcUrl);
  return { client, query };
}
