/** @module The auth module's AnteHandler for the app: the ante chain, the tx size limit and the chain id. */
import type { AnteEnv, AnteHandler } from "../../../chain-app/module.js";
import type { BankKeeper } from "../expectedKeepers.js";
import type { AuthKeeper } from "../keeper.js";
import { runAnte } from "./ante.js";
import { SigVerifyCache } from "./sigCache.js";

export function newAnteHandler(auth: AuthKeeper, bank: BankKeeper): AnteHandler {
  // One cache per app instance: a verification proven once need not be repeated in FinalizeBlock.
  const sigCache = new SigVerifyCache();
  return {
    run: (ctx, tx, env: AnteEnv) =>
      runAnte(ctx, tx, { auth, bank, sigCache, minGasPrice: env.minGasPrice, chainId: env.chainId }),
    maxTxBytes: (ctx) => auth.getParams(ctx).maxTxBytes,
    getChainId: (ctx) => auth.getChainId(ctx),
    setChainId: (ctx, chainId) => auth.setChainId(ctx, chainId),
    stats: () => ({ hits: sigCache.hits, misses: sigCache.misses }),
  };
}
