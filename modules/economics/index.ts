/** @module The economics module: Node Cost Index, adaptive fee and adaptive burn, in shadow mode until switched on (Tahap 24). */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import {
  defaultEconomicsGenesis,
  exportEconomicsGenesis,
  initEconomicsGenesis,
  validateEconomicsGenesis,
} from "./genesis.js";
import type { EconomicsKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { validateEconomicsParams } from "./params.js";
import { economicsQueries } from "./queryServer.js";

export { adaptiveBurn, adaptiveFee } from "./adaptive.js";
export { EconomicsErrors } from "./errors.js";
export { EconomicsKeeper } from "./keeper.js";
export { defaultEconomicsParams, type EconomicsParams, validateEconomicsParams } from "./params.js";

export function economicsModule(keeper: EconomicsKeeper): AppModule {
  return {
    name: MODULE_NAME,
    // Changed after genesis only by governance (bootstrap: foundation approval).
    params: moduleParams(validateEconomicsParams, keeper),
    queries: economicsQueries(keeper),
    defaultGenesis: defaultEconomicsGenesis,
    validateGenesis: (s) => void validateEconomicsGenesis(s),
    initGenesis: (ctx, s) => initEconomicsGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportEconomicsGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.endBlock(ctx);
      return undefined;
    },
  };
}
