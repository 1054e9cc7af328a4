/** @module What stake needs from bank (coin moves between accounts and pools), and the hooks it calls. */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
  sendFromModuleToModule(ctx: Context, fromModule: string, toModule: string, amounts: readonly Amount[]): void;
}

/** Called by stake after a change; implemented by modules that react (nodes recomputes a node's status). */
export interface StakeHooks {
  afterNodeStakeChanged(ctx: Context, operator: Uint8Array): void;
}
