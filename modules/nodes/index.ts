/** @module The nodes module: storage node identity (node key bound to a staked operator) and lifecycle. */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import { defaultNodesGenesis, exportNodesGenesis, initNodesGenesis, validateNodesGenesis } from "./genesis.js";
import type { NodesKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseNodesParams } from "./params.js";
import { nodesQueries } from "./queryServer.js";
import { msgRegisterNode } from "./registerNode.js";

export {
  NODE_BINDING_DOMAIN,
  type NodeBinding,
  nodeBindingBytes,
  signNodeBinding,
  verifyNodeBinding,
} from "./binding.js";
export { NodesErrors } from "./errors.js";
export { deriveStatus, NodesKeeper, StatusReason } from "./keeper.js";
export { MSG_REGISTER_NODE_TYPE_URL } from "./registerNode.js";

export function nodesModule(keeper: NodesKeeper, stake: StakeKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseNodesParams, keeper),
    msgs: [msgRegisterNode(keeper, stake)],
    queries: nodesQueries(keeper, stake),
    defaultGenesis: defaultNodesGenesis,
    validateGenesis: (s) => void validateNodesGenesis(s),
    initGenesis: (ctx, s) => initNodesGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportNodesGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.processTimers(ctx);
      return [];
    },
  };
}
