/** @module The gov module: Cosmos gov v1/v1beta1 wire forms, bootstrap rules (validators vote, the foundation approves or vetoes), param changes. */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { msgDeposit, msgDepositV1beta1 } from "./deposit.js";
import { msgFoundationApprove, msgFoundationVeto } from "./foundation.js";
import { defaultGovGenesis, exportGovGenesis, initGovGenesis, validateGovGenesis } from "./genesis.js";
import type { GovKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseGovParams } from "./params.js";
import { govQueries } from "./queryServer.js";
import { msgSubmitProposal, msgSubmitProposalV1beta1 } from "./submitProposal.js";
import { msgVote, msgVoteV1beta1 } from "./vote.js";

export { MSG_DEPOSIT_TYPE_URL, MSG_DEPOSIT_V1BETA1_TYPE_URL } from "./deposit.js";
export { GovErrors } from "./errors.js";
export type { ParamsRouter } from "./expectedKeepers.js";
export { MSG_FOUNDATION_APPROVE_TYPE_URL, MSG_FOUNDATION_VETO_TYPE_URL } from "./foundation.js";
export { GovKeeper } from "./keeper.js";
export { govAuthority, MSG_PARAM_CHANGE_TYPE_URL } from "./paramChange.js";
export { defaultGovParams, type GovParams } from "./params.js";
export type { ProposalHandler, ProposalHandlers, ProposalOrigin } from "./proposalHandlers.js";
export {
  MSG_SUBMIT_PROPOSAL_TYPE_URL,
  MSG_SUBMIT_PROPOSAL_V1BETA1_TYPE_URL,
  PARAM_CHANGE_PROPOSAL_TYPE_URL,
  TEXT_PROPOSAL_TYPE_URL,
} from "./submitProposal.js";
export { judge, type Tally } from "./tally.js";
export { MSG_VOTE_TYPE_URL, MSG_VOTE_V1BETA1_TYPE_URL } from "./vote.js";

export function govModule(keeper: GovKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseGovParams, keeper),
    msgs: [
      msgSubmitProposal(keeper),
      msgSubmitProposalV1beta1(keeper),
      msgVote(keeper),
      msgVoteV1beta1(keeper),
      msgDeposit(keeper),
      msgDepositV1beta1(keeper),
      msgFoundationApprove(keeper),
      msgFoundationVeto(keeper),
    ],
    queries: govQueries(keeper),
    defaultGenesis: defaultGovGenesis,
    validateGenesis: (s) => void validateGovGenesis(s),
    initGenesis: (ctx, s) => initGovGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportGovGenesis(ctx, keeper),
    endBlock(ctx) {
      keeper.endBlock(ctx);
      return undefined;
    },
  };
}
