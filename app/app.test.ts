import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import {
  QueryAllBalancesRequest,
  QueryAllBalancesResponse,
  QueryBalanceRequest,
  QueryBalanceResponse,
} from "cosmjs-types/cosmos/bank/v1beta1/query";
import { SignMode } from "cosmjs-types/cosmos/tx/signing/v1beta1/signing";
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import { AuthInfo } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType, type ExecTxResult } from "cosmjs-types/tendermint/abci/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NusantaraApp } from "../chain-app/app/app.js";
import { ChainStore, verifyProof } from "../chain-app/store/index.js";
import { fromHex, toHex } from "../common/hash.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { buildGenesis } from "../genesis/builder.js";
import { newAnteHandler } from "../modules/auth/index.js";
import { moduleAddress } from "../modules/auth/moduleAccounts.js";
import { addressOf, buildTx, buildTxParts, encodeTx, sendMsg } from "../test/support/txBuilder.js";
import { createApp } from "./buildApp.js";

const CHAIN = "nusantara-test-1";
const alice = secp256k1KeyPair(fromHex("11".repeat(32)));
const bob = secp256k1KeyPair(fromHex("22".repeat(32)));
const carol = secp256k1KeyPair(fromHex("33".repeat(32)));
const ALICE = addressOf(alice);
const BOB = addressOf(bob);
const CAROL = addressOf(carol);

let dir: string;
let store: ChainStore;
let app: NusantaraApp;
let height = 0n;

function genesisState() {
  const g = buildGenesis({
    chainId: CHAIN,
    genesisTime: "2026-01-01T00:00:00Z",
    validators: [],
    balances: [
      { address: ALICE, coins: [{ denom: "unusa", amount: "1000000000" }] },
      { address: BOB, coins: [{ denom: "unusa", amount: "10000" }] },
    ],
  });
  return new TextEncoder().encode(JSON.stringify(g.app_state));
}

function open(): void {
  store = ChainStore.open(join(dir, "app.sqlite"));
  app = createApp(store, { minGasPrice: "0.025unusa", log: () => {} });
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "app-"));
  open();
  app.initChain({
    chainId: CHAIN,
    initialHeight: 1n,
    appStateBytes: genesisState(),
    validators: [],
    time: { seconds: 1_767_225_600n, nanos: 0 },
  } as any);
  height = 0n;
  block([]);
  const acc = app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address: ALICE }).finish(),
    height: 0n,
    prove: false,
  });
  aliceNum = QueryAccountResponse.decode(acc.value!).account
    ? BaseAccount.decode(QueryAccountResponse.decode(acc.value!).account!.value).accountNumber
    : -1n;
});
afterEach(() => store.close());

function block(txs: Uint8Array[]): ExecTxResult[] {
  height += 1n;
  const r = app.finalizeBlock({
    txs,
    height,
    time: { seconds: 1_767_225_600n + height, nanos: 0 },
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32),
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  } as any);
  app.commit({});
  return r.txResults as ExecTxResult[];
}

function check(tx: Uint8Array, recheck = false) {
  return app.checkTx({ tx, type: recheck ? CheckTxType.RECHECK : CheckTxType.NEW });
}

function balance(addr: string): bigint {
  const r = app.query({
    path: "/cosmos.bank.v1beta1.Query/Balance",
    data: QueryBalanceRequest.encode({ address: addr, denom: "unusa" }).finish(),
    height: 0n,
    prove: false,
  });
  expect(r.code ?? 0).toBe(0);
  return BigInt(QueryBalanceResponse.decode(r.value!).balance!.amount);
}

let aliceNum = 0n;
const send = (seq: bigint, amount = 100n, extra: Partial<Parameters<typeof buildTx>[0]> = {}) =>
  buildTx({
    key: alice,
    chainId: CHAIN,
    accountNumber: aliceNum,
    sequence: seq,
    msgs: [sendMsg(ALICE, CAROL, amount)],
    ...extra,
  });

