/** @module Bank read routes (cosmos/bank/v1beta1/query.proto): balances, balance by denom, supply. */
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
import type { Coin } from "cosmjs-types/cosmos/base/v1beta1/coin";
import type { FastifyInstance } from "fastify";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { accountAddress, denom, pageRequest } from "../params.js";

export function coinJson(c: Coin | undefined): { denom: string; amount: string } | null {
  return c ? { denom: c.denom, amount: c.amount } : null;
}

type Query = Record<string, unknown>;

export function bankRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get<{ Params: { address: string }; Querystring: Query }>(
    "/cosmos/bank/v1beta1/balances/:address",
    async (req) => {
      accountAddress("address", req.params.address);
      pageRequest(req.query);
      const { value } = await abciQuery(
        rpc,
        "/cosmos.bank.v1beta1.Query/AllBalances",
        QueryAllBalancesRequest,
        { address: req.params.address },
        QueryAllBalancesResponse,
      );
      return {
        balances: value.balances.map(coinJson),
        pagination: pagination(value.pagination, value.balances.length),
      };
    },
  );
  app.get<{ Params: { address: string }; Querystring: Query }>(
    "/cosmos/bank/v1beta1/balances/:address/by_denom",
    async (req) => {
      accountAddress("address", req.params.address);
      const d = denom("denom", req.query.denom);
      const { value } = await abciQuery(
        rpc,
        "/cosmos.bank.v1beta1.Query/Balance",
        QueryBalanceRequest,
        { address: req.params.address, denom: d },
        QueryBalanceResponse,
      );
      return { balance: coinJson(value.balance) };
    },
  );
  app.get<{ Querystring: Query }>("/cosmos/bank/v1beta1/supply", async (req) => {
    pageRequest(req.query);
    const { value } = await abciQuery(
      rpc,
      "/cosmos.bank.v1beta1.Query/TotalSupply",
      QueryTotalSupplyRequest,
      {},
      QueryTotalSupplyResponse,
    );
    return { supply: value.supply.map(coinJson), pagination: pagination(value.pagination, value.supply.length) };
  });
  app.get<{ Querystring: Query }>("/cosmos/bank/v1beta1/supply/by_denom", async (req) => {
    const d = denom("denom", req.query.denom);
    const { value } = await abciQuery(
      rpc,
      "/cosmos.bank.v1beta1.Query/SupplyOf",
      QuerySupplyOfRequest,
      { denom: d },
      QuerySupplyOfResponse,
    );
    return { amount: coinJson(value.amount) };
  });
}

/** PageResponse: next_key base64 or null, total as a string. */
function pagination(p: { nextKey: Uint8Array; total: bigint } | undefined, count: number) {
  return {
    next_key: p && p.nextKey.length > 0 ? Buffer.from(p.nextKey).toString("base64") : null,
    total: (p?.total ?? BigInt(count)).toString(),
  };
}
