/** @module What the oracle needs from stake: validators' consensus keys by CometBFT address. */
import type { Context } from "../../chain-app/context.js";
import type { Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface StakeKeeper {
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
}
