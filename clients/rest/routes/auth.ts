/** @module `/cosmos/auth/v1beta1/accounts/{address}` (cosmos/auth/v1beta1/query.proto QueryAccountResponse). */
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import type { FastifyInstance } from "fastify";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { accountAddress } from "../params.js";
import { anyJson } from "../protoJson.js";

export function authRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get<{ Params: { address: string } }>("/cosmos/auth/v1beta1/accounts/:address", async (req) => {
    accountAddress("address", req.params.address);
    const { value } = await abciQuery(
      rpc,
      "/cosmos.auth.v1beta1.Query/Account",
      QueryAccountRequest,
      { address: req.params.address },
      QueryAccountResponse,
    );
    const acc = value.account;
    if (!acc) return { account: null };
    const json = anyJson(acc.typeUrl, acc.value);
    // jsonpb emits an unset pub_key (an account that has not signed yet) as null.
    return { account: { ...json, pub_key: json.pub_key ?? null } };
  });
}
