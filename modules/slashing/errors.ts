/** @module slashing errors (codespace "slashing"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const SlashingErrors = {
  NoValidator: registerError("slashing", 2, "address is not a validator operator"),
  NotJailed: registerError("slashing", 3, "validator is not jailed"),
  StillJailed: registerError("slashing", 4, "validator is still jailed"),
  Tombstoned: registerError("slashing", 5, "validator is tombstoned for double signing and cannot unjail"),
  NotAuthority: registerError("slashing", 6, "reporter is not the fault authority"),
  UnknownNode: registerError("slashing", 7, "node not found"),
  InvalidFault: registerError("slashing", 8, "invalid node fault"),
  DuplicateEvidence: registerError("slashing", 9, "this evidence was already reported"),
  InvalidEvidence: registerError("slashing", 10, "invalid evidence"),
  InvalidInfractionHeight: registerError("slashing", 11, "infraction height is in the future or too old"),
} as const;
