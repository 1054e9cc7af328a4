import {
  QueryValidatorOutstandingRewardsRequest,
  QueryValidatorOutstandingRewardsResponse,
} from "cosmjs-types/cosmos/distribution/v1beta1/query";
import { MsgWithdrawDelegatorReward } from "cosmjs-types/cosmos/distribution/v1beta1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { fromBech32Address, secp256k1KeyPair, toBech32Address } from "../../common/secp256k1.js";
import { BondKind, createValidatorMsg, NUSA, TestChain, unbondMsg } from "../../test/support/testChain.js";
import { addressOf, sendMsg } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { SCALE } from "./keeper.js";

const [a, b, c, user] = ["d1", "d2", "d3", "d4"].map((h) => secp256k1KeyPair(fromHex(h.repeat(32))));
const [A, B, C, USER] = [a, b, c, user].map((k) => addressOf(k!)) as [string, string, string, string];
const FEE = 10_000n; // TestChain.tx pays 10000unusa per tx
const TAX_PPM = 20_000n;

const chains: TestChain[] = [];
afterEach(() => {
  for (const ch of chains.splice(0)) ch.close();
});

function start(): TestChain {
  const ch = TestChain.start({
    balances: [A, B, C, USER].map((address) => ({ address, amount: 1_000_000n * NUSA })),
    appState: { stake: { params: { minValidatorSelfBond: (1n * NUSA).toString(), unbondingPeriodSeconds: "100" } } },
  });
  chains.push(ch);
  ch.block(); // InitChain's state is committed with the first block
  return ch;
}

const outstanding = (ch: TestChain, op: string): bigint => {
  const r = ch.query(
    "/cosmos.distribution.v1beta1.Query/ValidatorOutstandingRewards",
    QueryValidatorOutstandingRewardsRequest,
    { validatorAddress: toBech32Address(fromBech32Address(op), "nusavaloper") },
    QueryValidatorOutstandingRewardsResponse,
  );
  return BigInt(r.rewards?.rewards[0]?.amount ?? "0");
};
const withdrawMsg = (op: string, val = op) =>
  packAny("/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward", MsgWithdrawDelegatorReward, {
    delegatorAddress: op,
    validatorAddress: val,
  });

/**
 * An independent model: every block's fees (less the community tax) split over the powers in force at that
 * end block, as exact rationals kept over a common denominator D (the product of the distinct total powers).
 */
class Model {
  powers = new Map<string, bigint>();
  exact = new Map<string, { num: bigint; den: bigint }>();
  undistributedWhole = 0n; // blocks with no power: carried whole
  collected = 0n;
  community = 0n;
  block(txs: number): void {
    const collected = FEE * BigInt(txs);
    const tax = (collected * TAX_PPM) / 1_000_000n;
    const rest = collected - tax;
    this.collected += collected;
    this.community += tax;
    let total = 0n;
    for (const p of this.powers.values()) total += p;
    if (total === 0n) {
      this.undistributedWhole += rest;
      return;
    }
    const amount = rest + this.undistributedWhole;
    this.undistributedWhole = 0n;
    for (const [v, p] of this.powers) {
      const e = this.exact.get(v) ?? { num: 0n, den: 1n };
      this.exact.set(v, { num: e.num * total + amount * p * e.den, den: e.den * total });
    }
  }
  scaled(v: string): { floor: bigint } {
    const e = this.exact.get(v) ?? { num: 0n, den: 1n };
    return { floor: (e.num * SCALE) / e.den };
  }
}

