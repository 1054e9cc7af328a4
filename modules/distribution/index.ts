/** @module The distribution module: tx fees and the receipts' validator share, paid to validators by power (F1-style). */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { BankKeeper } from "./expectedKeepers.js";
import {
  defaultDistributionGenesis,
  exportDistributionGenesis,
  initDistributionGenesis,
  validateDistributionGenesis,
} from "./genesis.js";
import type { DistributionKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseDistributionParams } from "./params.js";
import { distributionQueries } from "./queryServer.js";
import { msgWithdrawDelegatorReward } from "./withdrawRewards.js";

export { DistributionErrors } from "./errors.js";
export { DistributionKeeper, type RewardPool, SCALE, type ValidatorRewards } from "./keeper.js";
export { observePowerUpdates } from "./observePowerUpdates.js";
export { type DistributionParams, defaultDistributionParams } from "./params.js";
export { MSG_WITHDRAW_DELEGATOR_REWARD_TYPE_URL, VALOPER_PREFIX } from "./withdrawRewards.js";

export function distributionModule(keeper: DistributionKeeper, bank: BankKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseDistributionParams, keeper, ["denom"]),
    msgs: [msgWithdrawDelegatorReward(keeper)],
    queries: distributionQueries(keeper, bank),
    defaultGenesis: defaultDistributionGenesis,
    validateGenesis: (s) => void validateDistributionGenesis(s),
    initGenesis: (ctx, s) => initDistributionGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportDistributionGenesis(ctx, keeper),
    // After receipts (whose validator share lands in fee_collector this end block).
    endBlock(ctx) {
      keeper.allocate(ctx);
      return undefined;
    },
  };
}
