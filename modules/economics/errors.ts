/** @module economics errors (codespace "economics"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const EconomicsErrors = {
  NoPeriod: registerError("economics", 2, "no period computed yet"),
} as const;
