/** @module stake errors (codespace "stake"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const StakeErrors = {
  ValidatorExists: registerError("stake", 2, "validator already exists for this operator"),
  ConsensusKeyInUse: registerError("stake", 3, "consensus public key already in use"),
  InvalidConsensusKey: registerError("stake", 4, "invalid consensus public key (need 32-byte ed25519)"),
  SelfBondTooLow: registerError("stake", 5, "self-bond below the minimum"),
  InvalidAmount: registerError("stake", 6, "invalid amount"),
  InvalidClass: registerError("stake", 7, "invalid node class"),
  ClassMismatch: registerError("stake", 8, "node stake is bonded for another class"),
  NoValidator: registerError("stake", 9, "no validator for this operator"),
  NoNodeStake: registerError("stake", 10, "no node stake for this operator"),
  InsufficientStake: registerError("stake", 11, "unbond amount exceeds the bonded stake"),
  BelowMinSelfBond: registerError("stake", 12, "remaining self-bond would be below the minimum"),
  InvalidKind: registerError("stake", 13, "invalid bond kind"),
  InvalidMoniker: registerError("stake", 14, "invalid moniker"),
  TooManyUnbondings: registerError("stake", 15, "too many unbonding entries; wait for one to mature"),
} as const;
