/**
 * @module Tx routes (cosmos/tx/v1beta1/service.proto): POST /txs (broadcast), GET /txs/{hash},
 * GET /txs?query=… (by events), POST /simulate. POSTs only forward the caller's signed bytes. The injected
 * vote-extension item is labelled by hash and left out of searches.
 */
import { SimulateRequest, SimulateResponse } from "cosmjs-types/cosmos/tx/v1beta1/service";
import type { FastifyInstance } from "fastify";
import { INJECTED_COMMIT_LABEL, isInjectedCommit } from "../../../chain-app/voteExtensions.js";
import { sha256, toHex } from "../../../common/hash.js";
import { abciQuery } from "../abciQuery.js";
import { timestamp } from "../cometJson.js";
import type { CometRpc } from "../cometRpc.js";
import { eventQuery, MAX_TX_PAGE, pageRequest, txHash, uintParam } from "../params.js";
import { anyJson, txJson } from "../protoJson.js";
import { RestError } from "../restError.js";

/** CometBFT's default max_tx_bytes is 1 MiB; base64 adds a third. */
export const MAX_TX_BYTES = 1 << 20;

type J = any;

/** ABCI events in gateway JSON (tendermint.abci.Event): attributes keep CometBFT's plain strings. */
export function eventsJson(events: J[] | undefined): J[] {
  return (events ?? []).map((e: J) => ({
    type: String(e.type ?? ""),
    attributes: (e.attributes ?? []).map((a: J) => ({
      key: String(a.key ?? ""),
      value: String(a.value ?? ""),
      index: Boolean(a.index),
    })),
  }));
}

/** Whether a CometBFT `tx`/`tx_search` result is the block's injected extended commit, not a transaction. */
const isInjected = (r: J): boolean => isInjectedCommit(Buffer.from(String(r.tx ?? ""), "base64"));

/**
 * cosmos.base.abci.v1beta1.TxResponse from a CometBFT `tx`/`tx_search` result and its block time. The
 * injected extended commit (ABCI 2.0 vote extensions) is answered with `tx: null` and a clear `info`.
 */
export function txResponseJson(r: J, blockTime: string): J {
  const res = r.tx_result ?? {};
  const bytes = Buffer.from(String(r.tx ?? ""), "base64");
  const injected = isInjectedCommit(bytes);
  const tx = injected ? undefined : txJson(bytes);
  return {
    height: String(r.height ?? "0"),
    txhash: String(r.hash ?? "").toUpperCase(),
    codespace: String(res.codespace ?? ""),
    code: Number(res.code ?? 0),
    data: Buffer.from(String(res.data ?? ""), "base64")
      .toString("hex")
      .toUpperCase(),
    raw_log: String(res.log ?? ""),
    logs: [],
    info: injected ? INJECTED_COMMIT_LABEL : String(res.info ?? ""),
    gas_wanted: String(res.gas_wanted ?? "0"),
    gas_used: String(res.gas_used ?? "0"),
    tx: tx ? { "@type": "/cosmos.tx.v1beta1.Tx", ...tx } : null,
    timestamp: blockTime,
    events: eventsJson(res.events),
  };
}

/** GetTxResponse.tx and GetTxsEventResponse.txs are plain Tx messages (only TxResponse.tx is an Any). */
function plainTx(anyTx: J): J {
  if (!anyTx) return null;
  const { "@type": _type, ...tx } = anyTx;
  return tx;
}

/** Block times by height, fetched once per request (TxResponse.timestamp is the block's time). */
function blockTimes(rpc: CometRpc) {
  const cache = new Map<string, Promise<string>>();
  return (height: string): Promise<string> => {
    let p = cache.get(height);
    if (!p) {
      p = rpc.call("block", { height }).then((b) => timestamp(b?.block?.header?.time));
      cache.set(height, p);
    }
    return p;
  };
}

/** The request body's base64 `tx_bytes`, decoded, bounded, non-empty. */
function txBytesOf(body: unknown): Uint8Array {
  const b64 = (body as { tx_bytes?: unknown } | null)?.tx_bytes;
  if (typeof b64 !== "string" || b64.length === 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64))
    throw new RestError(3, "tx_bytes: expected the signed TxRaw bytes in base64");
  const bytes = Buffer.from(b64, "base64");
  if (bytes.length > MAX_TX_BYTES) throw new RestError(3, `tx_bytes: larger than ${MAX_TX_BYTES} bytes`);
  return bytes;
}

/**
 * CometBFT refusals before CheckTx, reported as the SDK's BroadcastTx does (client/broadcast.go
 * CheckCometError): a TxResponse with the SDK code, not an HTTP error.
 */
const MEMPOOL_REFUSALS: ReadonlyArray<[RegExp, number]> = [
  [/tx already exists in cache/i, 19], // ErrTxInMempoolCache
  [/mempool is full/i, 20], // ErrMempoolIsFull
  [/tx too large/i, 21], // ErrTxTooLarge
];

function emptyTxResponse(txhash: string, code: number, codespace: string, rawLog: string, data = ""): J {
  return {
    height: "0",
    txhash,
    codespace,
    code,
    data,
    raw_log: rawLog,
    logs: [],
    info: "",
    gas_wanted: "0",
    gas_used: "0",
    tx: null,
    timestamp: "",
    events: [],
  };
}

