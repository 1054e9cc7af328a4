/** @module The oracle module: NUSA/USD from validators' vote extensions, stake-weighted median per window (Tahap 24.2). */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import { defaultOracleGenesis, exportOracleGenesis, initOracleGenesis, validateOracleGenesis } from "./genesis.js";
import { checkPriceVote, type OracleKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { validateOracleParams } from "./params.js";
import { oracleQueries } from "./queryServer.js";

export { OracleErrors } from "./errors.js";
export { checkPriceVote, encodePriceVote, OracleKeeper } from "./keeper.js";
export { defaultOracleParams, type OracleParams, validateOracleParams } from "./params.js";
export { formatUsd, NANO_USD_PER_USD, usdToUnusa } from "./price.js";

export function oracleModule(keeper: OracleKeeper, stake: StakeKeeper): AppModule {
  return {
    name: MODULE_NAME,
    // Changed after genesis only by governance (bootstrap: foundation approval).
    params: moduleParams(validateOracleParams, keeper, ["windowSeconds"]),
    queries: oracleQueries(keeper),
    defaultGenesis: defaultOracleGenesis,
    validateGenesis: (s) => void validateOracleGenesis(s),
    initGenesis: (ctx, s) => initOracleGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportOracleGenesis(ctx, keeper),
    voteExtensions: {
      check: (ctx, ext) => checkPriceVote(ext, keeper.getParams(ctx)),
      consensusPubkey: (ctx, address) => {
        const v = stake.getValidatorByConsAddr(ctx, address);
        return v ? new Uint8Array(v.consensusPubkey) : undefined;
      },
      apply: (ctx, votes) => keeper.applyVotes(ctx, votes),
    },
    endBlock(ctx) {
      keeper.endBlock(ctx);
      return undefined;
    },
  };
}
