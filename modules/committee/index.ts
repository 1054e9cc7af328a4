/** @module The committee module: coordinator candidates, per-epoch committees and their FROST group keys, disputes. */
import type { AppModule } from "../../chain-app/module.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import {
  defaultCommitteeGenesis,
  exportCommitteeGenesis,
  initCommitteeGenesis,
  validateCommitteeGenesis,
} from "./genesis.js";
import type { CommitteeKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { committeeQueries } from "./queryServer.js";
import { msgDeregisterCoordinator, msgRegisterCoordinator } from "./registerCoordinator.js";
import { msgReportConflictingReceipts } from "./reportConflictingReceipts.js";
import { msgReportUnauthorizedSigner } from "./reportUnauthorizedSigner.js";
import { msgSubmitDkgResult } from "./submitDkgResult.js";

export { CommitteeErrors } from "./errors.js";
export { type CommitteeCheck, CommitteeKeeper } from "./keeper.js";
export { type CommitteeParams, defaultCommitteeParams, thresholdFor } from "./params.js";
export {
  coordinatorBindingBytes,
  MSG_DEREGISTER_COORDINATOR_TYPE_URL,
  MSG_REGISTER_COORDINATOR_TYPE_URL,
  signCoordinatorBinding,
} from "./registerCoordinator.js";
export { MSG_REPORT_CONFLICTING_RECEIPTS_TYPE_URL } from "./reportConflictingReceipts.js";
export { MSG_REPORT_UNAUTHORIZED_SIGNER_TYPE_URL } from "./reportUnauthorizedSigner.js";
export { blockAnchor, committeeHash, deriveEpochSeed, selectCommittee, type WeightedCandidate } from "./selection.js";
export { MSG_SUBMIT_DKG_RESULT_TYPE_URL } from "./submitDkgResult.js";

export function committeeModule(keeper: CommitteeKeeper, stake: StakeKeeper): AppModule {
  return {
    name: MODULE_NAME,
    msgs: [
      msgRegisterCoordinator(keeper, stake),
      msgDeregisterCoordinator(keeper),
      msgSubmitDkgResult(keeper),
      msgReportConflictingReceipts(keeper),
      msgReportUnauthorizedSigner(keeper),
    ],
    queries: committeeQueries(keeper),
    defaultGenesis: defaultCommitteeGenesis,
    validateGenesis: (s) => void validateCommitteeGenesis(s),
    initGenesis: (ctx, s) => initCommitteeGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportCommitteeGenesis(ctx, keeper),
    // Rotation at begin block: a receipt claimed in this block already sees the new epoch.
    beginBlock(ctx) {
      keeper.maybeRotate(ctx);
    },
  };
}
