/** @module bank errors (codespace "bank"), numbered as x/bank so clients read them alike. */
import { registerError } from "../../chain-app/errors.js";

export const BankErrors = {
  NoInputs: registerError("bank", 2, "no inputs to send transaction"),
  SendDisabled: registerError("bank", 5, "send transactions are disabled"),
  BlockedAddress: registerError("bank", 8, "address is not allowed to receive funds"),
} as const;
