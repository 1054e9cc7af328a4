/**
 * How many secp256k1 verifications one tx costs a node: CheckTx computes it, RECHECK skips signatures
 * (only sequence and fee can change), ProcessProposal only decodes, FinalizeBlock reuses CheckTx's verdict.
 * A node that never saw the tx in its mempool verifies it once, in FinalizeBlock; a bad signature is never cached.
 */

import { SignDoc, TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { CheckTxType } from "cosmjs-types/tendermint/abci/types";
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../common/hash.js";
import { secp256k1KeyPair, secp256k1Sign } from "../common/secp256k1.js";
import { CHAIN_ID, TestChain } from "../test/support/testChain.js";
import { addressOf, buildTx, sendMsg } from "../test/support/txBuilder.js";

const alice = secp256k1KeyPair(fromHex("61".repeat(32)));
const bob = secp256k1KeyPair(fromHex("62".repeat(32)));
const CAROL = addressOf(secp256k1KeyPair(fromHex("63".repeat(32))));

let chain: TestChain | undefined;
afterEach(() => {
  chain?.close();
  chain = undefined;
});

function start(): TestChain {
  chain = TestChain.start({
    balances: [
      { address: addressOf(alice), amount: 1_000_000_000n },
      { address: addressOf(bob), amount: 1_000_000_000n },
    ],
  });
  chain.block();
  return chain;
}

function send(c: TestChain, key: typeof alice, seq: bigint, amount: bigint): Uint8Array {
  return buildTx({
    key,
    chainId: CHAIN_ID,
    accountNumber: c.accountNumber(addressOf(key)),
    sequence: seq,
    msgs: [sendMsg(addressOf(key), CAROL, amount)],
    gasLimit: 100_000n,
    fee: [{ denom: "unusa", amount: "2500" }],
  });
}

/** secp256k1 verifications computed (cache misses) and served (hits) since `before`. */
function delta(c: TestChain, before: { hits: number; misses: number }) {
  const now = c.app.sigVerifyStats!;
  return { verified: now.misses - before.misses, reused: now.hits - before.hits };
}

describe("signature verification per node per tx", () => {
  it("costs one verify across CheckTx, RECHECK, ProcessProposal and FinalizeBlock", () => {
    const c = start();
    const a = send(c, alice, 0n, 100n);
    const b = send(c, bob, 0n, 200n);
    const s0 = { ...c.app.sigVerifyStats! };
    expect(c.check(a).code).toBe(0);
    expect(c.check(b).code).toBe(0);
    expect(delta(c, s0)).toEqual({ verified: 2, reused: 0 });
    // Block 1 carries only bob's tx; alice's stays in the mempool and is rechecked after the commit.
    expect(c.app.processProposal({ txs: [b], height: c.height + 1n } as any).status).toBe(1);
    expect(c.block([b]).txResults[0]!.code).toBe(0);
    expect(c.app.checkTx({ tx: a, type: CheckTxType.RECHECK }).code ?? 0).toBe(0);
    expect(c.app.processProposal({ txs: [a], height: c.height + 1n } as any).status).toBe(1);
    expect(c.block([a]).txResults[0]!.code).toBe(0);
    // Two txs, each verified once (CheckTx) and reused once (FinalizeBlock); RECHECK and ProcessProposal verify nothing.
    expect(delta(c, s0)).toEqual({ verified: 2, reused: 2 });
    expect(c.balance(CAROL)).toBe(300n);
  });

  it("a tx first seen in a block is verified once, in FinalizeBlock", () => {
    const c = start();
    const a = send(c, alice, 0n, 100n);
    const s0 = { ...c.app.sigVerifyStats! };
    expect(c.app.processProposal({ txs: [a], height: c.height + 1n } as any).status).toBe(1);
    expect(c.block([a]).txResults[0]!.code).toBe(0);
    expect(delta(c, s0)).toEqual({ verified: 1, reused: 0 });
  });

  it("a tx with another signature on the same body is verified on its own and refused in CheckTx and FinalizeBlock", () => {
    const c = start();
    const good = send(c, alice, 0n, 100n);
    expect(c.check(good).code).toBe(0);
    c.block([]); // a new check state (alice's sequence back at 0); the caches stay
    // Bob's signature over alice's exact sign bytes: well formed, valid for bob's key, not for alice's.
    const forged = signOver(bob, TxRaw.decode(good), c.accountNumber(addressOf(alice)));
    expect(forged.length).toBe(good.length);
    const s0 = { ...c.app.sigVerifyStats! };
    expect(c.check(forged).code).not.toBe(0);
    expect(c.block([forged]).txResults[0]!.code).not.toBe(0);
    expect(delta(c, s0)).toEqual({ verified: 2, reused: 0 });
    expect(c.balance(CAROL)).toBe(0n);
    // The genuine tx is still served from what its CheckTx verified.
    expect(c.block([good]).txResults[0]!.code).toBe(0);
    expect(delta(c, s0)).toEqual({ verified: 2, reused: 1 });
    expect(c.balance(CAROL)).toBe(100n);
  });
});

/** `raw` with its signature replaced by `key`'s over the same sign bytes. */
function signOver(key: typeof alice, raw: TxRaw, accountNumber: bigint): Uint8Array {
  const sb = SignDoc.encode({
    bodyBytes: raw.bodyBytes,
    authInfoBytes: raw.authInfoBytes,
    chainId: CHAIN_ID,
    accountNumber,
  }).finish();
  return TxRaw.encode({ ...raw, signatures: [secp256k1Sign(sb, key.secretKey)] }).finish();
}