const BROADCAST_METHOD: Record<string, "broadcast_tx_sync" | "broadcast_tx_async"> = {
  BROADCAST_MODE_SYNC: "broadcast_tx_sync",
  "2": "broadcast_tx_sync",
  BROADCAST_MODE_ASYNC: "broadcast_tx_async",
  "3": "broadcast_tx_async",
};

export function txRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.post("/cosmos/tx/v1beta1/txs", async (req) => {
    const bytes = txBytesOf(req.body);
    const mode = String((req.body as { mode?: unknown }).mode ?? "");
    const method = BROADCAST_METHOD[mode];
    if (!method)
      throw new RestError(
        3,
        `mode: ${mode || "unset"} is not supported; use BROADCAST_MODE_SYNC or BROADCAST_MODE_ASYNC`,
      );
    const txhash = toHex(sha256(bytes)).toUpperCase();
    let r: J;
    try {
      r = await rpc.call(method, { tx: Buffer.from(bytes).toString("base64") });
    } catch (e) {
      const refusal = e instanceof RestError ? MEMPOOL_REFUSALS.find(([re]) => re.test(e.message)) : undefined;
      if (!refusal) throw e;
      return { tx_response: emptyTxResponse(txhash, refusal[1], "sdk", (e as Error).message) };
    }
    const data = Buffer.from(String(r.data ?? ""), "base64")
      .toString("hex")
      .toUpperCase();
    return {
      tx_response: emptyTxResponse(
        String(r.hash ?? txhash).toUpperCase(),
        Number(r.code ?? 0),
        String(r.codespace ?? ""),
        String(r.log ?? ""),
        data,
      ),
    };
  });

  app.post("/cosmos/tx/v1beta1/simulate", async (req) => {
    const bytes = txBytesOf(req.body);
    const { value } = await abciQuery(
      rpc,
      "/cosmos.tx.v1beta1.Service/Simulate",
      SimulateRequest,
      { txBytes: bytes },
      SimulateResponse,
    );
    const result = value.result;
    return {
      gas_info: {
        gas_wanted: (value.gasInfo?.gasWanted ?? 0n).toString(),
        gas_used: (value.gasInfo?.gasUsed ?? 0n).toString(),
      },
      result: result
        ? {
            data: Buffer.from(result.data).toString("base64"),
            log: result.log,
            events: result.events.map((e) => ({
              type: e.type,
              attributes: e.attributes.map((a) => ({ key: a.key, value: a.value, index: a.index })),
            })),
            msg_responses: result.msgResponses.map((m) => anyJson(m.typeUrl, m.value)),
          }
        : null,
    };
  });

  app.get<{ Params: { hash: string } }>("/cosmos/tx/v1beta1/txs/:hash", async (req) => {
    const hash = txHash("hash", req.params.hash);
    // JSON-RPC (POST) carries []byte parameters in base64; only URI (GET) calls take 0x-hex.
    const r = await rpc.call("tx", { hash: Buffer.from(hash, "hex").toString("base64"), prove: false });
    const resp = txResponseJson(r, await blockTimes(rpc)(String(r.height)));
    return { tx: plainTx(resp.tx), tx_response: resp };
  });

  app.get<{ Querystring: Record<string, unknown> }>("/cosmos/tx/v1beta1/txs", async (req) => {
    const query = eventQuery(req.query);
    const p = pageRequest(req.query);
    // SDK 0.50 pages with `page` (1-based) and `limit`; older clients send pagination.offset/limit.
    const limit = uintParam("limit", req.query.limit, Math.min(p.limit, MAX_TX_PAGE), 1, MAX_TX_PAGE);
    const page = uintParam("page", req.query.page, Math.floor(p.offset / limit) + 1, 1, 1_000_000);
    const orderBy = String(req.query.order_by ?? "");
    const order = orderBy === "ORDER_BY_DESC" || orderBy === "2" ? "desc" : "asc";
    if (orderBy && !["ORDER_BY_DESC", "ORDER_BY_ASC", "ORDER_BY_UNSPECIFIED", "0", "1", "2"].includes(orderBy))
      throw new RestError(3, "order_by: expected ORDER_BY_ASC or ORDER_BY_DESC");
    const r = await rpc.call("tx_search", { query, page: String(page), per_page: String(limit), order_by: order });
    const times = blockTimes(rpc);
    const responses = [];
    // The injected extended commit is indexed like a tx (tx.height, tx.hash) but is none: left out here, as
    // the SDK's GetBlockWithTxs leaves out what it cannot decode (cosmos-sdk#20323), so explorers that read
    // every `txs[i].body` do not meet a null. Only this page's count can be corrected in `total`.
    let skipped = 0;
    for (const t of r.txs ?? []) {
      if (isInjected(t)) skipped++;
      else responses.push(txResponseJson(t, await times(String(t.height))));
    }
    const total = String(Math.max(0, Number(r.total_count ?? responses.length) - skipped));
    return {
      txs: responses.map((x) => plainTx(x.tx)),
      tx_responses: responses,
      pagination: { next_key: null, total },
      total,
    };
  });
}
