/** @module What economics needs from the oracle (price), receipts (the storage price param) and bank (treasury, burn). */
import type { Amount } from "../../chain-app/coins.js";
import type { Context } from "../../chain-app/context.js";

export interface OracleKeeper {
  effectivePrice(ctx: Context): bigint;
  isStale(ctx: Context): boolean;
  usdToUnusa(ctx: Context, usdNano: bigint): bigint;
}

export interface ReceiptsKeeper {
  storagePricePerGib(ctx: Context): bigint;
  setStoragePricePerGib(ctx: Context, price: bigint): void;
}

export interface BankKeeper {
  getBalance(ctx: Context, addr: Uint8Array, denom: string): bigint;
  burnCoins(ctx: Context, module: string, amounts: readonly Amount[]): void;
}
