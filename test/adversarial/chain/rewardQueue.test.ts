/**
 * Finding 7 (issue 11), after issue 14 retired the compute claim queue: a compute claim is refused inside its
 * window and paid at once after it, so end block has no queue to work through. An empty reward pool refuses
 * the claim and loses nothing (the receipt stays claimable); the pool can be funded after genesis; a payout
 * does not loop over the validators.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModules } from "../../../app/buildApp.js";
import { Context } from "../../../chain-app/context.js";
import { GasMeter } from "../../../chain-app/gas.js";
import type { KVStore } from "../../../chain-app/store/index.js";
import { fromUtf8 } from "../../../common/encoding.js";
import { packAny } from "../../../common/protobuf.js";
import { fromBech32Address } from "../../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import { SCALE } from "../../../modules/distribution/index.js";
import { type Claim, ClaimStatus, ReceiptKind } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import { MsgFundRewardPool } from "../../../proto/gen/dsdn/receipts/v1/tx.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  setupFixture,
  signReceipt,
  unusaAtOraclePrice,
} from "../../support/receiptFixture.js";
import { sendMsg } from "../../support/txBuilder.js";

const POOL = moduleAddress(ModuleAccount.RewardPool);
const TREASURY = moduleAddress(ModuleAccount.Treasury);

function fundMsg(fx: Fixture, amount: bigint) {
  return packAny("/dsdn.receipts.v1.MsgFundRewardPool", MsgFundRewardPool, {
    depositor: addressOf(fx.carol),
    amount: amount.toString(),
  });
}

/** A context over a scratch branch of the committed state, gas-metered so the work it does can be counted. */
function scratch(fx: Fixture, store: KVStore = fx.chain.store.branch()) {
  return new Context(
    store,
    new GasMeter(undefined),
    {
      chainId: "t",
      height: fx.chain.height + 1n,
      timeSeconds: fx.chain.time + 5n,
      timeNanos: 0,
      proposer: new Uint8Array(20),
    },
    "finalize",
  );
}

function fakeClaim(fx: Fixture, i: number, reward: bigint, payableHeight: bigint): Claim {
  const id = Buffer.alloc(32);
  id.writeUInt32BE(i, 28);
  return {
    receiptId: id,
    replayKey: Buffer.from(id).fill(0xee, 0, 4),
    kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
    workloadId: Buffer.alloc(32, 1),
    nodeId: Buffer.from(fx.node.publicKey),
    operator: addressOf(fx.bob),
    submitter: addressOf(fx.alice),
    epoch: 1n,
    reward: reward.toString(),
    rewardUsdNano: "0",
    priceNanoUsd: "0",
    nodeAmount: "0",
    validatorsAmount: "0",
    treasuryAmount: "0",
    status: ClaimStatus.CLAIM_STATUS_PAID,
    claimedHeight: 1n,
    payableHeight,
    paidHeight: 0n,
  };
}

