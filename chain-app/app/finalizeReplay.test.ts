/** @module Regression: a FinalizeBlock re-sent before Commit (CometBFT crashed, dsdnd kept running) is applied once. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BaseAccount } from "cosmjs-types/cosmos/auth/v1beta1/auth";
import { QueryAccountRequest, QueryAccountResponse } from "cosmjs-types/cosmos/auth/v1beta1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { Request, Response } from "cosmjs-types/tendermint/abci/types";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fromHex, toHex } from "../../common/hash.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import { buildGenesis } from "../../genesis/builder.js";
import { addressOf, buildTx, sendMsg } from "../../test/support/txBuilder.js";
import { dispatchRequest } from "../abci/dispatch.js";
import type { AbciLogger } from "../abci/logger.js";
import type { Context } from "../context.js";
import type { AppModule } from "../module.js";
import { ChainStore } from "../store/index.js";
import { NusantaraApp } from "./app.js";
import { buildModules } from "./buildApp.js";

const CHAIN = "nusantara-replay-1";
const alice = secp256k1KeyPair(fromHex("41".repeat(32)));
const ALICE = addressOf(alice);
const CAROL = addressOf(secp256k1KeyPair(fromHex("43".repeat(32))));
const GENESIS_TIME = 1_767_225_600n;
const silent: AbciLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Counts hook runs in state (so a hook applied twice shows in the app hash) and in memory. */
function probeModule(calls: { begin: number; end: number }): AppModule {
  const key = new TextEncoder().encode("hooks");
  const bump = (ctx: Context) => {
    const s = ctx.moduleStore("probe");
    const n = s.get(key)?.[0] ?? 0;
    s.set(key, Uint8Array.of(n + 1));
  };
  return {
    name: "probe",
    beginBlock(ctx) {
      calls.begin++;
      bump(ctx);
    },
    endBlock(ctx) {
      calls.end++;
      bump(ctx);
      return undefined;
    },
  };
}

interface Node {
  readonly store: ChainStore;
  readonly app: NusantaraApp;
  readonly calls: { begin: number; end: number };
}

const dirs: string[] = [];
let nodes: Node[] = [];

function newNode(): Node {
  const dir = mkdtempSync(join(tmpdir(), "finalize-replay-"));
  dirs.push(dir);
  const store = ChainStore.open(join(dir, "app.sqlite"));
  const calls = { begin: 0, end: 0 };
  const { modules, keepers } = buildModules();
  const app = new NusantaraApp(store, [...modules, probeModule(calls)], keepers, { log: () => {} });
  const g = buildGenesis({
    chainId: CHAIN,
    genesisTime: "2026-01-01T00:00:00Z",
    validators: [],
    balances: [{ address: ALICE, coins: [{ denom: "unusa", amount: "1000000000" }] }],
  });
  app.initChain({
    chainId: CHAIN,
    initialHeight: 1n,
    appStateBytes: new TextEncoder().encode(JSON.stringify(g.app_state)),
    validators: [],
    time: { seconds: GENESIS_TIME, nanos: 0 },
  } as any);
  const node = { store, app, calls };
  nodes.push(node);
  return node;
}

