/** @module What distribution needs from bank (moving fees and rewards) and stake (operators and active powers). */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import type { Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
  sendFromModuleToModule(ctx: Context, fromModule: string, toModule: string, amounts: readonly Amount[]): void;
}

export interface StakeKeeper {
  /** Validators CometBFT holds with a positive power; `Validator.power` is that power. */
  activeValidators(ctx: Context): Generator<[Uint8Array, Validator]>;
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
}
