/** @module What gov needs from bank (deposit escrow), stake (validators and their voting power) and the modules' params. */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";
import type { ModuleParams } from "../../chain-app/module.js";
import type { Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface BankKeeper {
  sendFromAccountToModule(ctx: Context, from: Uint8Array, module: string, amounts: readonly Amount[]): void;
  sendFromModuleToAccount(ctx: Context, module: string, to: Uint8Array, amounts: readonly Amount[]): void;
}

export interface StakeKeeper {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  /** Validators CometBFT holds with a positive power (at most maxValidators); `Validator.power` is that power. */
  activeValidators(ctx: Context): Generator<[Uint8Array, Validator]>;
}

/** Every module's governable params, by module name (filled in by the app once all modules exist). */
export type ParamsRouter = ReadonlyMap<string, ModuleParams>;
