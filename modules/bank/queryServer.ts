/** @module bank queries on the paths CosmJS calls (`/cosmos.bank.v1beta1.Query/...`). */
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
  QuerySupplyOfRequest,
  QuerySupplyOfResponse,
  QueryTotalSupplyRequest,
  QueryTotalSupplyResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { toWireCoins, validateDenom } from "../../chain-app/coins.js";
import type { QueryDef } from "../../chain-app/module.js";
import { decodeMessage } from "../../common/protobuf.js";
import { addressBytesOf } from "../auth/keeper.js";
import type { BankKeeper } from "./keeper.js";

export function bankQueries(keeper: BankKeeper): QueryDef[] {
  return [
    {
      path: "/cosmos.bank.v1beta1.Query/Balance",
      handle(ctx, data) {
        const req = decodeMessage(QueryBalanceRequest, data, "QueryBalanceRequest");
        validateDenom(req.denom);
        const amount = keeper.getBalance(ctx, addressBytesOf(req.address), req.denom);
        return QueryBalanceResponse.encode({ balance: { denom: req.denom, amount: amount.toString() } }).finish();
      },
    },
    {
      path: "/cosmos.bank.v1beta1.Query/AllBalances",
      handle(ctx, data) {
        const req = decodeMessage(QueryAllBalancesRequest, data, "QueryAllBalancesRequest");
        const balances = toWireCoins(keeper.getAllBalances(ctx, addressBytesOf(req.address)));
        return QueryAllBalancesResponse.encode({
          balances,
          pagination: { nextKey: new Uint8Array(), total: BigInt(balances.length) },
        }).finish();
      },
    },
    {
      path: "/cosmos.bank.v1beta1.Query/TotalSupply",
      handle(ctx, data) {
        decodeMessage(QueryTotalSupplyRequest, data, "QueryTotalSupplyRequest");
        const supply = toWireCoins(keeper.getTotalSupply(ctx));
        return QueryTotalSupplyResponse.encode({
          supply,
          pagination: { nextKey: new Uint8Array(), total: BigInt(supply.length) },
        }).finish();
      },
    },
    {
      path: "/cosmos.bank.v1beta1.Query/SupplyOf",
      handle(ctx, data) {
        const req = decodeMessage(QuerySupplyOfRequest, data, "QuerySupplyOfRequest");
        validateDenom(req.denom);
        return QuerySupplyOfResponse.encode({
          amount: { denom: req.denom, amount: keeper.getSupply(ctx, req.denom).toString() },
        }).finish();
      },
    },
  ];
}
