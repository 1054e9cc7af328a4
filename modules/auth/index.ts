/** @module The auth module: accounts, sequences, pubkeys, and the ante handler the app runs before every tx. */

import type { AppModule } from "../../chain-app/module.js";
import { moduleParams } from "../../chain-app/params.js";
import { defaultAuthGenesis, exportAuthGenesis, initAuthGenesis, validateAuthGenesis } from "./genesis.js";
import type { AuthKeeper } from "./keeper.js";
import { MODULE_NAME } from "./keys.js";
import { parseAuthParams } from "./params.js";
import { authQueries } from "./queryServer.js";

export { newAnteHandler } from "./ante/handler.js";
export { type Account, AuthKeeper, addressBytesOf, SECP256K1_PUBKEY_TYPE } from "./keeper.js";
export {
  ALL_MODULE_ACCOUNTS,
  isModuleAddress,
  ModuleAccount,
  moduleAddress,
  moduleAddressBytes,
} from "./moduleAccounts.js";
export { type AuthParams, defaultAuthParams } from "./params.js";

export function authModule(keeper: AuthKeeper): AppModule {
  return {
    name: MODULE_NAME,
    params: moduleParams(parseAuthParams, keeper),
    queries: authQueries(keeper),
    defaultGenesis: defaultAuthGenesis,
    validateGenesis: (s) => void validateAuthGenesis(s),
    initGenesis: (ctx, s) => initAuthGenesis(ctx, keeper, s),
    exportGenesis: (ctx) => exportAuthGenesis(ctx, keeper),
  };
}
