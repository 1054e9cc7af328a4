/** @module Oracle read routes: the chain's NUSA/USD price, USD → unusa conversion and params (`/dsdn/oracle/v1/…`). */
import type { FastifyInstance } from "fastify";
import * as Q from "../../../proto/gen/dsdn/oracle/v1/query.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { dsdnJson, gatewayJson } from "../protoJson.js";
import { RestError } from "../restError.js";

const BASE = "/dsdn/oracle/v1";
const SVC = "/dsdn.oracle.v1.Query";

/** The chain's own bound for usd_nano (modules/oracle/queryServer.ts): an unsigned integer of ≤ 30 digits. */
function usdNano(value: unknown): string {
  if (typeof value !== "string" || !/^(0|[1-9][0-9]{0,29})$/.test(value))
    throw new RestError(3, "usd_nano: expected an unsigned integer (nano-USD, at most 30 digits)");
  return value;
}

export function oracleRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get(`${BASE}/price`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Price`, Q.QueryPriceRequest, {}, Q.QueryPriceResponse);
    return dsdnJson(Q.QueryPriceResponse, value);
  });
  app.get<{ Querystring: { usd_nano?: string } }>(`${BASE}/convert_usd`, async (req) => {
    const usd = usdNano(req.query.usd_nano);
    const { value } = await abciQuery(
      rpc,
      `${SVC}/ConvertUsd`,
      Q.QueryConvertUsdRequest,
      { usdNano: usd },
      Q.QueryConvertUsdResponse,
    );
    return dsdnJson(Q.QueryConvertUsdResponse, value);
  });
  app.get(`${BASE}/params`, async () => {
    const { value } = await abciQuery(rpc, `${SVC}/Params`, Q.QueryParamsRequest, {}, Q.QueryParamsResponse);
    return { params: gatewayJson(JSON.parse(value.paramsJson)) }; // the module params, keys in proto style
  });
}
