import {
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildModules } from "../../app/buildApp.js";
import { unmeteredContext } from "../../chain-app/context.js";
import { receiptId } from "../../common/receipts/receiptBytes.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { QueryClaimRequest, QueryClaimResponse } from "../../proto/gen/dsdn/receipts/v1/query.js";
import { ClaimStatus, ReceiptKind } from "../../proto/gen/dsdn/receipts/v1/receipts.js";
import {
  addressOf,
  claimMsg,
  type Fixture,
  NUSA,
  recordDkg,
  setupFixture,
  signReceipt,
  submitSeed,
  unusaAtOraclePrice,
} from "../../test/support/receiptFixture.js";
import { CHAIN_ID } from "../../test/support/testChain.js";
import { sendMsg } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";

const POOL = moduleAddress(ModuleAccount.RewardPool);
const TREASURY = moduleAddress(ModuleAccount.Treasury);

let fx: Fixture;
let BOB: string;
beforeAll(async () => {
  // Validator tokens 10, 20, 30, 40 NUSA + 1 unusa: the validator pool does not divide evenly.
  fx = await setupFixture({ validators: 4 });
  BOB = addressOf(fx.bob);
}, 60_000);
afterAll(() => fx?.dispose());

function outstanding(op: string): bigint {
  const r = fx.chain.query(
    "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards",
    QueryValidatorOutstandingRewardsRequest,
    { validatorAddress: op },
    QueryValidatorOutstandingRewardsResponse,
  );
  return BigInt(r.rewards?.rewards[0]?.amount ?? "0");
}

const unusaOf = (usdNano: bigint) => unusaAtOraclePrice(fx.chain, usdNano);

function balances(): Record<string, bigint> {
  const out: Record<string, bigint> = {
    bob: fx.chain.balance(BOB),
    pool: fx.chain.balance(POOL),
    treasury: fx.chain.balance(TREASURY),
  };
  fx.vals.forEach((v, i) => {
    out[`v${i}`] = fx.chain.balance(addressOf(v));
  });
  return out;
}

