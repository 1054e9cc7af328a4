/** @module What the da module needs from bank: charging the blob fee. */

import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
}
