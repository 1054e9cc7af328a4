/** @module The slashing module: validator double-sign and downtime, storage node faults, cooldowns and bans. */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { NodesKeeper, StakeKeeper } from "./expectedKeepers.js";
import {
  defaultSlashingGenesis,
  exportSlashingGenesis,
  initSlashingGenesis,
  validateSlashingGenesis,
} from "./genesis.js";
import type { SlashingKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseSlashingParams } from "./params.js";
import { slashingQueries } from "./queryServer.js";
import { msgReportNodeFault } from "./reportNodeFault.js";
import { msgUnjail } from "./unjail.js";

export { SlashingErrors } from "./errors.js";
export { MALICIOUS, OffenceKind, SlashingKeeper } from "./keeper.js";
export { defaultSlashingParams, type SlashingParams } from "./params.js";
export { MSG_REPORT_NODE_FAULT_TYPE_URL, punishNodeFault } from "./reportNodeFault.js";
export { MSG_UNJAIL_TYPE_URL } from "./unjail.js";

export function slashingModule(keeper: SlashingKeeper, stake: StakeKeeper, nodes: NodesKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseSlashingParams, keeper),
    msgs: [msgUnjail(keeper, stake), msgReportNodeFault(keeper, stake, nodes)],
    queries: slashingQueries(keeper, stake, nodes),
    defaultGenesis: defaultSlashingGenesis,
    validateGenesis: (s) => void validateSlashingGenesis(s),
    initGenesis: (ctx, s) => initSlashingGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportSlashingGenesis(ctx, keeper),
    // Evidence first (as x/evidence runs before x/slashing), then the liveness of the last commit.
    beginBlock(ctx, info) {
      for (const m of info.misbehavior) keeper.handleMisbehavior(ctx, m);
      for (const v of info.decidedLastCommit) keeper.handleVote(ctx, v);
    },
  };
}
