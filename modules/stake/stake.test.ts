import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, toHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  QueryGetStakeRequest,
  QueryGetStakeResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "../../proto/gen/dsdn/stake/v1/query.js";
import {
  BondKind,
  bondNodeMsg,
  createValidatorMsg,
  NodeClass,
  NUSA,
  TestChain,
  unbondMsg,
} from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";

const val0 = secp256k1KeyPair(fromHex("33".repeat(32)));
const alice = secp256k1KeyPair(fromHex("31".repeat(32)));
const bob = secp256k1KeyPair(fromHex("32".repeat(32)));
const VAL0 = addressOf(val0);
const ALICE = addressOf(alice);
const BOB = addressOf(bob);
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0x41));
const consA = ed25519KeyPair(new Uint8Array(32).fill(0x42));

let chain: TestChain;

beforeEach(() => {
  chain = TestChain.start({
    balances: [
      { address: VAL0, amount: 1_000n * NUSA },
      { address: ALICE, amount: 100_000n * NUSA },
      { address: BOB, amount: 100_000n * NUSA },
    ],
    bondedPool: 10n * NUSA,
    appState: {
      stake: {
        params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "100" },
        validators: [
          {
            operator: VAL0,
            consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
            moniker: "node0",
            tokens: (10n * NUSA).toString(),
          },
        ],
      },
    },
  });
});
afterEach(() => chain.close());

const getStake = (address: string) =>
  chain.query("/dsdn.stake.v1.Query/GetStake", QueryGetStakeRequest, { address }, QueryGetStakeResponse);

