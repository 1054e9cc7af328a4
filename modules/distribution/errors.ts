/** @module distribution errors (codespace "distribution"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const DistributionErrors = {
  NoValidator: registerError("distribution", 2, "address is not a validator operator with rewards"),
  NotSelfDelegation: registerError("distribution", 3, "delegator must be the validator's operator (self-bond only)"),
  InvalidValidatorAddress: registerError("distribution", 4, "invalid validator address"),
} as const;