beforeEach(() => {
  nodes = [];
});
afterEach(() => {
  for (const n of nodes) n.store.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function finalizeReq(height: bigint, txs: Uint8Array[]) {
  return {
    txs,
    height,
    time: { seconds: GENESIS_TIME + height, nanos: 0 },
    decidedLastCommit: { round: 0, votes: [] },
    misbehavior: [],
    hash: new Uint8Array(32).fill(Number(height)),
    nextValidatorsHash: new Uint8Array(32),
    proposerAddress: new Uint8Array(20),
  } as any;
}

function accountNumber(app: NusantaraApp): bigint {
  const r = app.query({
    path: "/cosmos.auth.v1beta1.Query/Account",
    data: QueryAccountRequest.encode({ address: ALICE }).finish(),
    height: 0n,
    prove: false,
  });
  return BaseAccount.decode(QueryAccountResponse.decode(r.value!).account!.value).accountNumber;
}

function balance(app: NusantaraApp, addr: string): bigint {
  const r = app.query({
    path: "/cosmos.bank.v1beta1.Query/Balance",
    data: QueryBalanceRequest.encode({ address: addr, denom: "unusa" }).finish(),
    height: 0n,
    prove: false,
  });
  return BigInt(QueryBalanceResponse.decode(r.value!).balance!.amount);
}

function sends(app: NusantaraApp, from: bigint, count: number): Uint8Array[] {
  const num = accountNumber(app);
  return Array.from({ length: count }, (_, i) =>
    buildTx({
      key: alice,
      chainId: CHAIN,
      accountNumber: num,
      sequence: from + BigInt(i),
      msgs: [sendMsg(ALICE, CAROL, 100n)],
    }),
  );
}

/** Block 1 (genesis + no txs) applied once and committed on every node. */
function commitFirstBlock(...ns: Node[]): void {
  for (const n of ns) {
    n.app.finalizeBlock(finalizeReq(1n, []));
    n.app.commit({});
  }
}

describe("FinalizeBlock re-sent before Commit", () => {
  it("applies the block once: same app hash as a single application, hooks once, txs pass", () => {
    const once = newNode();
    const twice = newNode();
    commitFirstBlock(once, twice);
    const txs = sends(once.app, 0n, 3);

    const single = once.app.finalizeBlock(finalizeReq(2n, txs));
    once.app.commit({});

    const first = twice.app.finalizeBlock(finalizeReq(2n, txs));
    // CometBFT crashed here; on restart its handshake replays block 2 to the still-running app.
    const replay = twice.app.finalizeBlock(finalizeReq(2n, txs));
    twice.app.commit({});

    expect(first.txResults!.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(replay.txResults!.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(replay.txResults!.map((r) => r.log)).toEqual(single.txResults!.map((r) => r.log));
    expect(toHex(replay.appHash!)).toBe(toHex(single.appHash!));
    expect(toHex(twice.store.lastAppHash)).toBe(toHex(once.store.lastAppHash));
    expect(balance(twice.app, CAROL)).toBe(300n);
    // In state: begin + end per block, for blocks 1 and 2 — a double application would say 6.
    const hooks = twice.store.committed().get(new TextEncoder().encode("probe/hooks"));
    expect(hooks?.[0]).toBe(4);
  });

  it("applies the first block once after InitChain (the genesis state is the base, not the pending block)", () => {
    const once = newNode();
    const twice = newNode();
    once.app.finalizeBlock(finalizeReq(1n, []));
    once.app.commit({});
    twice.app.finalizeBlock(finalizeReq(1n, []));
    twice.app.finalizeBlock(finalizeReq(1n, []));
    twice.app.commit({});
    expect(toHex(twice.store.lastAppHash)).toBe(toHex(once.store.lastAppHash));
    expect(balance(twice.app, ALICE)).toBe(1_000_000_000n);
    expect(twice.store.committed().get(new TextEncoder().encode("probe/hooks"))?.[0]).toBe(2);
  });

  it("a replay with a different block for the same height is applied to the committed state, not on top", () => {
    const ref = newNode();
    const n = newNode();
    commitFirstBlock(ref, n);
    const txs = sends(ref.app, 0n, 2);
    ref.app.finalizeBlock(finalizeReq(2n, [txs[0]!]));
    ref.app.commit({});
    n.app.finalizeBlock(finalizeReq(2n, txs));
    const r = n.app.finalizeBlock(finalizeReq(2n, [txs[0]!]));
    n.app.commit({});
    expect(r.txResults!.map((x) => x.code)).toEqual([0]);
    expect(toHex(n.store.lastAppHash)).toBe(toHex(ref.store.lastAppHash));
  });

  it("Info during the crash window reports the last committed height and hash, never the pending block", () => {
    const n = newNode();
    commitFirstBlock(n);
    const committedHash = toHex(n.store.lastAppHash);
    const pending = n.app.finalizeBlock(finalizeReq(2n, sends(n.app, 0n, 1)));
    const info = n.app.info({} as any);
    expect(info.lastBlockHeight).toBe(1n);
    expect(toHex(info.lastBlockAppHash!)).toBe(committedHash);
    expect(toHex(pending.appHash!)).not.toBe(committedHash);
    // Queries see the committed state, not the pending block.
    expect(balance(n.app, CAROL)).toBe(0n);
  });

  it("PrepareProposal and ProcessProposal leave no state behind", () => {
    const ref = newNode();
    const n = newNode();
    commitFirstBlock(ref, n);
    const txs = sends(ref.app, 0n, 2);
    ref.app.finalizeBlock(finalizeReq(2n, txs));
    ref.app.commit({});
    const prepared = n.app.prepareProposal({ txs, maxTxBytes: 1_000_000n, height: 2n } as any);
    n.app.processProposal({ txs: prepared.txs, height: 2n } as any);
    n.app.finalizeBlock(finalizeReq(2n, txs));
    n.app.processProposal({ txs, height: 3n } as any);
    n.app.commit({});
    expect(toHex(n.store.lastAppHash)).toBe(toHex(ref.store.lastAppHash));
  });

  it("refuses FinalizeBlock for a height other than committed + 1, and Commit without FinalizeBlock", async () => {
    const n = newNode();
    expect(() => n.app.finalizeBlock(finalizeReq(2n, []))).toThrow(/height 2.*expected 1/);
    commitFirstBlock(n);
    expect(() => n.app.finalizeBlock(finalizeReq(1n, []))).toThrow(/height 1.*expected 2/);
    expect(() => n.app.finalizeBlock(finalizeReq(5n, []))).toThrow(/height 5.*expected 2/);
    expect(() => n.app.commit({})).toThrow(/without a finalized block/);
    // Through the ABCI dispatch the refusal is a ResponseException (CometBFT halts rather than forks).
    const bytes = await dispatchRequest(
      n.app,
      Request.fromPartial({ finalizeBlock: finalizeReq(7n, []) }),
      "finalizeBlock",
      silent,
    );
    expect(Response.decode(bytes).exception?.error).toMatch(/finalizeBlock: .*height 7.*expected 2/);
    // The refusal changed nothing: block 2 still applies normally.
    n.app.finalizeBlock(finalizeReq(2n, sends(n.app, 0n, 1)));
    n.app.commit({});
    expect(balance(n.app, CAROL)).toBe(100n);
  });
});
