/** @module subsidy errors (codespace "subsidy"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const SubsidyErrors = {
  InvalidAddress: registerError("subsidy", 2, "invalid address"),
} as const;
