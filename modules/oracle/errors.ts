/** @module oracle errors (codespace "oracle"); codes are only ever added. */
import { registerError } from "../../chain-app/errors.js";

export const OracleErrors = {
  InvalidAmount: registerError("oracle", 2, "invalid amount"),
  NoPrice: registerError("oracle", 3, "no oracle price yet"),
} as const;