describe("fee distribution", () => {
  it("pays fees to validators by voting power over many blocks with changing power, exactly", () => {
    const ch = start();
    const m = new Model();
    // No validator yet: the fee is carried, not lost.
    expect(ch.exec(user, [sendMsg(USER, C, 1n)]).code).toBe(0);
    m.block(1);
    expect(ch.exec(a, [createValidatorMsg(A, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
    m.powers.set(A, 10n);
    m.block(1);
    expect(ch.exec(b, [createValidatorMsg(B, ed25519KeyPair().publicKey, 30n * NUSA)]).code).toBe(0);
    m.powers.set(B, 30n);
    m.block(1);
    for (let i = 0; i < 12; i++) {
      const txs = i % 3 === 0 ? [] : [ch.tx(user, [sendMsg(USER, C, 1n)])];
      ch.block(txs);
      m.block(txs.length);
      if (i === 4) {
        expect(ch.exec(c, [createValidatorMsg(C, ed25519KeyPair().publicKey, 7n * NUSA)]).code).toBe(0);
        m.powers.set(C, 7n);
        m.block(1);
      }
      if (i === 8) {
        expect(ch.exec(b, [unbondMsg(B, BondKind.BOND_KIND_VALIDATOR, 19n * NUSA)]).code).toBe(0);
        m.powers.set(B, 11n);
        m.block(1);
      }
    }
    // Each validator's reward is the exact rational share, rounded down by less than one 10^-18 unusa per
    // block it earned in; the dust is the carry.
    let sum = 0n;
    for (const v of [A, B, C]) {
      const got = outstanding(ch, v);
      const want = m.scaled(v).floor;
      expect(got > want ? got - want : want - got).toBeLessThan(100n);
      expect(got).toBeGreaterThan(0n);
      sum += got;
    }
    const g = ch.exportAppState().distribution as { pool: Record<string, string> };
    expect(BigInt(g.pool.collected)).toBe(m.collected);
    expect(m.collected).toBe(13n * FEE);
    const community = BigInt(g.pool.community);
    expect(community).toBe(m.community);
    expect(ch.balance(moduleAddress(ModuleAccount.Treasury))).toBeGreaterThanOrEqual(community);
    // Conservation: Σ outstanding + carry + paid = (collected − community) · SCALE, and the module account
    // holds exactly what is not yet paid.
    expect(sum + BigInt(g.pool.carry) + BigInt(g.pool.paid) * SCALE).toBe(
      (BigInt(g.pool.collected) - community) * SCALE,
    );
    expect(ch.balance(moduleAddress(ModuleAccount.Distribution))).toBe(
      BigInt(g.pool.collected) - community - BigInt(g.pool.paid),
    );
    expect(ch.balance(moduleAddress(ModuleAccount.FeeCollector))).toBe(0n);
  });

  it("withdraws whole units once: a second withdrawal pays only what accrued since, never twice", () => {
    const ch = start();
    expect(ch.exec(a, [createValidatorMsg(A, ed25519KeyPair().publicKey, 10n * NUSA)]).code).toBe(0);
    expect(ch.exec(b, [createValidatorMsg(B, ed25519KeyPair().publicKey, 30n * NUSA)]).code).toBe(0);
    for (let i = 0; i < 5; i++) expect(ch.exec(user, [sendMsg(USER, C, 1n)]).code).toBe(0);
    const owed = outstanding(ch, A);
    expect(owed / SCALE).toBeGreaterThan(0n);
    const before = ch.balance(A);
    // The withdrawal's own fee is distributed in its block, after the withdrawal ran.
    const r1 = ch.exec(a, [withdrawMsg(A, toBech32Address(fromBech32Address(A), "nusavaloper"))]);
    expect(r1.code).toBe(0);
    expect(ch.balance(A)).toBe(before + owed / SCALE - FEE);
    const blockShare = ((FEE - (FEE * TAX_PPM) / 1_000_000n) * SCALE) / 40n; // A's power 10 of 40
    const left = owed % SCALE;
    expect(outstanding(ch, A)).toBe(left + 10n * blockShare);
    const before2 = ch.balance(A);
    expect(ch.exec(a, [withdrawMsg(A)]).code).toBe(0);
    expect(ch.balance(A)).toBe(before2 + (left + 10n * blockShare) / SCALE - FEE);
    // Someone else's rewards cannot be withdrawn, nor to a validator that is not the signer's own.
    expect(ch.exec(user, [withdrawMsg(USER, A)])).toMatchObject({ code: 3, codespace: "distribution" });
    expect(ch.exec(user, [withdrawMsg(USER)])).toMatchObject({ code: 2, codespace: "distribution" });
    const g = ch.exportAppState().distribution as { pool: Record<string, string> };
    expect(ch.balance(moduleAddress(ModuleAccount.Distribution))).toBe(
      BigInt(g.pool.collected) - BigInt(g.pool.community) - BigInt(g.pool.paid),
    );
  });
});
