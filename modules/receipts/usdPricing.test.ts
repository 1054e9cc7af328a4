// Receipt v2 at its edges: usage valued in USD (params validated and bounded), paid in unusa at the oracle's
// effective price when claimed — floor, ceiling, stale fallback, no price, zero usage, the per-receipt cap —
// and a v1 receipt refused by name, never re-priced.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModules } from "../../app/buildApp.js";
import { unmeteredContext } from "../../chain-app/context.js";
import { ReceiptKind, Usage } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import { MsgClaimRewardResponse } from "../../proto/gen/dsdn/receipts/v1/tx.js";
import { addressOf, claimMsg, type Fixture, setupFixture, signReceipt } from "../../test/support/receiptFixture.js";
import { CHAIN_ID } from "../../test/support/testChain.js";
import { MAX_PRICE_MICRO_USD, defaultReceiptsParams as P, parseReceiptsParams } from "./params.js";
import { usdValueOf } from "./reward.js";

const GIB = 1n << 30n;
const U64_MAX = (1n << 64n) - 1n;
const storage = (bytes: bigint) => Usage.fromPartial({ chunks: 1n, bytes });
const compute = (computeCycles: bigint) => Usage.fromPartial({ computeCycles });

describe("usdValueOf and the USD price params", () => {
  it("values storage and compute in nano-USD, rounding down; zero usage is worth nothing", () => {
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, storage(GIB), P)).toBe(50_000_000n); // $0.05
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, storage(GIB - 1n), P)).toBe(49_999_999n);
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, storage(0n), P)).toBe(0n);
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_COMPUTE, compute(1_000_000n), P)).toBe(50_000n);
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_COMPUTE, compute(19n), P)).toBe(0n); // 0.95 nano-USD
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_COMPUTE, compute(20n), P)).toBe(1n);
    expect(usdValueOf(ReceiptKind.RECEIPT_KIND_UNSPECIFIED, storage(GIB), P)).toBe(0n);
  });

  it("stays exact at the largest usage and price (u64 bytes × the price bound) and within the reward's 77 digits", () => {
    const p = parseReceiptsParams({ storagePriceMicroUsdPerGib: MAX_PRICE_MICRO_USD.toString() });
    const v = usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, storage(U64_MAX), p);
    expect(v).toBe((U64_MAX * MAX_PRICE_MICRO_USD * 1_000n) / GIB);
    expect(v.toString().length).toBeLessThanOrEqual(77);
  });

  it.each([
    [{ storagePriceMicroUsdPerGib: (MAX_PRICE_MICRO_USD + 1n).toString() }, /storagePriceMicroUsdPerGib: must be/],
    [{ computePriceMicroUsdPerMegacycle: "-1" }, /computePriceMicroUsdPerMegacycle: must be/],
    [{ storagePricePerGib: "1000000" }, /storagePricePerGib: retired with receipt v1/],
    [{ computePricePerMegacycle: "1000" }, /computePricePerMegacycle: retired with receipt v1/],
  ])("refuses params %j", (raw, err) => {
    expect(() => parseReceiptsParams(raw)).toThrow(err);
  });
});

