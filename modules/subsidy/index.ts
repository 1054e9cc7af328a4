/** @module The subsidy module: bootstrap subsidy for storage nodes, paid monthly from the subsidy pool (Tahap 24.1). */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { NodesKeeper } from "./expectedKeepers.js";
import { defaultSubsidyGenesis, exportSubsidyGenesis, initSubsidyGenesis, validateSubsidyGenesis } from "./genesis.js";
import type { SubsidyKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { msgLivenessProof } from "./livenessProof.js";
import { validateSubsidyParams } from "./params.js";
import { subsidyQueries } from "./queryServer.js";

export { SubsidyErrors } from "./errors.js";
export { type Challenge, SubsidyKeeper } from "./keeper.js";
export { challengeSeed, livenessSigningMessage, periodOf } from "./liveness.js";
export { MSG_LIVENESS_PROOF_TYPE_URL } from "./livenessProof.js";
export { observeRewards } from "./observeRewards.js";
export { defaultSubsidyParams, type SubsidyParams, validateSubsidyParams } from "./params.js";
export { amountFor, judge, monthOf, schedulePpm, sunsetReason } from "./schedule.js";

export function subsidyModule(keeper: SubsidyKeeper, nodes: NodesKeeper): AppModule {
  return {
    name: MODULE_NAME,
    // Changed after genesis only by governance (bootstrap: foundation approval).
    params: moduleParams(validateSubsidyParams, keeper, ["monthSeconds", "challengePeriodSeconds"]),
    msgs: [msgLivenessProof(keeper, nodes)],
    queries: subsidyQueries(keeper, nodes),
    defaultGenesis: defaultSubsidyGenesis,
    validateGenesis: (s) => void validateSubsidyGenesis(s),
    initGenesis: (ctx, s) => initSubsidyGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportSubsidyGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.endBlock(ctx);
      return undefined;
    },
  };
}