describe("NusantaraApp", () => {
  it("executes a MsgSend, charges the fee, bumps the sequence and commits a new app hash", () => {
    const before = store.lastAppHash;
    expect(check(send(0n)).code ?? 0).toBe(0);
    const [r] = block([send(0n)]);
    expect(r!.code).toBe(0);
    expect(r!.gasUsed).toBeGreaterThan(0n);
    expect(r!.gasUsed).toBeLessThanOrEqual(r!.gasWanted);
    expect(balance(CAROL)).toBe(100n);
    expect(balance(ALICE)).toBe(1_000_000_000n - 100n - 5000n);
    // The fee is collected, then paid out at end block: 2% community tax to the treasury, the rest held by
    // distribution for the validators (none here, so carried).
    expect(balance(moduleAddress("fee_collector"))).toBe(0n);
    expect(balance(moduleAddress("treasury"))).toBe(100n);
    expect(balance(moduleAddress("distribution"))).toBe(4900n);
    expect(toHex(store.lastAppHash)).not.toBe(toHex(before));
    const types = r!.events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["tx", "message", "transfer", "coin_spent", "coin_received"]));
    const accSeq = r!.events.flatMap((e) => e.attributes).find((a) => a.key === "acc_seq");
    expect(accSeq?.value).toBe(`${ALICE}/0`);
  });

  it("refuses every kind of bad input in CheckTx with SDK codes, without changing state", () => {
    const hash = toHex(store.lastAppHash);
    const cases: [string, Uint8Array, number, RegExp][] = [
      ["not a tx", new Uint8Array([1, 2, 3, 4]), 2, /tx parse error/],
      ["empty", new Uint8Array(), 2, /empty tx/],
      [
        "unknown message",
        buildTx({
          key: alice,
          chainId: CHAIN,
          accountNumber: aliceNum,
          sequence: 0n,
          msgs: [{ typeUrl: "/dsdn.nope.v1.MsgNope", value: new Uint8Array() }],
        }),
        2,
        /unable to resolve type URL \/dsdn\.nope\.v1\.MsgNope/,
      ],
      ["wrong chain id", send(0n, 1n, { chainId: "other-chain" }), 4, /signature verification failed/],
      ["wrong account number", send(0n, 1n, { accountNumber: aliceNum + 7n }), 4, /signature verification failed/],
      ["future sequence", send(5n), 32, /account sequence mismatch, expected 0, got 5/],
      [
        "insufficient fee",
        send(0n, 1n, { fee: [{ denom: "unusa", amount: "10" }] }),
        13,
        /insufficient fees; got: 10unusa required: 5000unusa/,
      ],
      ["insufficient funds", send(0n, 10_000_000_000n), 5, /insufficient funds/],
      [
        "oversized memo",
        send(0n, 1n, { memo: "x".repeat(257) }),
        12,
        /maximum number of characters is 256 but received 257/,
      ],
      [
        "gas limit overflow",
        send(0n, 1n, { gasLimit: 2n ** 63n, fee: [{ denom: "unusa", amount: "999999999" }] }),
        41,
        /gas limit overflow/,
      ],
      [
        "fee payer without funds",
        buildTx({ key: carol, chainId: CHAIN, accountNumber: 9n, sequence: 0n, msgs: [sendMsg(CAROL, ALICE, 1n)] }),
        9,
        /does not exist/,
      ],
    ];
    for (const [name, tx, code, log] of cases) {
      const r = check(tx);
      expect(r.code, name).toBe(code);
      expect(r.log, name).toMatch(log);
      expect(r.codespace, name).toBe("sdk");
    }
    // Tampered signature: flip a bit in the message body after signing.
    const parts = buildTxParts({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNum,
      sequence: 0n,
      msgs: [sendMsg(ALICE, CAROL, 1n)],
    });
    const sig = parts.signature.slice();
    sig[3] = (sig[3] as number) ^ 1;
    expect(check(encodeTx({ ...parts, signature: sig })).code).toBe(4);
    // High-S twin of a valid signature.
    const n = secp256k1.Point.CURVE().n;
    const s = BigInt(`0x${toHex(parts.signature.subarray(32))}`);
    const high = parts.signature.slice();
    high.set(fromHex((n - s).toString(16).padStart(64, "0")), 32);
    expect(check(encodeTx({ ...parts, signature: high })).code).toBe(4);
    // Nothing above touched committed state.
    block([]);
    expect(balance(ALICE)).toBe(1_000_000_000n);
    expect(toHex(store.appHashAt(1n)!)).toBe(hash);
  });

  it("rejects a replayed tx and a stale sequence after commit", () => {
    expect(block([send(0n)])[0]!.code).toBe(0);
    const again = check(send(0n));
    expect(again.code).toBe(32);
    expect(again.log).toMatch(/expected 1, got 0/);
    const replayInBlock = block([send(0n)])[0]!;
    expect(replayInBlock.code).toBe(32);
    expect(balance(CAROL)).toBe(100n);
  });

  it("accepts consecutive sequences in the mempool (check state tracks pending txs)", () => {
    expect(check(send(0n)).code ?? 0).toBe(0);
    expect(check(send(1n)).code ?? 0).toBe(0);
    expect(check(send(3n)).code).toBe(32);
    const results = block([send(0n), send(1n)]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    // After commit the check state is reset to committed state; recheck of a stale tx fails.
    expect(check(send(1n), true).code).toBe(32);
  });

  it("applies several messages all-or-nothing and keeps fee + sequence when they fail", () => {
    const ok = buildTx({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNum,
      sequence: 0n,
      msgs: [sendMsg(ALICE, CAROL, 10n), sendMsg(ALICE, BOB, 20n)],
    });
    expect(block([ok])[0]!.code).toBe(0);
    expect(balance(CAROL)).toBe(10n);
    const bobBefore = balance(BOB);
    // Second message overdraws: the first must be rolled back too, but fee and sequence stay.
    const bad = buildTx({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNum,
      sequence: 1n,
      msgs: [sendMsg(ALICE, CAROL, 10n), sendMsg(ALICE, BOB, 10_000_000_000n)],
    });
    const aliceBefore = balance(ALICE);
    const [r] = block([bad]);
    expect(r!.code).toBe(5);
    expect(balance(CAROL)).toBe(10n);
    expect(balance(BOB)).toBe(bobBefore);
    expect(balance(ALICE)).toBe(aliceBefore - 5000n);
    expect(check(send(2n)).code ?? 0).toBe(0);
  });

  it("runs out of gas deterministically and reports it", () => {
    const [r] = block([send(0n, 1n, { gasLimit: 3000n, fee: [] })]);
    expect(r!.code).toBe(11);
    expect(r!.log).toMatch(/out of gas/);
    expect(r!.gasUsed).toBeGreaterThan(3000n - 1n);
  });

  it("simulates without writing and reports gas like the SDK", () => {
    // As CosmJS does: no fee, an empty signature, sign mode unspecified.
    const parts = buildTxParts({
      key: alice,
      chainId: CHAIN,
      accountNumber: aliceNum,
      sequence: 0n,
      msgs: [sendMsg(ALICE, CAROL, 100n)],
      fee: [],
      gasLimit: 0n,
    });
    const auth = AuthInfo.decode(parts.authInfoBytes);
    auth.signerInfos[0]!.modeInfo = { single: { mode: SignMode.SIGN_MODE_UNSPECIFIED } };
    const simTx = encodeTx({
      bodyBytes: parts.bodyBytes,
      authInfoBytes: AuthInfo.encode(auth).finish(),
      signature: new Uint8Array(),
    });
    const r = app.query({
      path: "/cosmos.tx.v1beta1.Service/Simulate",
      data: SimulateRequest.encode({ txBytes: simTx }).finish(),
      height: 0n,
      prove: false,
    });
    expect(r.code ?? 0).toBe(0);
    const sim = SimulateResponse.decode(r.value!);
    expect(sim.gasInfo!.gasUsed).toBeGreaterThan(10_000n);
    // CosmJS multiplies simulated gas by 1.4: real execution must fit in that.
    const [real] = block([send(0n, 100n, { gasLimit: (sim.gasInfo!.gasUsed * 14n) / 10n })]);
    expect(real!.code).toBe(0);
    expect(real!.gasUsed).toBeLessThanOrEqual((sim.gasInfo!.gasUsed * 11n) / 10n);
    expect(sim.result!.msgResponses[0]!.typeUrl).toBe("/cosmos.bank.v1beta1.MsgSendResponse");
  });

  it("answers unknown accounts the way CosmJS expects and reports the committed height", () => {
    const r = app.query({
      path: "/cosmos.auth.v1beta1.Query/Account",
      data: QueryAccountRequest.encode({ address: CAROL }).finish(),
      height: 0n,
      prove: false,
    });
    expect(r.code).toBe(22);
    expect(r.codespace).toBe("sdk");
    expect(r.log).toBe(`rpc error: code = NotFound desc = account ${CAROL} not found: key not found`);
    expect(r.height).toBe(store.lastHeight);
    const all = app.query({
      path: "/cosmos.bank.v1beta1.Query/AllBalances",
      data: QueryAllBalancesRequest.encode(QueryAllBalancesRequest.fromPartial({ address: ALICE })).finish(),
      height: 0n,
      prove: false,
    });
    expect(QueryAllBalancesResponse.decode(all.value!).balances).toEqual([{ denom: "unusa", amount: "1000000000" }]);
  });

  it("returns raw-key proofs that verify against the committed app hash", () => {
    block([send(0n)]);
    const key = new TextEncoder().encode("auth/\x04");
    const r = app.query({ path: "/store/key", data: key, height: 0n, prove: true });
    expect(new TextDecoder().decode(r.value)).toBe(CHAIN);
    const op = r.proofOps!.ops[0]!;
    expect(verifyProof(store.appHashAt(r.height!)!, key, r.value!, op.data)).toBe(true);
    expect(verifyProof(store.appHashAt(r.height!)!, key, new TextEncoder().encode("forged"), op.data)).toBe(false);
  });

  it("survives a crash between FinalizeBlock and Commit: replay gives the same app hash", () => {
    height += 1n;
    const req = {
      txs: [send(0n)],
      height,
      time: { seconds: 1_767_225_700n, nanos: 0 },
      decidedLastCommit: { round: 0, votes: [] },
      misbehavior: [],
      hash: new Uint8Array(32),
      nextValidatorsHash: new Uint8Array(32),
      proposerAddress: new Uint8Array(20),
    } as any;
    const first = app.finalizeBlock(req);
    store.close(); // crash: no Commit
    open();
    expect(app.info({} as any).lastBlockHeight).toBe(height - 1n);
    const second = app.finalizeBlock(req);
    expect(toHex(second.appHash!)).toBe(toHex(first.appHash!));
    app.commit({});
    expect(balance(CAROL)).toBe(100n);
  });
});

