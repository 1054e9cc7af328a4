/** @module oracle queries on `/dsdn.oracle.v1.Query/<Method>`. */
import { canonicalJson } from "../../chain-app/encoding.js";
import type { QueryDef } from "../../chain-app/module.js";
import { toHex } from "../../common/hash.js";
import { decodeMessage } from "../../common/protobuf.js";
import {
  QueryConvertUsdRequest,
  QueryConvertUsdResponse,
  QueryMissCountersRequest,
  QueryMissCountersResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryPriceRequest,
  QueryPriceResponse,
} from "../../proto/gen/dsdn/oracle/v1/query.js";
import { OracleErrors } from "./errors.js";
import type { OracleKeeper } from "./keeper.js";
import { boundedPrice, formatUsd, NANO_USD_PER_USD, usdToUnusa } from "./price.js";

export function oracleQueries(keeper: OracleKeeper): QueryDef[] {
  return [
    {
      path: "/dsdn.oracle.v1.Query/Price",
      handle(ctx, data) {
        decodeMessage(QueryPriceRequest, data, "QueryPriceRequest");
        const s = keeper.getState(ctx);
        const p = keeper.getParams(ctx);
        const eff = s.priceNanoUsd > 0n ? boundedPrice(s.priceNanoUsd, p.floorPriceNanoUsd, p.ceilingPriceNanoUsd) : 0n;
        return QueryPriceResponse.encode({
          priceNanoUsd: s.priceNanoUsd.toString(),
          priceUsd: formatUsd(s.priceNanoUsd),
          effectivePriceNanoUsd: eff.toString(),
          unusaPerUsd: eff > 0n ? usdToUnusa(NANO_USD_PER_USD, eff).toString() : "0",
          updatedAt: s.updatedAt,
          stale: keeper.isStale(ctx),
          windowStart: keeper.windowStart(ctx, ctx.block.timeSeconds),
          windowSeconds: p.windowSeconds,
          reportersInWindow: BigInt(keeper.reports(ctx).length),
          asOf: ctx.block.timeSeconds,
        }).finish();
      },
    },
    {
      path: "/dsdn.oracle.v1.Query/ConvertUsd",
      handle(ctx, data) {
        const req = decodeMessage(QueryConvertUsdRequest, data, "QueryConvertUsdRequest");
        if (!/^(0|[1-9][0-9]{0,29})$/.test(req.usdNano))
          throw OracleErrors.InvalidAmount.wrap("usd_nano: expected an unsigned integer");
        return QueryConvertUsdResponse.encode({
          unusa: keeper.usdToUnusa(ctx, BigInt(req.usdNano)).toString(),
          effectivePriceNanoUsd: keeper.effectivePrice(ctx).toString(),
          stale: keeper.isStale(ctx),
        }).finish();
      },
    },
    {
      path: "/dsdn.oracle.v1.Query/MissCounters",
      handle(ctx, data) {
        decodeMessage(QueryMissCountersRequest, data, "QueryMissCountersRequest");
        const p = keeper.getParams(ctx);
        return QueryMissCountersResponse.encode({
          // At most the validators active during the slash window: bounded by the set size.
          counters: keeper.missCounters(ctx).map((c) => ({
            validator: toHex(c.address).toUpperCase(),
            windows: c.windows,
            misses: c.misses,
          })),
          slashWindowStart: keeper.getState(ctx).slashWindowStart,
          slashWindowSeconds: p.slashWindowSeconds,
          minValidPerWindowPpm: p.minValidPerWindowPpm,
        }).finish();
      },
    },
    {
      path: "/dsdn.oracle.v1.Query/Params",
      handle(ctx, data) {
        decodeMessage(QueryParamsRequest, data, "QueryParamsRequest");
        return QueryParamsResponse.encode({ paramsJson: canonicalJson(keeper.getParams(ctx)) }).finish();
      },
    },
  ];
}
