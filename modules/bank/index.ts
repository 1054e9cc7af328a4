/** @module The bank module: balances, supply, module accounts, MsgSend. */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { defaultBankGenesis, exportBankGenesis, initBankGenesis, validateBankGenesis } from "./genesis.js";
import type { BankKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseBankParams } from "./params.js";
import { bankQueries } from "./queryServer.js";
import { msgSend } from "./send.js";

export { BankErrors } from "./errors.js";
export { BankKeeper, type BankParams } from "./keeper.js";
export { MSG_SEND_TYPE_URL } from "./send.js";

export function bankModule(keeper: BankKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseBankParams, keeper),
    msgs: [msgSend(keeper)],
    queries: bankQueries(keeper),
    defaultGenesis: defaultBankGenesis,
    validateGenesis: (s) => void validateBankGenesis(s),
    initGenesis: (ctx, s) => initBankGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportBankGenesis(ctx, keeper),
  };
}
