/** @module fraud keeper: games and their indexes, the deadline queue, void receipts, verdicts and the end-block sweep. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, concat, fromUtf8, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { sha256 } from "../../common/hash.js";
import { Game, GameStatus } from "../../proto/gen/dsdn/fraud/v1/fraud.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import { verdictEvent } from "./events.js";
import type { BankKeeper, NodeSlasher } from "./expectedKeepers.js";
import {
  byReceiptKey,
  byReceiptPrefix,
  deadlineKey,
  gameKey,
  MODULE_NAME,
  nextIdKey,
  openByChallengerKey,
  openCountKey,
  Prefix,
  paramsKey,
  voidKey,
} from "./keys.js";
import { defaultFraudParams, type FraudParams, parseFraudParams } from "./params.js";

const PPM = 1_000_000n;
export const MAX_GAMES_PER_QUERY = 100;

export const isOpen = (g: Game): boolean =>
  g.status === GameStatus.GAME_STATUS_AWAIT_DEFENDER ||
  g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER ||
  g.status === GameStatus.GAME_STATUS_AWAIT_STEP_PROOF;

export class FraudKeeper {
  constructor(
    private readonly bank: BankKeeper,
    private readonly slasher: NodeSlasher,
  ) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): FraudParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseFraudParams(JSON.parse(fromUtf8(raw))) : defaultFraudParams;
  }

  setParams(ctx: Context, p: FraudParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getGame(ctx: Context, id: bigint): Game | undefined {
    const raw = this.store(ctx).get(gameKey(id));
    return raw ? (Game.decode(raw) as Game) : undefined;
  }

  *games(ctx: Context): Generator<Game> {
    const start = Uint8Array.of(Prefix.Game);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Game + 1) })) yield Game.decode(v);
  }

  gamesByReceipt(ctx: Context, receiptId: Uint8Array, limit = MAX_GAMES_PER_QUERY): Game[] {
    const p = byReceiptPrefix(receiptId);
    const end = concat(p, new Uint8Array(8).fill(0xff), Uint8Array.of(0xff));
    const out: Game[] = [];
    for (const [k] of this.store(ctx).iterate({ start: p, end })) {
      if (out.length >= limit) break;
      const g = this.getGame(ctx, readU64be(k.subarray(p.length)));
      if (g) out.push(g);
    }
    return out;
  }

  nextId(ctx: Context): bigint {
    const raw = this.store(ctx).get(nextIdKey);
    return raw ? readU64be(raw) : 1n;
  }

  setNextId(ctx: Context, id: bigint): void {
    this.store(ctx).set(nextIdKey, u64be(id));
  }

  openGameOf(ctx: Context, receiptId: Uint8Array, challenger: string): bigint | undefined {
    const raw = this.store(ctx).get(openByChallengerKey(receiptId, addressBytesOf(challenger)));
    return raw ? readU64be(raw) : undefined;
  }

  /** ReceiptDisputes for the receipts module: a receipt with an open game is not paid yet. */
  isDisputed(ctx: Context, receiptId: Uint8Array): boolean {
    return this.openCount(ctx, receiptId) > 0n;
  }

  /** ReceiptDisputes: fraud was proven on this receipt; it never pays. */
  isVoid(ctx: Context, receiptId: Uint8Array): boolean {
    return this.store(ctx).has(voidKey(receiptId));
  }

  private openCount(ctx: Context, receiptId: Uint8Array): bigint {
    const raw = this.store(ctx).get(openCountKey(receiptId));
    return raw ? readU64be(raw) : 0n;
  }

  private setOpenCount(ctx: Context, receiptId: Uint8Array, n: bigint): void {
    if (n === 0n) this.store(ctx).delete(openCountKey(receiptId));
    else this.store(ctx).set(openCountKey(receiptId), u64be(n));
  }

  /** Stores a new game with its indexes (the bond is already escrowed). */
  create(ctx: Context, g: Game): void {
    this.store(ctx).set(gameKey(g.id), Game.encode(g).finish());
    this.store(ctx).set(byReceiptKey(g.receiptId, g.id), new Uint8Array());
    this.store(ctx).set(openByChallengerKey(g.receiptId, addressBytesOf(g.challenger)), u64be(g.id));
    this.store(ctx).set(deadlineKey(g.deadline, g.id), new Uint8Array());
    this.setOpenCount(ctx, g.receiptId, this.openCount(ctx, g.receiptId) + 1n);
  }

  /** Genesis import: a game and the indexes its state implies. */
  restore(ctx: Context, g: Game): void {
    if (isOpen(g)) {
      this.create(ctx, g);
      return;
    }
    this.store(ctx).set(gameKey(g.id), Game.encode(g).finish());
    this.store(ctx).set(byReceiptKey(g.receiptId, g.id), new Uint8Array());
    if (g.status === GameStatus.GAME_STATUS_FRAUD) this.store(ctx).set(voidKey(g.receiptId), u64be(g.id));
  }

  /** Saves a move of an open game, moving its deadline entry. */
  update(ctx: Context, before: Game, after: Game): void {
    if (before.deadline !== after.deadline || !isOpen(after))
      this.store(ctx).delete(deadlineKey(before.deadline, before.id));
    if (isOpen(after)) this.store(ctx).set(deadlineKey(after.deadline, after.id), new Uint8Array());
    this.store(ctx).set(gameKey(after.id), Game.encode(after).finish());
  }

  /**
   * Settles a game: FRAUD slashes the node (slashing's compute-fraud rate), voids the receipt and repays the
   * challenger its bond plus `challengerRewardPpm` of the slash (from the treasury, where slashes go);
   * FALSE_ACCUSATION sends `falseAccusationSlashPpm` of the bond to the treasury and the rest back; MOOT repays
   * the bond whole (another game voided the receipt first).
   */
  resolve(ctx: Context, g: Game, status: GameStatus, reason: string): Game {
    const p = this.getParams(ctx);
    const coins = (amount: bigint) => [{ denom: p.denom, amount }];
    const challenger = addressBytesOf(g.challenger);
    const bond = BigInt(g.bond);
    let slashed = 0n;
    let reward = 0n;
    if (status === GameStatus.GAME_STATUS_FRAUD) {
      const evidence = sha256(concat(utf8("dsdn.fraud.v1.verdict\0"), u64be(g.id), g.receiptId));
      slashed = this.slasher.slashComputeFraud(ctx, g.nodeId, evidence);
      reward = (slashed * p.challengerRewardPpm) / PPM;
      this.store(ctx).set(voidKey(g.receiptId), u64be(g.id));
      if (bond > 0n) this.bank.sendFromModuleToAccount(ctx, ModuleAccount.FraudEscrow, challenger, coins(bond));
      if (reward > 0n) this.bank.sendFromModuleToAccount(ctx, ModuleAccount.Treasury, challenger, coins(reward));
    } else if (status === GameStatus.GAME_STATUS_FALSE_ACCUSATION) {
      slashed = (bond * p.falseAccusationSlashPpm) / PPM;
      if (slashed > 0n)
        this.bank.sendFromModuleToModule(ctx, ModuleAccount.FraudEscrow, ModuleAccount.Treasury, coins(slashed));
      if (bond - slashed > 0n)
        this.bank.sendFromModuleToAccount(ctx, ModuleAccount.FraudEscrow, challenger, coins(bond - slashed));
    } else if (bond > 0n) {
      this.bank.sendFromModuleToAccount(ctx, ModuleAccount.FraudEscrow, challenger, coins(bond));
    }
    const done: Game = {
      ...g,
      status,
      reason,
      resolvedAt: ctx.block.timeSeconds,
      slashed: slashed.toString(),
      reward: reward.toString(),
    };
    this.update(ctx, g, done);
    this.store(ctx).delete(openByChallengerKey(g.receiptId, challenger));
    this.setOpenCount(ctx, g.receiptId, this.openCount(ctx, g.receiptId) - 1n);
    ctx.emit(verdictEvent(done));
    return done;
  }

  /** A game on a receipt another game already proved void ends without a winner. */
  resolveIfMoot(ctx: Context, g: Game): Game | undefined {
    if (!isOpen(g) || !this.isVoid(ctx, g.receiptId)) return undefined;
    return this.resolve(ctx, g, GameStatus.GAME_STATUS_MOOT, "the receipt was proven void by another game");
  }

  /**
   * End block: resolves open games whose deadline has passed, oldest deadline first, at most
   * `maxExpiriesPerBlock`: the party to move loses (the defender when it must open, bisect or prove the step).
   */
  sweepExpired(ctx: Context): void {
    const max = this.getParams(ctx).maxExpiriesPerBlock;
    const now = ctx.block.timeSeconds;
    const start = Uint8Array.of(Prefix.Deadline);
    const end = deadlineKey(now + 1n, 0n);
    const due: bigint[] = [];
    for (const [k] of this.store(ctx).iterate({ start, end })) {
      if (BigInt(due.length) >= max) break;
      due.push(readU64be(k.subarray(9)));
    }
    for (const id of due) {
      const g = this.getGame(ctx, id);
      if (!g || !isOpen(g)) continue;
      if (this.resolveIfMoot(ctx, g)) continue;
      if (g.status === GameStatus.GAME_STATUS_AWAIT_CHALLENGER)
        this.resolve(ctx, g, GameStatus.GAME_STATUS_FALSE_ACCUSATION, "the challenger missed its deadline");
      else this.resolve(ctx, g, GameStatus.GAME_STATUS_FRAUD, "the defender missed its deadline");
    }
  }
}
