/** @module What the committee needs from stake: validators (eligibility, weight) and slashing their bonds. */
import type { Context } from "../../chain-app/context.js";
import type { BondKind, Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface StakeKeeper {
  getValidator(ctx: Context, op: Uint8Array): Validator | undefined;
  powerOf(ctx: Context, v: Validator): bigint;
  slash(ctx: Context, op: Uint8Array, kind: BondKind, fractionPpm: bigint): bigint;
  jail(ctx: Context, op: Uint8Array): void;
}