describe("MsgClaimReward", () => {
  it("pays a storage receipt at once, exactly 70% node / 20% validators by power (via distribution) / 10% + remainders treasury", async () => {
    const p = await signReceipt(fx);
    // Receipt v2: 3 MiB + 12 345 bytes at $0.05 per GiB = floor((3·2^20 + 12345) · 50 000 · 1000 / 2^30) nano-USD,
    // paid in unusa at the oracle's price (the genesis $0.05), rounded up.
    expect(BigInt(p.data.reward)).toBe(((3n * (1n << 20n) + 12_345n) * 50_000n * 1_000n) / (1n << 30n));
    const reward = unusaOf(BigInt(p.data.reward));
    const before = balances();
    const owedBefore = fx.vals.map((v) => outstanding(addressOf(v)));
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect(r.code, r.log).toBe(0);
    const after = balances();
    const node = (reward * 70n) / 100n;
    const pot = (reward * 20n) / 100n;
    // The validators' share and bob's 10 000 unusa fee reach validators through distribution at end block,
    // less its community tax (2%) for the treasury.
    const tax = ((pot + 10_000n) * 20_000n) / 1_000_000n;
    expect(after.bob! - before.bob!).toBe(node - 10_000n);
    fx.vals.forEach((_, i) => {
      expect(after[`v${i}`]).toBe(before[`v${i}`]); // accrued, not paid until withdrawn
    });
    expect(after.treasury! - before.treasury!).toBe(reward - node - pot + tax);
    expect(before.pool! - after.pool!).toBe(reward); // nothing burned, nothing created
    const power = fx.tokens.map((t) => t / NUSA); // power reduction 10^6
    const totalPower = power.reduce((s, x) => s + x, 0n);
    const gained = fx.vals.map((v, i) => outstanding(addressOf(v)) - owedBefore[i]!);
    // Same reward per unit of power for every validator, and (pot + fee − tax) split up to the carried dust.
    const perPower = gained[0]! / power[0]!;
    expect(gained).toEqual(power.map((p) => perPower * p));
    expect(perPower).toBe(((pot + 10_000n - tax) * 10n ** 18n) / totalPower);
    const claim = fx.chain.query(
      "/dsdn.receipts.v1.Query/Claim",
      QueryClaimRequest,
      { receiptId: receiptId(p.bytes) },
      QueryClaimResponse,
    ).claim!;
    expect(claim.status).toBe(ClaimStatus.CLAIM_STATUS_PAID);
    expect(BigInt(claim.nodeAmount) + BigInt(claim.validatorsAmount) + BigInt(claim.treasuryAmount)).toBe(reward);
    expect([claim.reward, claim.rewardUsdNano]).toEqual([reward.toString(), p.data.reward]);
  });

  it("refuses the same receipt twice, and a second receipt for the same slot", async () => {
    const p = await signReceipt(fx);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, p)]).code).toBe(0);
    const again = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([again.codespace, again.code]).toEqual(["receipts", 14]);
    const sameSlot = await signReceipt(fx, {
      workloadId: p.data.workloadId,
      usage: { ...p.data.usage!, bytes: p.data.usage!.bytes + 1n },
    });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, sameSlot)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 14]);
  });

  it("refuses self-dealing: the submitter is the node's operator", async () => {
    const p = await signReceipt(fx, { submitter: BOB });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 12]);
  });

  it("refuses wallet affinity: a transfer either party signed to the other; a shared funder is not affinity", async () => {
    // carol sends bob coins: carol and bob now have affinity.
    expect(fx.chain.exec(fx.carol, [sendMsg(addressOf(fx.carol), BOB, 1n)]).code).toBe(0);
    const p = await signReceipt(fx, { submitter: addressOf(fx.carol) });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 13]);
    expect(r.log).toMatch(/direct_transfer/);
    // carol also funds a fresh address: carol is a third party to bob and it, so no affinity (affinity.ts).
    const fresh = addressOf(secp256k1KeyPair(new Uint8Array(32).fill(0x99)));
    expect(fx.chain.exec(fx.carol, [sendMsg(addressOf(fx.carol), fresh, 1n)]).code).toBe(0);
    const q = await signReceipt(fx, { submitter: fresh });
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, q)]).code).toBe(0);
  });

  it("refuses a receipt naming t−1 signers, and FROST cannot produce one with t−1 members", async () => {
    const t = fx.groups.get(1n)!.committee.threshold;
    const p = await signReceipt(fx, { signers: [1, 2] }, { signers: [1, 2, 3] });
    expect(t).toBe(3);
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 6]);
    await expect(signReceipt(fx, {}, { signers: [1, 2] })).rejects.toThrow(/need at least 3 signers/);
  });

  it("refuses a tampered receipt, a wrong node signature, a wrong claimant and a wrong reward", async () => {
    const p = await signReceipt(fx);
    const bytes = Buffer.from(p.receipt.receiptData);
    const tampered = await signReceipt(fx);
    const forged = { ...tampered, receipt: { ...tampered.receipt, signature: Buffer.from(p.receipt.signature) } };
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, forged)]).code).toBe(5);
    const wrongNode = await signReceipt(fx, {}, { nodeKey: fx.frost.identities[0]! });
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, wrongNode)]).code).toBe(11);
    const r = fx.chain.exec(fx.alice, [claimMsg(addressOf(fx.alice), p)]);
    expect(r.code).toBe(10);
    const greedy = await signReceipt(fx, { reward: (BigInt(p.data.reward) + 1n).toString() });
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, greedy)]).code).toBe(15);
    expect(bytes.length).toBeGreaterThan(0);
  });

  it("refuses a malformed execution commitment", async () => {
    const p = await signReceipt(fx, {
      executionCommitment: {
        workloadId: Buffer.alloc(32, 9),
        inputHash: Buffer.alloc(32),
        outputHash: Buffer.alloc(32),
        stateRootBefore: Buffer.alloc(32),
        stateRootAfter: Buffer.alloc(32),
        executionTraceMerkleRoot: Buffer.alloc(32),
        steps: 1000n,
        traceEvery: 100n,
        outputSize: 32n,
        moduleHash: Buffer.alloc(32, 6),
        executionKind: 0,
        fuelLimit: 10_000_000n,
        memoryPages: 16,
      },
    });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, p)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 3]);
  });

  const ec = (w: Buffer, over: Record<string, unknown> = {}) => ({
    workloadId: w,
    inputHash: Buffer.alloc(32, 1),
    outputHash: Buffer.alloc(32, 2),
    stateRootBefore: Buffer.alloc(32, 3),
    stateRootAfter: Buffer.alloc(32, 4),
    executionTraceMerkleRoot: Buffer.alloc(32, 5),
    steps: 1000n,
    traceEvery: 100n,
    outputSize: 32n,
    moduleHash: Buffer.alloc(32, 6),
    executionKind: 0,
    fuelLimit: 10_000_000n,
    memoryPages: 16,
    ...over,
  });
  const usage = { chunks: 0n, bytes: 0n, byteSeconds: 0n, computeCycles: 7_654_321n };
  const compute = (tag: number, ecOver: Record<string, unknown> = {}, over: Record<string, unknown> = {}) => {
    const w = Buffer.alloc(32, tag);
    return signReceipt(fx, {
      kind: ReceiptKind.RECEIPT_KIND_COMPUTE,
      workloadId: w,
      executionCommitment: ec(w, ecOver),
      usage,
      ...over,
    });
  };

  it("refuses a compute receipt with malformed game fields or a timestamp from the future", async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ traceEvery: 0n }, /trace_every/],
      [{ steps: 0n }, /steps/],
      [{ moduleHash: Buffer.alloc(32) }, /module_hash/],
      [{ moduleHash: Buffer.alloc(0) }, /module_hash/],
    ];
    for (const [i, [over, why]] of bad.entries()) {
      const r = fx.chain.exec(fx.bob, [claimMsg(BOB, await compute(0xd0 + i, over))]);
      expect([r.codespace, r.code], r.log).toEqual(["receipts", 3]);
      expect(r.log).toMatch(why);
    }
    const skew = fx.receiptsParams.maxTimestampSkewSeconds;
    const future = await compute(0xdf, {}, { timestamp: fx.chain.time + 5n + skew + 1n });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, future)]);
    expect([r.codespace, r.code], r.log).toEqual(["receipts", 23]);
  });

  it("refuses a compute claim inside its window (saying when), pays it 70/20/10 at once after it", async () => {
    const a = await compute(0xc1, { outputSize: 2_500_000n }); // 3 MB: 20 + 3 × 5 = 35 s
    const signedAt = a.data.timestamp;
    expect(BigInt(a.data.reward)).toBe((7_654_321n * 50n * 1_000n) / 1_000_000n); // nano-USD at $50 per 10^12 cycles
    const reward = unusaOf(BigInt(a.data.reward));
    const inside = fx.chain.exec(fx.bob, [claimMsg(BOB, a)]);
    expect([inside.codespace, inside.code], inside.log).toEqual(["receipts", 20]);
    expect(inside.log).toContain(`claimable from block time ${signedAt + 35n}`);
    while (fx.chain.time + 10n < signedAt + 35n) fx.chain.block(); // the next block is the last one inside
    const last = fx.chain.exec(fx.bob, [claimMsg(BOB, a)]);
    expect(last.code, last.log).toBe(20);
    const before = balances();
    const paid = fx.chain.exec(fx.bob, [claimMsg(BOB, a)]);
    expect(paid.code, paid.log).toBe(0);
    const after = balances();
    const node = (reward * 700_000n) / 1_000_000n;
    const pot = (reward * 200_000n) / 1_000_000n;
    const tax = ((pot + 10_000n) * 20_000n) / 1_000_000n; // distribution's community tax on pot + fee
    expect(after.bob! - before.bob!).toBe(node - 10_000n); // paid at once, less the claim's fee
    expect(after.treasury! - before.treasury!).toBe(reward - node - pot + tax);
    expect(before.pool! - after.pool!).toBe(reward);
    const claim = fx.chain.query(
      "/dsdn.receipts.v1.Query/Claim",
      QueryClaimRequest,
      { receiptId: receiptId(a.bytes) },
      QueryClaimResponse,
    ).claim!;
    expect(claim.status).toBe(ClaimStatus.CLAIM_STATUS_PAID);
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, a)]).code).toBe(14); // once
  });

  it("after the window, refuses a receipt under dispute or void (the fraud module's hook)", async () => {
    const a = await compute(0xc7);
    for (let i = 0; i < 5; i++) fx.chain.block(); // 25 s: the 20 s window closed
    const { modules, keepers } = buildModules();
    const handler = modules
      .find((m) => m.name === "receipts")!
      .msgs!.find((m) => m.typeUrl.endsWith("MsgClaimReward"))!;
    const id = Buffer.from(receiptId(a.bytes)).toString("hex");
    const run = (state: "disputed" | "void" | "none") => {
      keepers.receipts.setDisputes({
        isDisputed: (_c, r) => state === "disputed" && Buffer.from(r).toString("hex") === id,
        isVoid: (_c, r) => state === "void" && Buffer.from(r).toString("hex") === id,
      });
      const ctx = unmeteredContext(
        fx.chain.store.branch(),
        {
          chainId: CHAIN_ID,
          height: fx.chain.height + 1n,
          timeSeconds: fx.chain.time + 5n,
          timeNanos: 0,
          proposer: new Uint8Array(20),
        },
        "finalize",
      );
      const msg = { claimant: BOB, receipt: a.receipt, nodeSignature: Buffer.from(a.nodeSignature) };
      try {
        handler.handle(ctx, msg);
        return "paid";
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(run("disputed")).toMatch(/under a fraud dispute/);
    expect(run("void")).toMatch(/void/);
    expect(run("none")).toBe("paid");
  });
});

