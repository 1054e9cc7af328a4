/** @module gov errors (codespace "gov"): the SDK's x/gov codes where they mean the same, DSDN's from 100; only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const GovErrors = {
  UnknownProposal: registerError("gov", 2, "unknown proposal"),
  InactiveProposal: registerError("gov", 3, "inactive proposal"),
  InvalidProposalContent: registerError("gov", 5, "invalid proposal content"),
  InvalidProposalType: registerError("gov", 6, "invalid proposal type"),
  InvalidVote: registerError("gov", 7, "invalid vote option"),
  InvalidProposalMsg: registerError("gov", 12, "invalid proposal message"),
  InvalidSigner: registerError("gov", 13, "expected gov account as only signer for proposal message"),
  MetadataTooLong: registerError("gov", 15, "metadata too long"),
  MinDepositTooSmall: registerError("gov", 16, "minimum deposit is too small"),
  InvalidProposer: registerError("gov", 18, "only a bonded validator's operator may propose in bootstrap governance"),
  InvalidVoter: registerError("gov", 100, "only a bonded validator's operator may vote in bootstrap governance"),
  NotFoundation: registerError("gov", 101, "signer is not the foundation authority"),
  NotAwaitingFoundation: registerError("gov", 102, "proposal is not awaiting the foundation's approval"),
  NotBootstrap: registerError("gov", 103, "governance is not in bootstrap mode"),
  NotVetoable: registerError("gov", 104, "proposal has already ended without awaiting execution"),
  InvalidDeposit: registerError("gov", 105, "invalid deposit"),
} as const;
