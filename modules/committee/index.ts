/**
 * @module The committee module: coordinator candidates, per-epoch committees drawn with ECVRF epoch seeds, their
 * FROST group keys (with DKG deadlines), disputes.
 */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import {
  defaultCommitteeGenesis,
  exportCommitteeGenesis,
  initCommitteeGenesis,
  validateCommitteeGenesis,
} from "./genesis.js";
import type { CommitteeKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseCommitteeParams } from "./params.js";
import { committeeQueries } from "./queryServer.js";
import { msgDeregisterCoordinator, msgRegisterCoordinator } from "./registerCoordinator.js";
import { msgReportConflictingReceipts } from "./reportConflictingReceipts.js";
import { msgReportUnauthorizedSigner } from "./reportUnauthorizedSigner.js";
import { msgSignalDkgPresence } from "./signalDkgPresence.js";
import { msgSubmitDkgResult } from "./submitDkgResult.js";
import { msgSubmitEpochSeed } from "./submitEpochSeed.js";

export {
  genesisSeed,
  proveEpochSeed,
  redrawSeed,
  seedAlpha,
  seedFromOutput,
  vrfPublicKeyFromIdentity,
  vrfSecretFromIdentity,
} from "./epochSeed.js";
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
export { committeeHash, selectCommittee, type WeightedCandidate } from "./selection.js";
export { MSG_SIGNAL_DKG_PRESENCE_TYPE_URL } from "./signalDkgPresence.js";
export { MSG_SUBMIT_DKG_RESULT_TYPE_URL } from "./submitDkgResult.js";
export { MSG_SUBMIT_EPOCH_SEED_TYPE_URL } from "./submitEpochSeed.js";

export function committeeModule(keeper: CommitteeKeeper, stake: StakeKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseCommitteeParams, keeper),
    msgs: [
      msgRegisterCoordinator(keeper, stake),
      msgDeregisterCoordinator(keeper),
      msgSubmitDkgResult(keeper),
      msgSubmitEpochSeed(keeper),
      msgSignalDkgPresence(keeper),
      msgReportConflictingReceipts(keeper),
      msgReportUnauthorizedSigner(keeper),
    ],
    queries: committeeQueries(keeper),
    defaultGenesis: defaultCommitteeGenesis,
    validateGenesis: (s) => void validateCommitteeGenesis(s),
    initGenesis: (ctx, s) => initCommitteeGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportCommitteeGenesis(ctx, keeper),
    // DKG deadlines, seed-slot penalties and opening the next seed request, before the block's txs.
    beginBlock(ctx) {
      keeper.beginBlock(ctx);
    },
    // The previous committee's term end once its handoff is over; retired records past retention pruned (bounded).
    endBlock(ctx) {
      keeper.endBlock(ctx);
      return undefined;
    },
  };
}
