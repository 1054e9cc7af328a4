// Finding 10 (framework parts): InitChain honours CometBFT's genesis validators; addresses have one
// spelling after decode; the tx size limit is a consensus param, not a node option.
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { ResponseProcessProposal_ProposalStatus } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../common/ed25519.js";
import { toHex } from "../common/hash.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { NUSA, TestChain } from "../test/support/testChain.js";
import { addressOf, sendMsg } from "../test/support/txBuilder.js";

const val0 = secp256k1KeyPair(new Uint8Array(32).fill(0x33));
const alice = secp256k1KeyPair(new Uint8Array(32).fill(0x31));
const VAL0 = addressOf(val0);
const ALICE = addressOf(alice);
const BOB = addressOf(secp256k1KeyPair(new Uint8Array(32).fill(0x32)));
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0x41));
const stranger = ed25519KeyPair(new Uint8Array(32).fill(0x43));

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});

function withValidator(extraAppState: Record<string, unknown> = {}): TestChain {
  const c = new TestChain(
    TestChain.genesis({
      balances: [
        { address: VAL0, amount: 1_000n * NUSA },
        { address: ALICE, amount: 1_000n * NUSA },
      ],
      bondedPool: 10n * NUSA,
      appState: {
        stake: {
          params: { minValidatorSelfBond: (10n * NUSA).toString() },
          validators: [
            {
              operator: VAL0,
              consensusPubkey: Buffer.from(cons0.publicKey).toString("base64"),
              moniker: "v0",
              tokens: (10n * NUSA).toString(),
            },
          ],
        },
        ...extraAppState,
      },
    }),
  );
  chains.push(c);
  return c;
}
const summary = (vs: { pubKey?: { ed25519?: Uint8Array }; power: bigint }[]) =>
  vs.map((v) => [toHex(v.pubKey!.ed25519!), v.power]);
const vu = (pub: Uint8Array, power: bigint) => ({ pubKey: { ed25519: pub }, power });

describe("InitChain and CometBFT's genesis validators", () => {
  it("accepts genesis.json's list when it is the set the app bonds, and returns that set", () => {
    const c = withValidator();
    c.init([vu(cons0.publicKey, 10n)]);
    expect(summary(c.initValidators)).toEqual([[toHex(cons0.publicKey), 10n]]);
  });

  it("returns the app's set when CometBFT sends none", () => {
    const c = withValidator();
    c.init([]);
    expect(summary(c.initValidators)).toEqual([[toHex(cons0.publicKey), 10n]]);
  });

  it("refuses a genesis.json that adds an unbonded key, or changes a power", () => {
    expect(() => withValidator().init([vu(cons0.publicKey, 10n), vu(stranger.publicKey, 10n)])).toThrow(
      /genesis\.json lists .* but the app's genesis bonds/,
    );
    expect(() => withValidator().init([vu(cons0.publicKey, 50n)])).toThrow(/genesis validators/);
    expect(() => withValidator().init([vu(stranger.publicKey, 10n)])).toThrow(/genesis validators/);
  });

  it("refuses a genesis.json validator when the app's genesis bonds nobody", () => {
    const c = new TestChain(TestChain.genesis({ balances: [{ address: ALICE, amount: NUSA }] }));
    chains.push(c);
    expect(() => c.init([vu(stranger.publicKey, 10n)])).toThrow(/bonds \(none\)/);
  });
});

describe("addresses are normalised once, at decode", () => {
  it("accepts an all-uppercase signer as the same account, and refuses mixed case", () => {
    const c = withValidator();
    c.init();
    c.block();
    const upper = {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: MsgSend.encode({
        fromAddress: ALICE.toUpperCase(),
        toAddress: BOB.toUpperCase(),
        amount: [{ denom: "unusa", amount: "7" }],
      }).finish(),
    };
    // Two messages naming alice in two spellings need one signature, not two.
    const r = c.block([c.tx(alice, [upper, sendMsg(ALICE, BOB, 1n)])]).txResults[0]!;
    expect(r.code, r.log).toBe(0);
    expect(c.balance(BOB)).toBe(8n);
    const mixed = ALICE.slice(0, 6).toUpperCase() + ALICE.slice(6);
    const bad = c.block([c.tx(alice, [sendMsg(mixed, BOB, 1n)])]).txResults[0]!;
    expect([bad.codespace, bad.code]).toEqual(["sdk", 7]);
  });

  it("refuses a genesis listing one account twice in two spellings", () => {
    expect(() =>
      TestChain.genesis({
        balances: [
          { address: ALICE, amount: NUSA },
          { address: ALICE.toUpperCase(), amount: NUSA },
        ],
      }),
    ).toThrow(/bank\.balances\[\d\]\.address: duplicate/);
  });
});

describe("the tx size limit is a consensus param (auth.params.maxTxBytes)", () => {
  const bigTx = (c: TestChain) => c.tx(alice, [sendMsg(ALICE, BOB, 1n), ...Array(12).fill(sendMsg(ALICE, BOB, 1n))]);

  it("judges proposals and blocks by the genesis param, identically on every validator", () => {
    const small = withValidator({
      auth: { params: { maxTxBytes: "1200" }, accounts: [] },
    });
    small.init();
    small.block();
    const tx = bigTx(small);
    expect(tx.length).toBeGreaterThan(1200);
    const pp = small.app.processProposal({ txs: [tx], height: 2n } as any);
    expect(pp.status).toBe(ResponseProcessProposal_ProposalStatus.REJECT);
    const r = small.block([tx]).txResults[0]!;
    expect([r.codespace, r.code]).toEqual(["sdk", 21]);
    // The same tx under the default limit is a valid block.
    const normal = withValidator();
    normal.init();
    normal.block();
    expect(normal.app.processProposal({ txs: [bigTx(normal)], height: 2n } as any).status).toBe(
      ResponseProcessProposal_ProposalStatus.ACCEPT,
    );
  });

  it("refuses a genesis param above CometBFT's largest block", () => {
    expect(() =>
      TestChain.genesis({ balances: [], appState: { auth: { params: { maxTxBytes: "104857601" }, accounts: [] } } }),
    ).toThrow(/maxTxBytes: at most/);
  });
});
