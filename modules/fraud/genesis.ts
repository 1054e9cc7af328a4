/**
 * @module fraud genesis: params, the games (Game.toJSON) and the next game id. Open games keep their escrowed
 * bonds in `fraud_escrow` (exported by bank); the indexes (by receipt, open by challenger, deadlines, void
 * receipts, open counts) are rebuilt from the games at init.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson } from "../../chain-app/encoding.js";
import { Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import type { FraudKeeper } from "./keeper.js";
import { defaultFraudParams, parseFraudParams } from "./params.js";

export interface FraudGenesis {
  params: Record<string, string>;
  games: unknown[];
  nextId: string;
}

export function defaultFraudGenesis(): FraudGenesis {
  return { params: JSON.parse(canonicalJson(defaultFraudParams)), games: [], nextId: "1" };
}

export function validateFraudGenesis(raw: unknown): FraudGenesis {
  const g = { ...defaultFraudGenesis(), ...((raw ?? {}) as Partial<FraudGenesis>) } as FraudGenesis;
  parseFraudParams(g.params);
  if (!/^[1-9][0-9]{0,18}$/.test(String(g.nextId))) throw new Error("fraud.nextId: expected a positive integer");
  if (!Array.isArray(g.games)) throw new Error("fraud.games: expected an array");
  for (const [i, x] of g.games.entries()) {
    const game = Game.fromJSON(x);
    if (game.receiptId.length !== 32) throw new Error(`fraud.games[${i}]: receiptId must be 32 bytes`);
    if (game.id < 1n || game.id >= BigInt(g.nextId)) throw new Error(`fraud.games[${i}]: id must be below nextId`);
    if (game.status === GameStatus.GAME_STATUS_UNSPECIFIED) throw new Error(`fraud.games[${i}]: status missing`);
  }
  return g;
}

export function initFraudGenesis(ctx: Context, keeper: FraudKeeper, raw: unknown): void {
  const g = validateFraudGenesis(raw);
  keeper.setParams(ctx, parseFraudParams(g.params));
  keeper.setNextId(ctx, BigInt(g.nextId));
  for (const x of g.games) keeper.restore(ctx, Game.fromJSON(x));
}

export function exportFraudGenesis(ctx: Context, keeper: FraudKeeper): FraudGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    games: [...keeper.games(ctx)].map((x) => Game.toJSON(x)),
    nextId: keeper.nextId(ctx).toString(),
  };
}
