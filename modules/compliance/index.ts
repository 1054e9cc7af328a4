/** @module The compliance module: pointers (CIDs, ingress routes) blocked and unblocked by governance only (Tahap 10, 21). */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import {
  defaultComplianceGenesis,
  exportComplianceGenesis,
  initComplianceGenesis,
  validateComplianceGenesis,
} from "./genesis.js";
import type { ComplianceKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseComplianceParams } from "./params.js";
import { complianceQueries } from "./queryServer.js";

export {
  APPEAL_PATH,
  blockPointer,
  complianceProposalHandlers,
  MSG_BLOCK_POINTER_TYPE_URL,
  MSG_UNBLOCK_POINTER_TYPE_URL,
  unblockPointer,
} from "./decide.js";
export { ComplianceErrors } from "./errors.js";
export { AttributeKey as ComplianceAttributeKey, EventType as ComplianceEventType } from "./events.js";
export { ComplianceKeeper } from "./keeper.js";
export { type ComplianceParams, defaultComplianceParams, parseComplianceParams } from "./params.js";

/** No tx messages of its own: block/unblock run only inside passed proposals (gov's proposal handlers). */
export function complianceModule(keeper: ComplianceKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseComplianceParams, keeper),
    queries: complianceQueries(keeper),
    defaultGenesis: defaultComplianceGenesis,
    validateGenesis: (s) => void validateComplianceGenesis(s),
    initGenesis: (ctx, s) => initComplianceGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportComplianceGenesis(ctx, keeper),
  };
}
