/**
 * Attacks on the decoded-tx cache (CheckTx → ProcessProposal/FinalizeBlock): a near-copy of a cached tx is
 * judged on its own bytes, and a cached tx is judged on the state of the block that executes it.
 */
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../common/hash.js";
import { secp256k1KeyPair } from "../common/secp256k1.js";
import { CHAIN_ID, TestChain } from "../test/support/testChain.js";
import { addressOf, buildTx, sendMsg } from "../test/support/txBuilder.js";

const alice = secp256k1KeyPair(fromHex("41".repeat(32)));
const bob = secp256k1KeyPair(fromHex("42".repeat(32)));
const carol = secp256k1KeyPair(fromHex("43".repeat(32)));
const [ALICE, BOB, CAROL] = [alice, bob, carol].map(addressOf) as [string, string, string];

let chain: TestChain | undefined;
afterEach(() => {
  chain?.close();
  chain = undefined;
});

function start(): TestChain {
  chain?.close();
  chain = TestChain.start({
    balances: [
      { address: ALICE, amount: 1_000_000_000n },
      { address: BOB, amount: 10_000n },
    ],
  });
  chain.block();
  return chain;
}

/** A MsgSend signed at an explicit sequence, fee 2,500 unusa for 100,000 gas (the 0.025 minimum). */
function send(key: typeof alice, seq: bigint, amount: bigint, to = CAROL): Uint8Array {
  return buildTx({
    key,
    chainId: CHAIN_ID,
    accountNumber: chain!.accountNumber(addressOf(key)),
    sequence: seq,
    msgs: [sendMsg(addressOf(key), to, amount)],
    gasLimit: 100_000n,
    fee: [{ denom: "unusa", amount: "2500" }],
  });
}

const ok = (code: number | undefined) => code ?? 0;
const flip = (b: Uint8Array, i: number) => {
  const out = b.slice();
  out[i] = out[i]! ^ 1;
  return out;
};

describe("decoded-tx cache", () => {
  it("decodes a tx once: FinalizeBlock and ProcessProposal reuse what CheckTx decoded", () => {
    const c = start();
    const tx = send(alice, 0n, 100n);
    expect(c.check(tx).code).toBe(0);
    const before = c.app.decodeCacheStats;
    const pp = c.app.processProposal({ txs: [tx], height: c.height + 1n } as any);
    expect(pp.status).toBe(1); // ACCEPT
    const r = c.block([tx]).txResults[0]!;
    expect(r.code).toBe(0);
    const after = c.app.decodeCacheStats;
    expect(after.hits - before.hits).toBe(2);
    expect(after.misses - before.misses).toBe(0);
    // Finalized txs leave the cache (they leave the mempool too).
    expect(after.size).toBe(0);
    expect(c.balance(CAROL)).toBe(100n);
  });

  it("does not serve a tx whose bytes differ by one byte (signature, message or fee) from the cached one", () => {
    const variants: [string, (raw: TxRaw) => TxRaw][] = [
      ["signature", (raw) => ({ ...raw, signatures: [flip(raw.signatures[0]!, 10)] })],
      ["body", (raw) => ({ ...raw, bodyBytes: flip(raw.bodyBytes, raw.bodyBytes.length - 1) })],
      ["auth info", (raw) => ({ ...raw, authInfoBytes: flip(raw.authInfoBytes, raw.authInfoBytes.length - 1) })],
    ];
    for (const [what, tamper] of variants) {
      const c = start();
      const good = send(alice, 0n, 100n);
      const bad = TxRaw.encode(tamper(TxRaw.decode(good))).finish();
      expect(bad.length, what).toBe(good.length);
      // The good tx is cached; an empty block resets the check state (not the cache).
      expect(c.check(good).code).toBe(0);
      c.block([]);
      expect(c.app.decodeCacheStats.size).toBe(1);
      // The near-copy is judged on its own bytes in CheckTx and in FinalizeBlock.
      expect(ok(c.check(bad).code), what).not.toBe(0);
      expect(c.check(good).code).toBe(0);
      expect(c.block([bad]).txResults[0]!.code, what).not.toBe(0);
      expect(c.balance(CAROL)).toBe(0n);
      // The good tx is still what it was.
      expect(c.block([good]).txResults[0]!.code).toBe(0);
      expect(c.balance(CAROL)).toBe(100n);
    }
  });

  it("a cached tx still fails when the sequence moved on in between", () => {
    const c = start();
    const cached = send(alice, 0n, 100n);
    expect(c.check(cached).code).toBe(0);
    // Another tx at the same sequence (different bytes) is committed first.
    expect(c.block([send(alice, 0n, 7n)]).txResults[0]!.code).toBe(0);
    const hits = c.app.decodeCacheStats.hits;
    const r = c.block([cached]).txResults[0]!;
    expect(c.app.decodeCacheStats.hits).toBe(hits + 1);
    expect(r.code).toBe(32);
    expect(r.log).toMatch(/expected 1, got 0/);
    expect(c.balance(CAROL)).toBe(7n);
    // RECHECK judges it on the new state too, and drops it from the cache.
    expect(ok(c.app.checkTx({ tx: cached, type: 1 } as any).code)).toBe(32);
    expect(c.app.decodeCacheStats.size).toBe(0);
  });

  it("a cached tx still fails when its fee can no longer be paid", () => {
    const c = start();
    // Both pass CheckTx on 10,000: 2,500 + 100, then 2,500 + 100.
    expect(c.check(send(bob, 0n, 100n)).code).toBe(0);
    const cached = send(bob, 1n, 100n);
    expect(c.check(cached).code).toBe(0);
    // A different seq-0 tx spends most of the balance: 10,000 - 2,500 - 7,000 = 500 left.
    expect(c.block([send(bob, 0n, 7_000n)]).txResults[0]!.code).toBe(0);
    const hits = c.app.decodeCacheStats.hits;
    const r = c.block([cached]).txResults[0]!;
    expect(c.app.decodeCacheStats.hits).toBe(hits + 1);
    expect(r.code).toBe(5); // insufficient funds for the fee
    expect(c.balance(BOB)).toBe(500n);
  });

  it("forgets a tx refused by CheckTx, and ProcessProposal still refuses what does not decode", () => {
    const c = start();
    const bad = send(bob, 0n, 1_000_000n); // more than bob has
    expect(ok(c.check(bad).code)).not.toBe(0);
    expect(c.app.decodeCacheStats.size).toBe(0);
    const pp = c.app.processProposal({ txs: [Uint8Array.of(1, 2, 3)], height: c.height + 1n } as any);
    expect(pp.status).toBe(2); // REJECT
  });
});