describe("compute claims and the reward pool", () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await setupFixture({ validators: 4, rewardPoolFunding: 0n });
  }, 60_000);
  afterAll(() => fx?.dispose());

  const { receipts, bank } = buildModules().keepers;

  it("a payout never reads the validator set (its validators' share is split once per block)", () => {
    const read: string[] = [];
    const base = fx.chain.store.branch();
    const spy: KVStore = {
      get: (k) => {
        read.push(fromUtf8(k.subarray(0, 6)));
        return base.get(k);
      },
      has: (k) => {
        read.push(fromUtf8(k.subarray(0, 6)));
        return base.has(k);
      },
      *iterate(r) {
        for (const e of base.iterate(r)) {
          read.push(fromUtf8(e[0].subarray(0, 6)));
          yield e;
        }
      },
      set: (k, v) => base.set(k, v),
      delete: (k) => base.delete(k),
    };
    const ctx = scratch(fx, spy);
    bank.mintCoins(ctx, ModuleAccount.RewardPool, [{ denom: "unusa", amount: 1_000_000n }]);
    read.length = 0;
    receipts.pay(ctx, fakeClaim(fx, 999, 123_457n, 1n));
    expect(read.filter((k) => k.startsWith("stake/"))).toEqual([]);
  });

  it("an empty pool refuses a matured compute claim and keeps it claimable; MsgFundRewardPool after genesis pays it", async () => {
    const BOB = addressOf(fx.bob);
    const compute = async (tag: number) => {
      const w = Buffer.alloc(32, tag);
      const h = (b: number) => Buffer.alloc(32, b);
      return signReceipt(fx, {
        kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
        workloadId: w,
        executionCommitment: {
          workloadId: w,
          inputHash: h(1),
          outputHash: h(2),
          stateRootBefore: h(3),
          stateRootAfter: h(4),
          executionTraceMerkleRoot: h(5),
          steps: 1000n,
          traceEvery: 100n,
          outputSize: 32n,
          moduleHash: Buffer.alloc(32, 6),
          executionKind: 0,
          fuelLimit: 10_000_000n,
          memoryPages: 16,
        },
        usage: { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 5_000_000n },
      });
    };
    const a = await compute(0xa1);
    const b = await compute(0xb2);
    for (let i = 0; i < 5; i++) fx.chain.block(); // both windows closed; the pool is empty
    const empty = fx.chain.exec(fx.bob, [claimMsg(BOB, a)]);
    expect([empty.codespace, empty.code], empty.log).toEqual(["receipts", 16]);
    // The pool is not a bank send target (blocked module account), but MsgFundRewardPool funds it.
    expect(fx.chain.exec(fx.carol, [sendMsg(addressOf(fx.carol), POOL, 10n)]).code).not.toBe(0);
    const reward = unusaAtOraclePrice(fx.chain, BigInt(a.data.reward)); // receipt v2: USD, paid in unusa
    const bob0 = fx.chain.balance(BOB);
    const t0 = fx.chain.balance(TREASURY);
    const r = fx.chain.exec(fx.carol, [fundMsg(fx, reward)]); // enough for exactly one
    expect(r.code, r.log).toBe(0);
    const node = (reward * 70n) / 100n;
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, a)]).code).toBe(0); // the refused receipt was not used up
    expect(fx.chain.balance(BOB) - bob0).toBe(node - 10_000n);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, b)]).code).toBe(16);
    expect(fx.chain.exec(fx.carol, [fundMsg(fx, reward)]).code).toBe(0);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, b)]).code).toBe(0);
    expect(fx.chain.balance(BOB) - bob0).toBe(2n * node - 3n * 10_000n);
    // Nothing stays behind: both rewards left the pool for the node, the validators and the treasury.
    expect(fx.chain.balance(POOL)).toBe(0n);
    expect(fx.chain.balance(TREASURY)).toBeGreaterThan(t0);
    expect(fx.chain.exec(fx.carol, [fundMsg(fx, 0n)]).code).not.toBe(0);
  });
});

describe("the validators' share", () => {
  let fx: Fixture;
  beforeAll(async () => {
    // 4 validators, but an active set of 2 (the two with the most power: 40 and 30 NUSA).
    fx = await setupFixture({ validators: 4, stake: { maxValidators: "2" } });
  }, 60_000);
  afterAll(() => fx?.dispose());

  it("is pooled per block, handed to distribution once, and split exactly by power over the active set only", () => {
    const { receipts, bank, distribution } = buildModules().keepers;
    const ctx = scratch(fx);
    const ops = fx.vals.map((v) => fromBech32Address(addressOf(v)));
    const feeCollector = () =>
      bank.getBalance(ctx, fromBech32Address(moduleAddress(ModuleAccount.FeeCollector)), "unusa");
    receipts.pay(ctx, fakeClaim(fx, 1, 1_000_003n, 1n));
    receipts.pay(ctx, fakeClaim(fx, 2, 2_000_011n, 1n));
    const pot = receipts.validatorPot(ctx);
    expect(pot).toBe((1_000_003n * 200_000n) / 1_000_000n + (2_000_011n * 200_000n) / 1_000_000n);
    const fc = feeCollector();
    receipts.distributeValidatorPot(ctx);
    expect(feeCollector()).toBe(fc + pot);
    expect(receipts.validatorPot(ctx)).toBe(0n);
    const before = ops.map((op) => distribution.outstanding(ctx, op));
    const pool0 = distribution.getPool(ctx);
    distribution.allocate(ctx);
    const pool1 = distribution.getPool(ctx);
    const delta = ops.map((op, i) => distribution.outstanding(ctx, op) - before[i]!);
    const power = fx.tokens.map((t) => t / 1_000_000n);
    const active = power[2]! + power[3]!;
    expect(pool1.totalPower).toBe(active);
    const taxed = pool1.community - pool0.community;
    // Every unit lands: Σ rewards + change in carry = (fee_collector − tax) · 10^18.
    expect(delta.reduce((x, y) => x + y, 0n) + pool1.carry - pool0.carry).toBe((fc + pot - taxed) * SCALE);
    const perPower = pool1.rewardPerPower - pool0.rewardPerPower;
    expect(delta).toEqual([0n, 0n, perPower * power[2]!, perPower * power[3]!]);
  });
});