describe("committee handoff", () => {
  let hx: Fixture;
  beforeAll(async () => {
    hx = await setupFixture({ validators: 4, committee: { epochBlocks: "20", handoffBlocks: "5" } });
  }, 60_000);
  afterAll(() => hx?.dispose());

  it("accepts the previous committee's receipt within the handoff; after it, refuses one that committee signs", async () => {
    const fx = hx;
    const BOB = addressOf(fx.bob);
    const old = await signReceipt(fx);
    // Run to the end of epoch 1 (20 blocks from its start): epoch 2's seed is requested and submitted by its
    // designated coordinator, epoch 2 is selected, then its DKG recorded.
    const start = fx.groups.get(1n)!.committee.startHeight;
    while (fx.chain.height + 1n < start + 20n) fx.chain.block();
    fx.chain.block();
    submitSeed(fx);
    expect((await import("../../test/support/receiptFixture.js")).queryCommittee(fx.chain).epoch).toBe(2n);
    await recordDkg(fx);
    const fresh = await signReceipt(fx, {}, { epoch: 2n });
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, old)]).code).toBe(0); // epoch 1, inside the 5-block handoff
    expect(fx.chain.exec(fx.bob, [claimMsg(BOB, fresh)]).code).toBe(0);
    for (let i = 0; i < 5; i++) fx.chain.block();
    // Epoch 1's retired key signing now: its timestamp is after its term (retiredCommittee.test.ts has the rest).
    const late = await signReceipt(fx, {}, { epoch: 1n });
    const r = fx.chain.exec(fx.bob, [claimMsg(BOB, late)]);
    expect([r.codespace, r.code]).toEqual(["receipts", 4]);
    expect(r.log).toMatch(/expired at the end of the handoff .* after its term/);
  });
});
