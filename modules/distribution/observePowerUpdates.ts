/**
 * @module Wraps the stake module so every validator power change it hands CometBFT also reaches distribution
 * (the F1 period boundary), as `observeTransfers` feeds receipts from bank: stake needs no hook for it.
 */
import type { AppModule } from "../../chain-app/module.js";
import type { DistributionKeeper } from "./keeper.js";

export function observePowerUpdates(stake: AppModule, keeper: DistributionKeeper): AppModule {
  return {
    ...stake,
    endBlock(ctx) {
      const updates = stake.endBlock?.(ctx);
      if (updates?.length) keeper.applyValidatorUpdates(ctx, updates);
      return updates;
    },
  };
}