describe("validator updates plumbing", () => {
  it("hands a module's endBlock validator updates to CometBFT in FinalizeBlock", async () => {
    const { buildModules } = await import("./buildApp.js");
    const { NusantaraApp } = await import("../chain-app/app/app.js");
    const { modules, keepers } = buildModules();
    const pubKey = fromHex("aa".repeat(32));
    const probe = {
      name: "probe",
      endBlock: (ctx: { block: { height: bigint } }) =>
        ctx.block.height === 2n ? [{ pubKey: { ed25519: pubKey }, power: 7n }] : undefined,
    };
    const s2 = ChainStore.open(join(dir, "plumbing.sqlite"));
    const a2 = new NusantaraApp(s2, [...modules, probe as any], newAnteHandler(keepers.auth, keepers.bank), {
      log: () => {},
    });
    a2.initChain({
      chainId: CHAIN,
      initialHeight: 1n,
      appStateBytes: genesisState(),
      validators: [],
      time: { seconds: 1n, nanos: 0 },
    } as any);
    const fin = (h: bigint) =>
      a2.finalizeBlock({
        txs: [],
        height: h,
        time: { seconds: h, nanos: 0 },
        decidedLastCommit: { round: 0, votes: [] },
        misbehavior: [],
      } as any);
    expect(fin(1n).validatorUpdates).toEqual([]);
    a2.commit({});
    const r = fin(2n);
    expect(r.validatorUpdates).toHaveLength(1);
    expect(toHex(r.validatorUpdates![0]!.pubKey!.ed25519!)).toBe("aa".repeat(32));
    expect(r.validatorUpdates![0]!.power).toBe(7n);
    s2.close();
  });
});

describe("protobuf encoding in the app's process", () => {
  it("uses exact-size buffers (common/cosmjsWriter.ts is installed by the app, not an 8 KiB slab per message)", async () => {
    const { BinaryWriter } = await import("cosmjs-types/binary");
    expect((BinaryWriter.alloc(10) as Uint8Array).buffer.byteLength).toBe(10);
  });
});
