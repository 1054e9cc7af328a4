/** @module What bank needs from auth, and nothing more. */
import type { Context } from "../../chain-app/context.js";

export interface AccountKeeper {
  ensureAccount(ctx: Context, addr: Uint8Array): unknown;
}
