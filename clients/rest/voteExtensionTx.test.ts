// The injected extended commit (ABCI 2.0 vote extensions) as indexers and the REST tx routes meet it: CometBFT
// indexes it like a tx, a TxRaw decoder fails on it; the REST routes label it by hash and leave it out of
// searches, and isInjectedCommit tells it from any transaction.
import { decodeTxRaw } from "@cosmjs/proto-signing";
import { MsgSend } from "cosmjs-types/cosmos/bank/v1beta1/tx";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import fc from "fast-check";
import type { FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { encodeInjectedCommit, INJECTED_COMMIT_LABEL, isInjectedCommit } from "../../chain-app/voteExtensions.js";
import { sha256, toHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { extendedCommit, operators, oracleChain, priceBlock } from "../../test/support/oracleHarness.js";
import type { TestChain } from "../../test/support/testChain.js";
import { addressOf } from "../../test/support/txBuilder.js";
import type { CometRpc } from "./cometRpc.js";
import { buildRestServer } from "./server.js";

const P = 50_000_000n;
const open: { a?: FastifyInstance; c: TestChain }[] = [];
afterEach(async () => {
  for (const { a, c } of open.splice(0)) {
    await a?.close();
    c.close();
  }
});

/** A block with the injected item first and one MsgSend, finalized; both as CometBFT's tx indexer returns them. */
function indexedBlock() {
  const c = oracleChain();
  open.push({ c });
  c.block();
  priceBlock(c, [P, P, P]);
  const info = extendedCommit(c, c.height + 1n, [P, P, "empty"]);
  const item = encodeInjectedCommit(info);
  const send = c.tx(operators[0]!, [
    packAny("/cosmos.bank.v1beta1.MsgSend", MsgSend, {
      fromAddress: addressOf(operators[0]!),
      toAddress: addressOf(operators[1]!),
      amount: [{ denom: "unusa", amount: "1" }],
    }),
  ]);
  const r = c.block([item, send], {
    votes: info.votes.map((v) => ({ validator: v.validator, blockIdFlag: v.blockIdFlag })) as never,
  });
  const height = String(c.height);
  const indexed = [item, send].map((tx, index) => ({
    hash: toHex(sha256(tx)).toUpperCase(),
    height,
    index,
    tx_result: {
      code: r.txResults[index]!.code,
      log: r.txResults[index]!.log,
      events: [],
      gas_wanted: "0",
      gas_used: "0",
    },
    tx: Buffer.from(tx).toString("base64"),
  }));
  return { c, item, send, indexed, height };
}

/** CometBFT stand-in answering tx, tx_search and block from the indexed block. */
function comet(indexed: ReturnType<typeof indexedBlock>["indexed"]): CometRpc {
  return {
    abciQuery: async () => {
      throw new Error("not used");
    },
    async call(method, params) {
      if (method === "tx") {
        const hash = Buffer.from(String(params.hash), "base64").toString("hex").toUpperCase();
        const t = indexed.find((x) => x.hash === hash);
        if (!t) throw new Error("tx not found");
        return t;
      }
      if (method === "tx_search") return { txs: indexed, total_count: String(indexed.length) };
      if (method === "block") return { block: { header: { time: "2026-01-01T00:00:10Z" } } };
      throw new Error(`${method} is not served here`);
    },
  };
}

describe("the injected vote-extension item on the tx routes", () => {
  it("is indexed like a tx, and a plain TxRaw decoder fails on it (what an explorer would meet)", () => {
    const { item, indexed } = indexedBlock();
    expect(indexed[0]!.tx_result).toMatchObject({ code: 0, log: "vote extensions" });
    expect(() => decodeTxRaw(item)).toThrow();
  });

  it("GET /txs/{hash} answers it labelled, with no tx, instead of failing", async () => {
    const b = indexedBlock();
    const a = await buildRestServer({ rpc: comet(b.indexed) });
    open.push({ a, c: b.c });
    const r = await a.inject({ method: "GET", url: `/cosmos/tx/v1beta1/txs/${b.indexed[0]!.hash}` });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.tx).toBeNull();
    expect(body.tx_response).toMatchObject({ code: 0, info: INJECTED_COMMIT_LABEL, tx: null, height: b.height });
    // The real tx of the same block still decodes in full.
    const s = (await a.inject({ method: "GET", url: `/cosmos/tx/v1beta1/txs/${b.indexed[1]!.hash}` })).json();
    expect(s.tx.body.messages[0]["@type"]).toBe("/cosmos.bank.v1beta1.MsgSend");
  });

  it("GET /txs?query=tx.height=H leaves it out, so every listed tx decodes", async () => {
    const b = indexedBlock();
    const a = await buildRestServer({ rpc: comet(b.indexed) });
    open.push({ a, c: b.c });
    const r = await a.inject({ method: "GET", url: `/cosmos/tx/v1beta1/txs?query=tx.height%3D${b.height}` });
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.total).toBe("1");
    expect(body.txs).toHaveLength(1);
    expect(body.txs[0].body.messages[0]["@type"]).toBe("/cosmos.bank.v1beta1.MsgSend");
    expect(body.tx_responses.map((t: { txhash: string }) => t.txhash)).toEqual([b.indexed[1]!.hash]);
  });
});

describe("isInjectedCommit", () => {
  it("recognises injected commits of any size and no transaction", () => {
    const { item, send } = indexedBlock();
    expect(isInjectedCommit(item)).toBe(true);
    expect(isInjectedCommit(send)).toBe(false);
    expect(isInjectedCommit(Uint8Array.of(0xff, 0x01))).toBe(false);
  });

  it("never takes a TxRaw with a body for an injected commit", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.uint8Array({ minLength: 64, maxLength: 64 }), { maxLength: 3 }),
        (bodyBytes, authInfoBytes, signatures) =>
          !isInjectedCommit(TxRaw.encode({ bodyBytes, authInfoBytes, signatures }).finish()),
      ),
    );
  });
});
