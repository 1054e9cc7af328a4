/** @module economics keeper: computes the period's index, fee and burn; records them; applies them only when switched on. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { PeriodRecord } from "../../proto/gen/dsdn/economics/v1/economics.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { adaptiveBurn, adaptiveFee } from "./adaptive.js";
import { periodEvent } from "./events.js";
import type { BankKeeper, OracleKeeper, ReceiptsKeeper } from "./expectedKeepers.js";
import { lastKey, MODULE_NAME, paramsKey } from "./keys.js";
import { defaultEconomicsParams, type EconomicsParams, validateEconomicsParams } from "./params.js";

const DENOM = "unusa";

export class EconomicsKeeper {
  constructor(
    private readonly oracle: OracleKeeper,
    private readonly receipts: ReceiptsKeeper,
    private readonly bank: BankKeeper,
  ) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): EconomicsParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? validateEconomicsParams(JSON.parse(fromUtf8(raw))) : defaultEconomicsParams;
  }

  setParams(ctx: Context, p: EconomicsParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getLast(ctx: Context): PeriodRecord | undefined {
    const raw = this.store(ctx).get(lastKey);
    return raw ? PeriodRecord.decode(raw) : undefined;
  }

  setLast(ctx: Context, r: PeriodRecord): void {
    this.store(ctx).set(lastKey, PeriodRecord.encode(r).finish());
  }

  /**
   * Once per period (block time): the Node Cost Index at the oracle's effective price, the adaptive
   * storage price (bounded) and the treasury burn. Always recorded and evented; applied only when
   * params.applyEnabled = 1 (shadow mode otherwise). No oracle price yet: nothing to compute.
   */
  endBlock(ctx: Context): void {
    const p = this.getParams(ctx);
    const now = ctx.block.timeSeconds;
    const last = this.getLast(ctx);
    if (last && now < last.time + p.periodSeconds) return;
    let price: bigint;
    try {
      price = this.oracle.effectivePrice(ctx);
    } catch {
      return;
    }
    const nci = this.oracle.usdToUnusa(ctx, p.referenceNodeCostUsdNano);
    const prevNci = last ? BigInt(last.nodeCostIndex) : nci;
    const current = this.receipts.storagePricePerGib(ctx);
    // The storage price is in USD (receipt v2) and claims pay it in NUSA at the oracle's price, so a NUSA move
    // is already in what a user pays: the USD fee follows the node's USD cost (the index's USD side) alone.
    const cost = p.referenceNodeCostUsdNano;
    const prevCost = last?.referenceCostUsdNano ? BigInt(last.referenceCostUsdNano) : cost;
    const fee = adaptiveFee(current, cost, prevCost, p.maxFeeChangePpm);
    const treasuryAddr = addressBytesOf(moduleAddress(ModuleAccount.Treasury));
    const treasury = this.bank.getBalance(ctx, treasuryAddr, DENOM);
    const burn = adaptiveBurn(treasury, p.treasuryFloor, p.burnPpmOfExcess, p.maxBurnPerPeriod);
    const applied = p.applyEnabled === 1n;
    if (applied) {
      this.receipts.setStoragePricePerGib(ctx, fee);
      if (burn > 0n) this.bank.burnCoins(ctx, ModuleAccount.Treasury, [{ denom: DENOM, amount: burn }]);
    }
    const r = PeriodRecord.fromPartial({
      period: (last?.period ?? 0n) + 1n,
      time: now,
      priceNanoUsd: price.toString(),
      priceStale: this.oracle.isStale(ctx),
      nodeCostIndex: nci.toString(),
      previousNodeCostIndex: prevNci.toString(),
      currentStoragePrice: current.toString(),
      adaptiveStoragePrice: fee.toString(),
      treasuryBalance: treasury.toString(),
      adaptiveBurn: burn.toString(),
      applied,
      referenceCostUsdNano: cost.toString(),
    });
    this.setLast(ctx, r);
    ctx.emit(periodEvent(r));
  }
}
