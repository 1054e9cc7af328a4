/** @module auth queries on the paths CosmJS calls (`/cosmos.auth.v1beta1.Query/...`). */

import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import {
  QueryAccountRequest,
  QueryAccountResponse,
  QueryParamsRequest,
  QueryParamsResponse,
} from "cosmjs-types/cosmos/auth/v1beta1/query";
import { ChainError, SdkErrors } from "../../chain-app/errors.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { type AuthKeeper, addressBytesOf } from "./keeper.js";

export function authQueries(keeper: AuthKeeper): QueryDef[] {
  return [
    {
      path: "/cosmos.auth.v1beta1.Query/Account",
      handle(ctx, data) {
        const req = decodeMessage(QueryAccountRequest, data, "QueryAccountRequest");
        if (!req.address) throw SdkErrors.InvalidAddress.wrap("empty address");
        const acc = keeper.getAccountProto(ctx, addressBytesOf(req.address));
        // CosmJS returns null (not an error) for exactly this code, codespace and text.
        if (!acc) {
          throw new ChainError(
            "sdk",
            22,
            `rpc error: code = NotFound desc = account ${req.address} not found: key not found`,
          );
        }
        return QueryAccountResponse.encode({
          account: { typeUrl: "/cosmos.auth.v1beta1.BaseAccount", value: BaseAccount.encode(acc).finish() },
        }).finish();
      },
    },
    {
      path: "/cosmos.auth.v1beta1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        const p = keeper.getParams(ctx);
        return QueryParamsResponse.encode({
          params: {
            maxMemoCharacters: p.maxMemoCharacters,
            txSigLimit: p.txSigLimit,
            txSizeCostPerByte: p.txSizeCostPerByte,
            sigVerifyCostEd25519: 590n,
            sigVerifyCostSecp256k1: p.sigVerifyCostSecp256k1,
          },
        }).finish();
      },
    },
  ];
}
