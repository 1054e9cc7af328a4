/** @module The da module: validator-quorum DA — blobs posted as txs, commitments on chain, bytes served while retained. */
import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { pruneEvent } from "./events.js";
import type { BankKeeper } from "./expectedKeepers.js";
import { defaultDAGenesis, exportDAGenesis, initDAGenesis, validateDAGenesis } from "./genesis.js";
import type { DAKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { validateParams } from "./params.js";
import { msgPostBlob } from "./postBlob.js";
import { daQueries } from "./queryServer.js";

export { blobCommitment, namespaceProblem } from "./commitment.js";
export { DAErrors } from "./errors.js";
export { DAKeeper } from "./keeper.js";
export { type DAParams, defaultDAParams, validateParams } from "./params.js";
export { MSG_POST_BLOB_TYPE_URL } from "./postBlob.js";

export function daModule(keeper: DAKeeper, bank: BankKeeper): AppModule {
  return {
    name: MODULE_NAME,
    msgs: [msgPostBlob(keeper, bank)],
    queries: daQueries(keeper),
    // Changed after genesis only by a gov proposal (validateParams refuses what genesis would refuse).
    params: moduleParams(validateParams, keeper),
    defaultGenesis: defaultDAGenesis,
    validateGenesis: (s) => void validateDAGenesis(s),
    initGenesis: (ctx, s) => initDAGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportDAGenesis(ctx, keeper),
    // Retention is block time: bytes older than retentionSeconds go, a bounded number per block.
    beginBlock(ctx) {
      const r = keeper.prune(ctx);
      if (r.count > 0) ctx.emit(pruneEvent(r.count, r.throughHeight));
    },
  };
}
