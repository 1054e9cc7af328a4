/** @module The stake module: validator self-bonds, storage-node bonds by class, unbonding, validator updates. */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { msgBondNode } from "./bondNode.js";
import { msgCreateValidator } from "./createValidator.js";
import type { BankKeeper } from "./expectedKeepers.js";
import { defaultStakeGenesis, exportStakeGenesis, initStakeGenesis, validateStakeGenesis } from "./genesis.js";
import type { StakeKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseStakeParams } from "./params.js";
import { stakeQueries } from "./queryServer.js";
import { msgUnbond } from "./unbond.js";

export { MSG_BOND_NODE_TYPE_URL } from "./bondNode.js";
export { MSG_CREATE_VALIDATOR_TYPE_URL } from "./createValidator.js";
export { StakeErrors } from "./errors.js";
export type { StakeHooks } from "./expectedKeepers.js";
export { type StakeGenesis, stakeGenesisPoolTotals } from "./genesis.js";
export { consAddrHex, consensusAddress, nodeClassName, PPM, StakeKeeper } from "./keeper.js";
export { defaultStakeParams, type StakeParams, UNUSA_PER_NUSA } from "./params.js";
export { formatStakeWeight, STAKE_WEIGHT_SCALE, stakeWeight } from "./stakeWeight.js";
export { MSG_UNBOND_TYPE_URL } from "./unbond.js";

export function stakeModule(keeper: StakeKeeper, bank: BankKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseStakeParams, keeper),
    msgs: [msgCreateValidator(keeper), msgBondNode(keeper), msgUnbond(keeper)],
    queries: stakeQueries(keeper),
    defaultGenesis: defaultStakeGenesis,
    validateGenesis: (s) => void validateStakeGenesis(s),
    // The genesis validators' power goes to CometBFT in InitChain, which checks it against genesis.json.
    initGenesis: (ctx, s) => {
      initStakeGenesis(ctx, keeper, bank, s);
      return keeper.validatorUpdates(ctx);
    },
    exportGenesis: (ctx) => exportStakeGenesis(ctx, keeper),
    // Mature unbondings are paid first, then validator power changes go to CometBFT.
    endBlock(ctx) {
      keeper.completeMatureUnbondings(ctx);
      return keeper.validatorUpdates(ctx);
    },
  };
}
