/** @module The receipts module: MsgClaimReward, the 70/20/10 payout, the compute challenge window, wallet affinity. */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { msgClaimReward } from "./claimReward.js";
import type { BankKeeper, CommitteeKeeper, NodesKeeper, PriceOracle, StakeKeeper } from "./expectedKeepers.js";
import { msgFundRewardPool } from "./fundRewardPool.js";
import {
  defaultReceiptsGenesis,
  exportReceiptsGenesis,
  initReceiptsGenesis,
  validateReceiptsGenesis,
} from "./genesis.js";
import type { ReceiptsKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseReceiptsParams } from "./params.js";
import { receiptsQueries } from "./queryServer.js";
import { msgReportSelfDealing } from "./reportSelfDealing.js";

export * from "../../common/receipts/receiptBytes.js";
export { type Affinity, affinityBetween, observeTransfers } from "./affinity.js";
export { MSG_CLAIM_REWARD_TYPE_URL } from "./claimReward.js";
export { ReceiptsErrors } from "./errors.js";
export type { PriceOracle, ReceiptDisputes, SelfDealingSink } from "./expectedKeepers.js";
export { MSG_FUND_REWARD_POOL_TYPE_URL } from "./fundRewardPool.js";
export { ReceiptsKeeper } from "./keeper.js";
export { defaultReceiptsParams, type ReceiptsParams } from "./params.js";
export { MSG_REPORT_SELF_DEALING_TYPE_URL } from "./reportSelfDealing.js";
export { splitReward, usdValueOf } from "./reward.js";
export { computeWindow, computeWindowSeconds } from "./window.js";

export function receiptsModule(
  keeper: ReceiptsKeeper,
  bank: BankKeeper,
  committee: CommitteeKeeper,
  nodes: NodesKeeper,
  stake: StakeKeeper,
  oracle: PriceOracle,
): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseReceiptsParams, keeper),
    msgs: [
      msgClaimReward(keeper, committee, nodes, stake, oracle),
      msgFundRewardPool(keeper),
      msgReportSelfDealing(keeper, committee, nodes),
    ],
    queries: receiptsQueries(keeper),
    defaultGenesis: defaultReceiptsGenesis,
    validateGenesis: (s) => void validateReceiptsGenesis(s),
    initGenesis: (ctx, s) => initReceiptsGenesis(ctx, keeper, bank, s),
    exportGenesis: (ctx) => exportReceiptsGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.distributeValidatorPot(ctx);
      return undefined;
    },
  };
}
