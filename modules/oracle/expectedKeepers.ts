/** @module What the oracle needs from stake (consensus keys, the active set) and slashing (the miss penalty). */
import type { Context } from "../../chain-app/context.js";
import type { Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";

export interface StakeKeeper {
  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined;
  /** The active set as last sent to CometBFT (at most maxValidators): who is expected to report. */
  activeValidators(ctx: Context): Iterable<[Uint8Array, Validator]>;
}

/** Slashing's penalty for a validator below the minimum valid-report share of a slash window. */
export interface OracleSlasher {
  /** Slashes `fractionPpm` of the validator's bond and jails it `jailSeconds` (0 = no jail); undefined if skipped. */
  punishOracleMiss(
    ctx: Context,
    cons: Uint8Array,
    fractionPpm: bigint,
    jailSeconds: bigint,
  ): { slashed: bigint; jailedUntil: bigint } | undefined;
}
