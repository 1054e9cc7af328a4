/** @module committee errors (codespace "committee"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const CommitteeErrors = {
  NotValidator: registerError("committee", 2, "signer is not a validator operator"),
  InvalidIdentity: registerError("committee", 3, "invalid coordinator identity"),
  IdentityInUse: registerError("committee", 4, "identity key is registered by another operator"),
  InvalidEndpoint: registerError("committee", 5, "invalid coordinator endpoint"),
  UnknownCommittee: registerError("committee", 6, "no committee for that epoch"),
  NotMember: registerError("committee", 7, "signer does not operate a member of that committee"),
  DkgAlreadyRecorded: registerError("committee", 8, "the committee's DKG result is already recorded"),
  InvalidDkgResult: registerError("committee", 9, "invalid DKG result"),
  InvalidReceipt: registerError("committee", 10, "invalid receipt"),
  NoConflict: registerError("committee", 11, "the receipts do not conflict"),
  DuplicateDispute: registerError("committee", 12, "this dispute was already resolved"),
  ReceiptAuthorized: registerError("committee", 13, "the receipt was authorized: nothing to slash"),
  NoGroupKey: registerError("committee", 14, "the committee has no recorded group key"),
  NotCandidate: registerError("committee", 15, "no coordinator registered for this operator"),
  NoSeedRequest: registerError("committee", 16, "no epoch seed is being requested for that epoch"),
  NotDesignated: registerError("committee", 17, "signer is not the designated seed producer in this slot"),
  InvalidVrfProof: registerError("committee", 18, "invalid ECVRF proof"),
  StaleDkgAttempt: registerError("committee", 19, "not the committee's current DKG attempt"),
} as const;
