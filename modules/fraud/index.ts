/** @module The fraud module: bonded challenges on compute receipts, the Merkle descent and bisection games, one-step verification, verdicts. */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { msgBisect } from "./bisect.js";
import { msgChallenge } from "./challenge.js";
import { msgDescend } from "./descend.js";
import type { BankKeeper, CommitteeKeeper, NodesKeeper, ReceiptsKeeper } from "./expectedKeepers.js";
import { defaultFraudGenesis, exportFraudGenesis, initFraudGenesis, validateFraudGenesis } from "./genesis.js";
import type { FraudKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseFraudParams } from "./params.js";
import { msgPinStart } from "./pinStart.js";
import { runtimeStepVerifier, type StepVerifier } from "./proofAdapter.js";
import { fraudQueries } from "./queryServer.js";
import { msgSubmitStepProof } from "./submitStepProof.js";

export { MSG_BISECT_TYPE_URL, nextState } from "./bisect.js";
export { MSG_CHALLENGE_TYPE_URL, signedResultEvidenceId } from "./challenge.js";
export { descendState, MSG_DESCEND_TYPE_URL } from "./descend.js";
export { FraudErrors } from "./errors.js";
export type { NodeSlasher } from "./expectedKeepers.js";
export {
  checkpointCount,
  checkpointIndexAt,
  checkpointStep,
  descentCheckpoint,
  firstLeafOf,
  initialRange,
  isDescentClaim,
  maxDescentRounds,
  maxRounds,
  midpoint,
  treeDepth,
} from "./game.js";
export { FraudKeeper } from "./keeper.js";
export { defaultFraudParams, type FraudParams } from "./params.js";
export { MSG_PIN_START_TYPE_URL } from "./pinStart.js";
export { decodeOpeningJson, encodeOpeningJson, runtimeStepVerifier, type StepVerifier } from "./proofAdapter.js";
export { MSG_SUBMIT_STEP_PROOF_TYPE_URL } from "./submitStepProof.js";

export function fraudModule(
  keeper: FraudKeeper,
  bank: BankKeeper,
  committee: CommitteeKeeper,
  nodes: NodesKeeper,
  receipts: ReceiptsKeeper,
  verifier: StepVerifier = runtimeStepVerifier,
): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseFraudParams, keeper),
    msgs: [
      msgChallenge(keeper, bank, committee, nodes, receipts),
      msgBisect(keeper, verifier),
      msgDescend(keeper, verifier),
      msgSubmitStepProof(keeper, verifier),
      msgPinStart(keeper, verifier),
    ],
    queries: fraudQueries(keeper),
    defaultGenesis: defaultFraudGenesis,
    validateGenesis: (s) => void validateFraudGenesis(s),
    initGenesis: (ctx, s) => initFraudGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportFraudGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.sweepExpired(ctx);
      return undefined;
    },
  };
}
