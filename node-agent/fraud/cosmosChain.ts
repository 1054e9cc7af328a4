/**
 * @module A fraud game player's view of Chain Nusantara over CometBFT RPC: games by id (ABCI query), the latest
 * block time, and one signed message per tx (gas estimated by simulation). The signer is the party's key: the
 * node operator's for the defender, the watcher's own keyring key for the challenger.
 */
import type { OfflineSigner } from "@cosmjs/proto-signing";
import { connectSigningClient, DEFAULT_GAS_PRICE } from "../../clients/sdk/client.js";
import {
  QueryGameRequest,
  QueryGameResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "../../proto/gen/dsdn/fraud/v1/query.js";
import type { FraudChain } from "./player.js";

const TX_TIMEOUT_MS = 60_000;

export async function connectFraudChain(
  rpcUrl: string,
  signer: OfflineSigner,
  gasPrice: string = DEFAULT_GAS_PRICE,
): Promise<FraudChain & { params(): Promise<Record<string, string>>; close(): void }> {
  const [account] = await signer.getAccounts();
  if (!account) throw new Error("the signer has no account");
  const { client, query } = await connectSigningClient(rpcUrl, signer, { gasPrice });
  return {
    address: account.address,
    async game(id) {
      let bytes: Uint8Array;
      try {
        bytes = await query.dsdn.query("/dsdn.fraud.v1.Query/Game", QueryGameRequest.encode({ id }).finish());
      } catch (e) {
        if (/no such game/i.test((e as Error).message)) return undefined; // fraud's UnknownGame (7)
        throw e;
      }
      return QueryGameResponse.decode(bytes).game;
    },
    async send(msg) {
      const r = await Promise.race([
        client.signAndBroadcast(account.address, [msg], 1.6),
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error("tx not included in time")), TX_TIMEOUT_MS).unref(),
        ),
      ]);
      return { code: r.code, log: r.rawLog ?? "", gasUsed: r.gasUsed };
    },
    async blockTime() {
      const b = await client.getBlock();
      return BigInt(Math.floor(new Date(b.header.time).getTime() / 1000));
    },
    async params() {
      const r = QueryParamsResponse.decode(
        await query.dsdn.query("/dsdn.fraud.v1.Query/Params", QueryParamsRequest.encode({}).finish()),
      );
      return JSON.parse(r.paramsJson) as Record<string, string>;
    },
    close: () => client.disconnect(),
  };
}