describe("MsgClaimReward pays a v2 receipt at the oracle price", () => {
  let fx: Fixture;
  let BOB: string;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4 });
    BOB = addressOf(fx.bob);
  }, 60_000);
  afterAll(() => fx?.dispose());

  /** Claims `parts` in a branch of the chain with the oracle set to `oracle` (never committed): the response or the error. */
  function claimAt(
    parts: Awaited<ReturnType<typeof signReceipt>>,
    oracle: { price: bigint; updatedAgo?: bigint; floor?: bigint; ceiling?: bigint },
    receipts: { maxRewardPerReceipt?: bigint } = {},
  ): MsgClaimRewardResponse | string {
    const { modules, keepers } = buildModules();
    const handler = modules.find((m) => m.name === "receipts")!.msgs!.find((m) => m.typeUrl.endsWith("ClaimReward"))!;
    const now = fx.chain.time + 5n;
    const ctx = unmeteredContext(
      fx.chain.store.branch(),
      { chainId: CHAIN_ID, height: fx.chain.height + 1n, timeSeconds: now, timeNanos: 0, proposer: new Uint8Array(20) },
      "finalize",
    );
    const op = keepers.oracle.getParams(ctx);
    keepers.oracle.setParams(ctx, {
      ...op,
      floorPriceNanoUsd: oracle.floor ?? op.floorPriceNanoUsd,
      ceilingPriceNanoUsd: oracle.ceiling ?? op.ceilingPriceNanoUsd,
    });
    const st = keepers.oracle.getState(ctx);
    keepers.oracle.setState(ctx, { ...st, priceNanoUsd: oracle.price, updatedAt: now - (oracle.updatedAgo ?? 0n) });
    if (receipts.maxRewardPerReceipt !== undefined)
      keepers.receipts.setParams(ctx, {
        ...keepers.receipts.getParams(ctx),
        maxRewardPerReceipt: receipts.maxRewardPerReceipt,
      });
    try {
      const msg = { claimant: BOB, receipt: parts.receipt, nodeSignature: Buffer.from(parts.nodeSignature) };
      return MsgClaimRewardResponse.decode(handler.handle(ctx, msg).value);
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** The expected payment, computed here: ceil(usd · 10^6 / price). */
  const unusa = (usd: bigint, price: bigint) => (usd * 1_000_000n + price - 1n) / price;

  it("pays USD value ÷ price, for two prices, and records both figures", async () => {
    const r = await signReceipt(fx, { usage: storage(GIB) });
    expect(r.data.reward).toBe("50000000"); // $0.05
    for (const price of [50_000_000n, 40_000_000n, 1_234_567n]) {
      const res = claimAt(r, { price }) as MsgClaimRewardResponse;
      expect(res.reward).toBe(unusa(50_000_000n, price).toString());
      expect([res.rewardUsdNano, res.priceNanoUsd]).toEqual(["50000000", price.toString()]);
    }
    expect((claimAt(r, { price: 50_000_000n }) as MsgClaimRewardResponse).reward).toBe("1000000"); // 1 NUSA
    expect((claimAt(r, { price: 40_000_000n }) as MsgClaimRewardResponse).reward).toBe("1250000");
  });

  it("converts at the floor below it and at the ceiling above it", async () => {
    const r = await signReceipt(fx, { usage: storage(GIB) });
    const floor = 10_000_000n;
    const ceiling = 100_000_000n;
    const low = claimAt(r, { price: floor - 1n, floor, ceiling }) as MsgClaimRewardResponse;
    expect([low.reward, low.priceNanoUsd]).toEqual([unusa(50_000_000n, floor).toString(), floor.toString()]);
    const high = claimAt(r, { price: ceiling * 7n, floor, ceiling }) as MsgClaimRewardResponse;
    expect([high.reward, high.priceNanoUsd]).toEqual([unusa(50_000_000n, ceiling).toString(), ceiling.toString()]);
    const at = claimAt(r, { price: ceiling, floor, ceiling }) as MsgClaimRewardResponse;
    expect(at.priceNanoUsd).toBe(ceiling.toString());
  });

  it("a stale price still pays, at the last good price (within the bounds)", async () => {
    const r = await signReceipt(fx, { usage: storage(GIB) });
    const stale = claimAt(r, { price: 25_000_000n, updatedAgo: 10n * 86_400n }) as MsgClaimRewardResponse;
    expect(stale.reward).toBe(unusa(50_000_000n, 25_000_000n).toString());
  });

  it("refuses with a clear error when the chain has no price, and when the conversion exceeds the per-receipt cap", async () => {
    const r = await signReceipt(fx, { usage: storage(GIB) });
    expect(claimAt(r, { price: 0n })).toMatch(/no NUSA\/USD price to pay the receipt at/);
    // 1 NUSA at $0.05; the cap 999 999 unusa refuses it, 1 000 000 pays it.
    expect(claimAt(r, { price: 50_000_000n }, { maxRewardPerReceipt: 999_999n })).toMatch(/above 999999unusa/);
    expect(claimAt(r, { price: 50_000_000n }, { maxRewardPerReceipt: 1_000_000n })).toMatchObject({
      reward: "1000000",
    });
  });

  it("refuses a usage worth nothing, a reward that is not the USD value, and a v1 receipt (by name)", async () => {
    // 20 bytes at $0.05/GiB is 0 nano-USD: nothing to pay, even though the receipt is otherwise valid.
    const tiny = await signReceipt(fx, { usage: storage(20n), reward: "0" });
    expect(claimAt(tiny, { price: 50_000_000n })).toMatch(/worth nothing/);
    // A v1-style reward (the unusa figure) in a v2 receipt is a wrong reward, not a silent mis-pay.
    const unusaStyle = await signReceipt(fx, { usage: storage(GIB), reward: "1000000" });
    expect(claimAt(unusaStyle, { price: 50_000_000n })).toMatch(
      /receipt says 1000000 nano-USD, usage prices at 50000000/,
    );
    const v1 = await signReceipt(fx, { version: 1, usage: storage(GIB), reward: "1000000" });
    const res = fx.chain.exec(fx.bob, [claimMsg(BOB, v1)]);
    expect([res.codespace, res.code], res.log).toEqual(["receipts", 24]);
    expect(res.log).toMatch(/receipt v1 \(priced in unusa\) is no longer claimable/);
  });
});
