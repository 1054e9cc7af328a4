/** @module The da module: posting, fees, limits, namespace rules, replay, queries and retention pruning. */

import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxMsgData } from "cosmjs-types/cosmos/base/abci/v1beta1/abci";
import { afterEach, describe, expect, it } from "vitest";
import { fromHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { secp256k1KeyPair } from "../../common/secp256k1.js";
import {
  QueryBlobsAtHeightRequest,
  QueryBlobsAtHeightResponse,
  QueryHeadRequest,
  QueryHeadResponse,
} from "../../proto/gen/dsdn/da/v1/query.js";
import { MsgPostBlob, MsgPostBlobResponse } from "../../proto/gen/dsdn/da/v1/tx.js";
import { TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import { ModuleAccount, moduleAddress } from "../auth/moduleAccounts.js";
import { blobCommitment } from "./commitment.js";
import { validateDAGenesis } from "./genesis.js";
import { validateParams } from "./params.js";

const alice = secp256k1KeyPair(fromHex("51".repeat(32)));
const poor = secp256k1KeyPair(fromHex("52".repeat(32)));
const ALICE = addressOf(alice);
const POOR = addressOf(poor);
const NS = Uint8Array.from([...new Uint8Array(19), ...new TextEncoder().encode("dsdn-quor!")]);
const FEE_COLLECTOR = moduleAddress(ModuleAccount.FeeCollector);
const TX_FEE = 10_000n;

const chains: TestChain[] = [];
afterEach(() => {
  for (const c of chains.splice(0)) c.close();
});
function start(params: Record<string, string> = {}): TestChain {
  const c = TestChain.start({
    balances: [
      { address: ALICE, amount: 100_000_000n },
      { address: POOR, amount: TX_FEE + 5n },
    ],
    appState: { da: { params: { feePerByte: "2", retentionSeconds: "3600", ...params }, blobs: [] } },
  });
  chains.push(c);
  c.block(); // genesis state is visible once the first block commits
  return c;
}
const post = (signer: string, data: Uint8Array, namespace = NS) =>
  packAny("/dsdn.da.v1.MsgPostBlob", MsgPostBlob, {
    signer,
    namespace: Buffer.from(namespace),
    data: Buffer.from(data),
  });
const blobsAt = (c: TestChain, height: bigint) =>
  c.query(
    "/dsdn.da.v1.Query/BlobsAtHeight",
    QueryBlobsAtHeightRequest,
    { height, namespace: NS },
    QueryBlobsAtHeightResponse,
  );

describe("da module: MsgPostBlob", () => {
  it("stores the commitment and the bytes, charges fee per byte, answers the query; readers can verify", () => {
    const c = start();
    const data = new TextEncoder().encode("an event batch while Celestia is down");
    const before = { alice: c.balance(ALICE), fc: c.balance(FEE_COLLECTOR) };
    const r = c.exec(alice, [post(ALICE, data)]);
    expect(r.code, r.log).toBe(0);
    const resp = MsgPostBlobResponse.decode(TxMsgData.decode(r.data!).msgResponses[0]!.value);
    expect(resp.height).toBe(c.height);
    expect(resp.index).toBe(0);
    expect(new Uint8Array(resp.commitment)).toEqual(blobCommitment(NS, data));
    const blobFee = 2n * BigInt(data.length);
    expect(before.alice - c.balance(ALICE)).toBe(TX_FEE + blobFee);
    const q = blobsAt(c, c.height);
    expect(q.records.length).toBe(1);
    expect(new Uint8Array(q.data[0]!)).toEqual(data);
    expect(new Uint8Array(blobCommitment(q.records[0]!.namespace, q.data[0]!))).toEqual(
      new Uint8Array(q.records[0]!.commitment),
    );
    expect(q.records[0]!.signer).toBe(ALICE);
    expect(c.balance(FEE_COLLECTOR)).toBeGreaterThanOrEqual(before.fc); // fees may be distributed on
    const head = c.query("/dsdn.da.v1.Query/Head", QueryHeadRequest, {}, QueryHeadResponse);
    expect(head.blobCount).toBe(1n);
  });

  it("attacks and limits: each refused with its registered code, nothing stored, no blob fee taken", () => {
    const c = start({ maxBlobBytes: "64" });
    const table: { name: string; key: typeof alice; msg: ReturnType<typeof post>; codespace: string; code: number }[] =
      [
        { name: "oversized blob", key: alice, msg: post(ALICE, new Uint8Array(65)), codespace: "da", code: 4 },
        { name: "empty blob", key: alice, msg: post(ALICE, new Uint8Array()), codespace: "da", code: 3 },
        {
          name: "short namespace",
          key: alice,
          msg: post(ALICE, Uint8Array.of(1), NS.subarray(1)),
          codespace: "da",
          code: 2,
        },
        {
          name: "namespace version 1 (reserved)",
          key: alice,
          msg: post(ALICE, Uint8Array.of(1), Uint8Array.from([1, ...NS.subarray(1)])),
          codespace: "da",
          code: 2,
        },
        { name: "cannot pay the blob fee", key: poor, msg: post(POOR, new Uint8Array(60)), codespace: "da", code: 6 },
      ];
    for (const t of table) {
      const bal = c.balance(addressOf(t.key));
      const r = c.exec(t.key, [t.msg]);
      expect({ name: t.name, codespace: r.codespace, code: r.code }).toEqual({
        name: t.name,
        codespace: t.codespace,
        code: t.code,
      });
      expect(blobsAt(c, c.height).records.length, t.name).toBe(0);
      expect(bal - c.balance(addressOf(t.key)), t.name).toBeLessThanOrEqual(TX_FEE);
    }
  });

  it("a replayed tx (same bytes again) is refused by the account sequence; the blob is stored once", () => {
    const c = start();
    const tx = c.tx(alice, [post(ALICE, Uint8Array.of(1, 2, 3))]);
    const first = c.block([tx]).txResults[0]!;
    expect(first.code).toBe(0);
    const again = c.block([tx]).txResults[0]!;
    expect(again.code).not.toBe(0);
    expect(again.log).toMatch(/sequence/);
    expect(blobsAt(c, c.height).records.length).toBe(0);
    expect(blobsAt(c, c.height - 1n).records.length).toBe(1);
  });

  it("max blobs per block: the extra blob in a full block is refused", () => {
    const c = start({ maxBlobsPerBlock: "1" });
    const bob = secp256k1KeyPair(fromHex("53".repeat(32)));
    c.exec(alice, [
      packAny("/cosmos.bank.v1beta1.MsgSend", MsgSend, {
        fromAddress: ALICE,
        toAddress: addressOf(bob),
        amount: [{ denom: "unusa", amount: "1000000" }],
      }),
    ]);
    const r = c.block([
      c.tx(alice, [post(ALICE, Uint8Array.of(1))]),
      c.tx(bob, [post(addressOf(bob), Uint8Array.of(2))]),
    ]);
    expect(r.txResults.map((t) => [t.codespace, t.code])).toEqual([
      ["", 0],
      ["da", 5],
    ]);
  });

  it("bytes are pruned after the retention period (block time); the record and commitment stay", () => {
    const c = start();
    c.exec(alice, [post(ALICE, Uint8Array.of(9, 9))]);
    const h = c.height;
    c.block([], { dt: 3000n });
    expect(blobsAt(c, h).pruned).toBe(false);
    const r = c.block([], { dt: 700n });
    expect(r.events?.some((e) => e.type === "da_prune")).toBe(true);
    const q = blobsAt(c, h);
    expect(q.pruned).toBe(true);
    expect(q.records.length).toBe(1);
    expect(q.data[0]!.length).toBe(0);
  });

  it("genesis export carries records and retained bytes; an import with altered bytes is refused", () => {
    const c = start();
    c.exec(alice, [post(ALICE, Uint8Array.of(4, 5, 6))]);
    const g = c.exportAppState().da as { blobs: { record: unknown; data?: string }[] };
    expect(g.blobs.length).toBe(1);
    expect(Buffer.from(g.blobs[0]!.data!, "base64")).toEqual(Buffer.from([4, 5, 6]));
    expect(() => validateDAGenesis(g)).not.toThrow();
    const altered = { ...g, blobs: [{ ...g.blobs[0]!, data: Buffer.from([4, 5, 7]).toString("base64") }] };
    expect(() => validateDAGenesis(altered)).toThrow(/does not match the record's commitment/);
  });

  it("validateParams refuses unknown keys, out-of-range values and bad denoms", () => {
    expect(validateParams({}).maxBlobBytes).toBe(512n * 1024n);
    expect(() => validateParams({ maxBlobBytes: "0" })).toThrow(/maxBlobBytes: must be/);
    expect(() => validateParams({ retentionSeconds: "1" })).toThrow(/retentionSeconds/);
    expect(() => validateParams({ feePerByte: "-1" })).toThrow(/feePerByte/);
    expect(() => validateParams({ denom: "X" })).toThrow(/denom/);
    expect(() => validateParams({ surprise: "1" })).toThrow(/unknown parameter/);
  });
});
