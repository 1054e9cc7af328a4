/** @module What the auth module's ante handler needs from bank (the SDK's x/auth expected keepers). */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";

export interface BankKeeper {
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
}
