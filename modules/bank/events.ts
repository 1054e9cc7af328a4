/** @module bank events, named as x/bank emits them so explorers and searchTx queries work unchanged. */
import { type Amount, coinsString } from "../../chain-app/coins.js";
import { event } from "../../chain-app/events.js";

export const EventType = {
  CoinSpent: "coin_spent",
  CoinReceived: "coin_received",
  Transfer: "transfer",
  CoinBurn: "burn",
  CoinMint: "coinbase",
} as const;

export const coinSpent = (spender: string, amount: readonly Amount[]) =>
  event(EventType.CoinSpent, [
    ["spender", spender],
    ["amount", coinsString(amount)],
  ]);
export const coinReceived = (receiver: string, amount: readonly Amount[]) =>
  event(EventType.CoinReceived, [
    ["receiver", receiver],
    ["amount", coinsString(amount)],
  ]);
export const transfer = (sender: string, recipient: string, amount: readonly Amount[]) =>
  event(EventType.Transfer, [
    ["recipient", recipient],
    ["sender", sender],
    ["amount", coinsString(amount)],
  ]);