describe("stake", () => {
  it("hands the genesis validators' power to CometBFT in InitChain, then only changes", () => {
    expect(chain.initValidators).toHaveLength(1);
    expect(toHex(chain.initValidators[0]!.pubKey.ed25519!)).toBe(toHex(cons0.publicKey));
    expect(chain.initValidators[0]!.power).toBe(10n);
    expect(chain.block().validatorUpdates).toEqual([]);
  });

  it("refuses a genesis whose bonded pool does not hold the bonded stake", () => {
    const bad = new TestChain(
      TestChain.genesis({
        balances: [{ address: VAL0, amount: NUSA }],
        bondedPool: 9n * NUSA,
        appState: {
          stake: {
            params: { minValidatorSelfBond: (10n * NUSA).toString() },
            validators: [
              {
                operator: VAL0,
                consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
                moniker: "x",
                tokens: (10n * NUSA).toString(),
              },
            ],
          },
        },
      }),
    );
    expect(() => bad.init()).toThrow(/bonded_tokens_pool holds 9000000unusa, genesis bonds 10000000/);
    bad.close();
  });

  it("creates a validator: bond to the pool, power = stake / 10^6 handed to CometBFT at end block", () => {
    chain.block();
    const pool = chain.balance(moduleAddress(ModuleAccount.BondedPool));
    const before = chain.balance(ALICE);
    const r = chain.block([chain.tx(alice, [createValidatorMsg(ALICE, consA.publicKey, 25n * NUSA + 999_999n)])]);
    expect(r.txResults[0]!.code).toBe(0);
    expect(r.validatorUpdates).toHaveLength(1);
    expect(toHex(r.validatorUpdates[0]!.pubKey.ed25519!)).toBe(toHex(consA.publicKey));
    expect(r.validatorUpdates[0]!.power).toBe(25n);
    expect(chain.balance(ALICE)).toBe(before - 25n * NUSA - 999_999n - 10_000n);
    expect(chain.balance(moduleAddress(ModuleAccount.BondedPool))).toBe(pool + 25n * NUSA + 999_999n);
    const vs = chain.query(
      "/dsdn.stake.v1.Query/Validators",
      QueryValidatorsRequest,
      { pagination: { limit: 1n } },
      QueryValidatorsResponse,
    );
    expect(vs.validators).toHaveLength(1);
    const page2 = chain.query(
      "/dsdn.stake.v1.Query/Validators",
      QueryValidatorsRequest,
      { pagination: { key: vs.pagination!.nextKey, limit: 10n } },
      QueryValidatorsResponse,
    );
    expect(page2.validators).toHaveLength(1);
    expect(page2.pagination!.nextKey.length).toBe(0);
    const ops = [...vs.validators, ...page2.validators].map((v) => v.operator).sort();
    expect(ops).toEqual([ALICE, VAL0].sort());
    expect(getStake(ALICE).validatorTokens).toBe((25n * NUSA + 999_999n).toString());

    // The same consensus key, a second validator for the same operator, too small a bond.
    expect(chain.exec(bob, [createValidatorMsg(BOB, consA.publicKey, 20n * NUSA)])).toMatchObject({
      code: 3,
      codespace: "stake",
    });
    expect(chain.exec(alice, [createValidatorMsg(ALICE, cons0.publicKey, 20n * NUSA)]).code).toBe(2);
    const small = chain.exec(bob, [createValidatorMsg(BOB, ed25519KeyPair().publicKey, 10n * NUSA - 1n)]);
    expect(small.code).toBe(5);
    expect(small.log).toMatch(/9999999unusa < 10000000unusa/);
  });

  it("unbonds a validator: power 0 at once, coins paid only after the unbonding period (block time)", () => {
    chain.block();
    expect(chain.exec(alice, [createValidatorMsg(ALICE, consA.publicKey, 20n * NUSA)]).code).toBe(0);
    // Leaving less than the minimum self-bond is refused; leaving nothing is allowed.
    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_VALIDATOR, 15n * NUSA)]).code).toBe(12);
    const balance = chain.balance(ALICE);
    const r = chain.block([chain.tx(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_VALIDATOR, 20n * NUSA)])], { dt: 1n });
    expect(r.txResults[0]!.code).toBe(0);
    expect(r.validatorUpdates.map((u) => [toHex(u.pubKey.ed25519!), u.power])).toEqual([[toHex(consA.publicKey), 0n]]);
    const paidAt = chain.time + 100n;
    expect(getStake(ALICE).unbonding).toBe((20n * NUSA).toString());
    expect(chain.balance(moduleAddress(ModuleAccount.NotBondedPool))).toBe(20n * NUSA);
    while (chain.time + 10n < paidAt) {
      chain.block([], { dt: 10n });
      expect(chain.balance(ALICE)).toBe(balance - 10_000n);
    }
    chain.block([], { dt: paidAt - chain.time });
    expect(chain.balance(ALICE)).toBe(balance - 10_000n + 20n * NUSA);
    expect(chain.balance(moduleAddress(ModuleAccount.NotBondedPool))).toBe(0n);
    expect(getStake(ALICE).unbonding).toBe("0");
  });

  it("bonds node stake by class, reports minimum and stake weight, keeps the class fixed", () => {
    chain.block();
    expect(chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_REGULAR, 600n * NUSA)]).code).toBe(0);
    const s = getStake(BOB);
    expect(s.nodeClass).toBe(NodeClass.NODE_CLASS_REGULAR);
    expect(s.nodeStake).toBe((600n * NUSA).toString());
    expect(s.minNodeStake).toBe((500n * NUSA).toString());
    expect(s.meetsNodeMinimum).toBe(true);
    expect(s.stakeWeight).toBe("263034"); // log2(1.2) = 0.2630344058
    const mismatch = chain.exec(bob, [bondNodeMsg(BOB, NodeClass.NODE_CLASS_DATA_CENTER, 5_000n * NUSA)]);
    expect(mismatch).toMatchObject({ code: 8, codespace: "stake" });
    expect(chain.exec(alice, [bondNodeMsg(ALICE, NodeClass.NODE_CLASS_DATA_CENTER, 4_999n * NUSA)]).code).toBe(0);
    expect(getStake(ALICE)).toMatchObject({ meetsNodeMinimum: false, stakeWeight: "0", minNodeStake: "5000000000" });
    expect(chain.exec(alice, [bondNodeMsg(ALICE, NodeClass.NODE_CLASS_DATA_CENTER, 5_001n * NUSA)]).code).toBe(0);
    expect(getStake(ALICE)).toMatchObject({ meetsNodeMinimum: true, stakeWeight: "1000000" });
    // Unknown class and zero amounts never reach the handler.
    expect(chain.exec(alice, [bondNodeMsg(ALICE, 7 as NodeClass, NUSA)]).code).toBe(7);
    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_NODE, 0n)]).code).toBe(6);
    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_NODE, 10_001n * NUSA)]).code).toBe(11);
  });
});
