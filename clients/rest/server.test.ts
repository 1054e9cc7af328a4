/**
 * The REST API over an in-process chain: every ABCI-backed route compared field by field with the
 * Cosmos SDK's response messages (cosmos-sdk proto/): cosmos/auth/v1beta1/query.proto QueryAccountResponse
 * + auth.proto BaseAccount; cosmos/bank/v1beta1/query.proto QueryAllBalancesResponse, QueryBalanceResponse,
 * QueryTotalSupplyResponse; cosmos/staking/v1beta1/query.proto QueryValidatorsResponse, QueryParamsResponse,
 * QueryPoolResponse, QueryDelegatorDelegationsResponse + staking.proto Validator/Params/Pool;
 * cosmos/tx/v1beta1/service.proto SimulateResponse, BroadcastTxResponse. Plus the attacks: malformed
 * inputs, oversized bodies, event-query injection, floods, a CometBFT that never answers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueryTotalSupplyRequest, QueryTotalSupplyResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import { MsgSubmitProposal } from "cosmjs-types/cosmos/gov/v1/tx";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ed25519KeyPair } from "../../common/ed25519.js";
import { fromHex, sha256, toHex } from "../../common/hash.js";
import { packAny } from "../../common/protobuf.js";
import { fromBech32Address, secp256k1KeyPair, toBech32Address } from "../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../modules/auth/moduleAccounts.js";
import { MsgPostBlob } from "../../proto/gen/dsdn/da/v1/tx.js";
import { oracleChain, priceBlock } from "../../test/support/oracleHarness.js";
import { BondKind, createValidatorMsg, NUSA, TestChain, unbondMsg } from "../../test/support/testChain.js";
import { addressOf, sendMsg } from "../../test/support/txBuilder.js";
import { type CometRpc, httpCometRpc } from "./cometRpc.js";
import { RestError } from "./restError.js";
import { buildRestServer, MAX_BODY_BYTES } from "./server.js";

const val0 = secp256k1KeyPair(fromHex("33".repeat(32)));
const alice = secp256k1KeyPair(fromHex("31".repeat(32)));
const bob = secp256k1KeyPair(fromHex("32".repeat(32)));
const VAL0 = addressOf(val0);
const ALICE = addressOf(alice);
const BOB = addressOf(bob);
const cons0 = ed25519KeyPair(new Uint8Array(32).fill(0x41));
const consA = ed25519KeyPair(new Uint8Array(32).fill(0x42));

/** CometBFT stand-in: ABCI queries go to the in-process app; broadcast runs CheckTx. */
function inProcessComet(chain: TestChain): CometRpc {
  const seen = new Set<string>();
  return {
    async abciQuery(path, data, height) {
      const r = chain.app.query({ path, data, height: height ?? 0n, prove: false });
      return {
        code: r.code ?? 0,
        codespace: r.codespace ?? "",
        log: r.log ?? "",
        value: (r.value as Uint8Array) ?? new Uint8Array(),
        height: String(r.height ?? 0n),
      };
    },
    async call(method, params) {
      if (method !== "broadcast_tx_sync") throw new Error(`${method} is not served by the unit-test stand-in`);
      const tx = Buffer.from(String(params.tx), "base64");
      // CometBFT's own refusal of a tx it has seen (an RPC error, not a CheckTx result).
      if (seen.has(toHex(tx))) throw new RestError(2, "CometBFT RPC broadcast_tx_sync: tx already exists in cache");
      seen.add(toHex(tx));
      const r = chain.app.checkTx({ tx, type: 0 } as never);
      return { code: r.code ?? 0, codespace: r.codespace ?? "", log: r.log ?? "", data: "", hash: toHex(sha256(tx)) };
    },
  };
}

let chain: TestChain;
let app: FastifyInstance;

beforeEach(async () => {
  chain = TestChain.start({
    balances: [
      { address: VAL0, amount: 1_000n * NUSA },
      { address: ALICE, amount: 100_000n * NUSA },
    ],
    bondedPool: 10n * NUSA,
    appState: {
      stake: {
        params: { minValidatorSelfBond: (10n * NUSA).toString(), unbondingPeriodSeconds: "1814400" },
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
  chain.block(); // hands the genesis validator's power to "CometBFT": it is in the active set
  app = await buildRestServer({ rpc: inProcessComet(chain) });
});
afterEach(async () => {
  await app.close();
  chain.close();
});

async function get(url: string): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: "GET", url });
  return { status: r.statusCode, body: r.json() };
}
async function post(url: string, payload: unknown): Promise<{ status: number; body: any }> {
  const r = await app.inject({ method: "POST", url, payload: payload as object });
  return { status: r.statusCode, body: r.json() };
}

const GRPC_ERROR = { code: expect.any(Number), message: expect.any(String), details: [] };

describe("auth", () => {
  it("an account as QueryAccountResponse{account: Any(BaseAccount)} with proto names and string int64s", async () => {
    const r = await get(`/cosmos/auth/v1beta1/accounts/${ALICE}`);
    expect(r.status).toBe(200);
    expect(Object.keys(r.body.account).sort()).toEqual(["@type", "account_number", "address", "pub_key", "sequence"]);
    expect(r.body.account["@type"]).toBe("/cosmos.auth.v1beta1.BaseAccount");
    expect(r.body.account.address).toBe(ALICE);
    expect(r.body.account.pub_key).toBeNull(); // has not signed yet
    expect(r.body.account.account_number).toMatch(/^[0-9]+$/);
    expect(r.body.account.sequence).toBe("0");

    // After a signed tx the public key is an Any with @type and base64 key, and the sequence moves.
    expect(chain.exec(alice, [sendMsg(ALICE, BOB, 5n)]).code).toBe(0);
    const after = await get(`/cosmos/auth/v1beta1/accounts/${ALICE}`);
    expect(after.body.account.pub_key).toEqual({
      "@type": "/cosmos.crypto.secp256k1.PubKey",
      key: Buffer.from(alice.publicKey).toString("base64"),
    });
    expect(after.body.account.sequence).toBe("1");
  });

  it("an unknown account is gRPC NotFound (5) with HTTP 404, without the chain's CosmJS prefix", async () => {
    const nobody = toBech32Address(new Uint8Array(20).fill(9));
    const r = await get(`/cosmos/auth/v1beta1/accounts/${nobody}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 5 });
    expect(r.body.message).toBe(`account ${nobody} not found: key not found`);
  });

  it.each([
    ["a foreign prefix", toBech32Address(new Uint8Array(20), "cosmos")],
    ["a bad checksum", `${ALICE.slice(0, -1)}${ALICE.endsWith("q") ? "p" : "q"}`],
    ["garbage", "not-an-address"],
    ["a valoper address", toBech32Address(fromBech32Address(ALICE), "nusavaloper")],
    ["a 300-character parameter", `nusa1${"q".repeat(295)}`],
  ])("refuses %s with InvalidArgument (3) / 400 before asking the chain", async (_what, addr) => {
    const r = await get(`/cosmos/auth/v1beta1/accounts/${encodeURIComponent(addr)}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 3 });
    if (addr.length < 200) expect(r.body.message).toMatch(/^address: /);
  });
});

describe("bank", () => {
  it("balances, balance by denom and supply as the SDK's responses", async () => {
    const all = await get(`/cosmos/bank/v1beta1/balances/${ALICE}`);
    expect(all.body).toEqual({
      balances: [{ denom: "unusa", amount: (100_000n * NUSA).toString() }],
      pagination: { next_key: null, total: "1" },
    });
    const one = await get(`/cosmos/bank/v1beta1/balances/${ALICE}/by_denom?denom=unusa`);
    expect(one.body).toEqual({ balance: { denom: "unusa", amount: (100_000n * NUSA).toString() } });
    const none = await get(`/cosmos/bank/v1beta1/balances/${BOB}/by_denom?denom=unusa`);
    expect(none.body).toEqual({ balance: { denom: "unusa", amount: "0" } });
    const supply = await get("/cosmos/bank/v1beta1/supply");
    expect(supply.body.pagination).toEqual({ next_key: null, total: "1" });
    const onChain = chain.query(
      "/cosmos.bank.v1beta1.Query/TotalSupply",
      QueryTotalSupplyRequest,
      {},
      QueryTotalSupplyResponse,
    ).supply;
    expect(supply.body.supply).toEqual(onChain.map((c) => ({ denom: c.denom, amount: c.amount })));
    expect(BigInt(supply.body.supply[0].amount)).toBeGreaterThanOrEqual(1_000n * NUSA + 100_000n * NUSA + 10n * NUSA);
    const of = await get("/cosmos/bank/v1beta1/supply/by_denom?denom=unusa");
    expect(of.body).toEqual({ amount: supply.body.supply[0] });
  });

  it("by_denom needs a valid denom; pagination parameters are checked", async () => {
    for (const url of [
      `/cosmos/bank/v1beta1/balances/${ALICE}/by_denom`,
      `/cosmos/bank/v1beta1/balances/${ALICE}/by_denom?denom=%27%20OR%201`,
      `/cosmos/bank/v1beta1/balances/${ALICE}?pagination.limit=100000`,
      `/cosmos/bank/v1beta1/balances/${ALICE}?pagination.limit=-1`,
      "/cosmos/bank/v1beta1/supply?pagination.key=%%%",
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(400);
      expect(r.body.code, url).toBe(3);
    }
  });
});

describe("staking (from DSDN's stake module)", () => {
  it("validators in the staking.proto Validator shape; BONDED while in CometBFT's set", async () => {
    const r = await get("/cosmos/staking/v1beta1/validators");
    expect(r.status).toBe(200);
    expect(r.body.pagination).toEqual({ next_key: null, total: "1" });
    const [v] = r.body.validators;
    const valoper = toBech32Address(fromBech32Address(VAL0), "nusavaloper");
    expect(v).toEqual({
      operator_address: valoper,
      consensus_pubkey: {
        "@type": "/cosmos.crypto.ed25519.PubKey",
        key: Buffer.from(cons0.publicKey).toString("base64"),
      },
      jailed: false,
      status: "BOND_STATUS_BONDED",
      tokens: (10n * NUSA).toString(),
      delegator_shares: `${10n * NUSA}.000000000000000000`,
      description: { moniker: "node0", identity: "", website: "", security_contact: "", details: "" },
      unbonding_height: "0",
      unbonding_time: "1970-01-01T00:00:00Z",
      commission: {
        commission_rates: {
          rate: "0.000000000000000000",
          max_rate: "0.000000000000000000",
          max_change_rate: "0.000000000000000000",
        },
        update_time: "1970-01-01T00:00:00Z",
      },
      min_self_delegation: (10n * NUSA).toString(),
      unbonding_on_hold_ref_count: "0",
      unbonding_ids: [],
    });
    expect((await get(`/cosmos/staking/v1beta1/validators/${valoper}`)).body).toEqual({ validator: v });
    expect((await get("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED")).body.validators).toEqual([v]);
    expect((await get("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_UNBONDED")).body.validators).toEqual([]);
    expect((await get("/cosmos/staking/v1beta1/validators?status=BONDED")).status).toBe(400);
    const missing = toBech32Address(new Uint8Array(20).fill(7), "nusavaloper");
    expect(await get(`/cosmos/staking/v1beta1/validators/${missing}`)).toMatchObject({
      status: 404,
      body: { code: 5 },
    });
    expect((await get(`/cosmos/staking/v1beta1/validators/${VAL0}`)).status).toBe(400); // account prefix, not valoper
  });

  it("a new validator's self-bond shows in validators, pool and delegations; unbonding moves it to not_bonded", async () => {
    expect(chain.exec(alice, [createValidatorMsg(ALICE, consA.publicKey, 20n * NUSA, "alice")]).code).toBe(0);
    const page1 = await get("/cosmos/staking/v1beta1/validators?pagination.limit=1");
    expect(page1.body.validators).toHaveLength(1);
    expect(page1.body.pagination.next_key).toEqual(expect.any(String));
    const page2 = await get(
      `/cosmos/staking/v1beta1/validators?pagination.limit=1&pagination.key=${encodeURIComponent(page1.body.pagination.next_key)}`,
    );
    expect(page2.body.validators).toHaveLength(1);
    expect(page2.body.validators[0].operator_address).not.toBe(page1.body.validators[0].operator_address);

    const pool = await get("/cosmos/staking/v1beta1/pool");
    expect(pool.body).toEqual({ pool: { not_bonded_tokens: "0", bonded_tokens: (30n * NUSA).toString() } });
    expect(chain.balance(moduleAddress(ModuleAccount.BondedPool))).toBe(30n * NUSA);

    const del = await get(`/cosmos/staking/v1beta1/delegations/${ALICE}`);
    expect(del.body).toEqual({
      delegation_responses: [
        {
          delegation: {
            delegator_address: ALICE,
            validator_address: toBech32Address(fromBech32Address(ALICE), "nusavaloper"),
            shares: `${20n * NUSA}.000000000000000000`,
          },
          balance: { denom: "unusa", amount: (20n * NUSA).toString() },
        },
      ],
      pagination: { next_key: null, total: "1" },
    });
    expect((await get(`/cosmos/staking/v1beta1/delegations/${BOB}`)).body).toEqual({
      delegation_responses: [],
      pagination: { next_key: null, total: "0" },
    });

    expect(chain.exec(alice, [unbondMsg(ALICE, BondKind.BOND_KIND_VALIDATOR, 5n * NUSA)]).code).toBe(0);
    const pool2 = await get("/cosmos/staking/v1beta1/pool");
    expect(pool2.body.pool).toEqual({
      not_bonded_tokens: (5n * NUSA).toString(),
      bonded_tokens: (25n * NUSA).toString(),
    });
    const ub = await get(`/cosmos/staking/v1beta1/delegators/${ALICE}/unbonding_delegations`);
    expect(ub.body.unbonding_responses).toHaveLength(1);
    expect(ub.body.unbonding_responses[0].entries[0]).toMatchObject({
      balance: (5n * NUSA).toString(),
      creation_height: chain.height.toString(),
      completion_time: new Date(Number(chain.time + 1_814_400n) * 1000).toISOString().replace(".000Z", "Z"),
    });
  });

  it("params: unbonding_time as a Duration string, uint32s as numbers, bond_denom", async () => {
    const r = await get("/cosmos/staking/v1beta1/params");
    expect(r.body).toEqual({
      params: {
        unbonding_time: "1814400s",
        max_validators: 100,
        max_entries: 7,
        historical_entries: 0,
        bond_denom: "unusa",
        min_commission_rate: "0.000000000000000000",
      },
    });
  });
});

describe("gov and distribution", () => {
  it("proposals, tally and params on both gov versions; rewards and the community pool as decimals", async () => {
    const submit = packAny("/cosmos.gov.v1.MsgSubmitProposal", MsgSubmitProposal, {
      messages: [],
      initialDeposit: [{ denom: "unusa", amount: "1000000" }],
      proposer: VAL0,
      title: "hello",
      summary: "advisory",
    });
    expect(chain.exec(val0, [submit]).code).toBe(0);
    const v0 = await get("/cosmos/gov/v1beta1/proposals?proposal_status=PROPOSAL_STATUS_VOTING_PERIOD");
    expect(v0.status).toBe(200);
    expect(v0.body.proposals).toHaveLength(1);
    expect(v0.body.proposals[0]).toMatchObject({
      proposal_id: "1",
      status: "PROPOSAL_STATUS_VOTING_PERIOD",
      content: { "@type": "/cosmos.gov.v1beta1.TextProposal", title: "hello", description: "advisory" },
      total_deposit: [{ denom: "unusa", amount: "1000000" }],
    });
    const v1 = await get("/cosmos/gov/v1/proposals/1");
    expect(v1.body.proposal).toMatchObject({ id: "1", title: "hello", proposer: VAL0, messages: [] });
    expect((await get("/cosmos/gov/v1/proposals/1/tally")).body.tally).toEqual({
      yes_count: "0",
      abstain_count: "0",
      no_count: "0",
      no_with_veto_count: "0",
    });
    expect((await get("/cosmos/gov/v1beta1/params/tallying")).body.tally_params).toEqual({
      quorum: "0.334000000000000000",
      threshold: "0.500000000000000000",
      veto_threshold: "0.334000000000000000",
    });
    expect((await get("/cosmos/gov/v1/proposals/x")).status).toBe(400);
    expect((await get("/cosmos/gov/v1/proposals/9")).status).toBe(404);
    // The proposal tx's 10 000 unusa fee: 2% to the treasury, the rest owed to the only validator.
    const r = await get(`/cosmos/distribution/v1beta1/delegators/${VAL0}/rewards`);
    expect(r.status).toBe(200);
    expect(r.body.total).toEqual([{ denom: "unusa", amount: "9800.000000000000000000" }]);
    expect(r.body.rewards[0].validator_address).toMatch(/^nusavaloper1/);
    const pool = await get("/cosmos/distribution/v1beta1/community_pool");
    expect(pool.body.pool[0].amount).toMatch(/^[0-9]+\.0{18}$/);
    expect((await get("/cosmos/distribution/v1beta1/params")).body.params.community_tax).toBe("0.020000000000000000");
  });
});

describe("tx", () => {
  const signedSend = () => chain.tx(alice, [sendMsg(ALICE, BOB, 1234n)]);

  it("simulate answers SimulateResponse{gas_info, result{msg_responses: [Any]}}", async () => {
    const tx = signedSend();
    const r = await post("/cosmos/tx/v1beta1/simulate", { tx_bytes: Buffer.from(tx).toString("base64") });
    expect(r.status).toBe(200);
    expect(r.body.gas_info.gas_used).toMatch(/^[1-9][0-9]*$/);
    expect(r.body.gas_info.gas_wanted).toMatch(/^[0-9]+$/);
    expect(r.body.result.msg_responses).toEqual([{ "@type": "/cosmos.bank.v1beta1.MsgSendResponse" }]);
    expect(r.body.result.events.some((e: any) => e.type === "transfer")).toBe(true);
    expect(typeof r.body.result.data).toBe("string");
  });

  it("broadcast forwards the signed bytes and answers BroadcastTxResponse{tx_response}", async () => {
    const tx = signedSend();
    const r = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: Buffer.from(tx).toString("base64"),
      mode: "BROADCAST_MODE_SYNC",
    });
    expect(r.status).toBe(200);
    expect(r.body.tx_response).toMatchObject({
      height: "0",
      txhash: toHex(sha256(tx)).toUpperCase(),
      code: 0,
      codespace: "",
      logs: [],
      tx: null,
    });
    // The same bytes again: CometBFT's cache refusal becomes the SDK's code 19 in a 200, as BroadcastTx answers.
    const again = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: Buffer.from(tx).toString("base64"),
      mode: "BROADCAST_MODE_SYNC",
    });
    expect(again.status).toBe(200);
    expect(again.body.tx_response).toMatchObject({ code: 19, codespace: "sdk", txhash: r.body.tx_response.txhash });
    expect(again.body.tx_response.raw_log).toMatch(/tx already exists in cache/);
    // A CheckTx refusal is still a 200 with the chain's code (as the SDK), not an HTTP error.
    const bad = await post("/cosmos/tx/v1beta1/txs", {
      tx_bytes: Buffer.from([1, 2, 3]).toString("base64"),
      mode: "BROADCAST_MODE_SYNC",
    });
    expect(bad.status).toBe(200);
    expect(bad.body.tx_response.code).toBe(2);
    expect(bad.body.tx_response.codespace).toBe("sdk");
  });

  it.each([
    ["no tx_bytes", { mode: "BROADCAST_MODE_SYNC" }],
    ["tx_bytes not base64", { tx_bytes: "***", mode: "BROADCAST_MODE_SYNC" }],
    ["tx_bytes a number", { tx_bytes: 5, mode: "BROADCAST_MODE_SYNC" }],
    ["the removed BLOCK mode", { tx_bytes: "AAAA", mode: "BROADCAST_MODE_BLOCK" }],
    ["no mode", { tx_bytes: "AAAA" }],
  ])("broadcast refuses %s with InvalidArgument (3) / 400", async (_what, body) => {
    const r = await post("/cosmos/tx/v1beta1/txs", body);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 3 });
  });

  it("a body over the limit is refused with 413 before it is parsed; a broken JSON body is a 400", async () => {
    const big = { tx_bytes: "A".repeat(MAX_BODY_BYTES), mode: "BROADCAST_MODE_SYNC" };
    const r = await post("/cosmos/tx/v1beta1/txs", big);
    expect(r.status).toBe(413);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 8 });
    const broken = await app.inject({
      method: "POST",
      url: "/cosmos/tx/v1beta1/simulate",
      headers: { "content-type": "application/json" },
      payload: '{"tx_bytes": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe(3);
  });

  it.each([
    ["no query", ""],
    ["an OR (not in the grammar)", "?query=tx.height%3E0%20OR%20tx.height%3C5"],
    ["a quote breaking out", "?query=message.sender%3D%27a%27%27"],
    ["too many conditions", `?query=${encodeURIComponent(Array(11).fill("tx.height>1").join(" AND "))}`],
    ["a bad order_by", "?query=tx.height%3E0&order_by=RANDOM"],
    ["a per-page limit over CometBFT's", "?query=tx.height%3E0&limit=101"],
  ])("tx search refuses %s with 400", async (_what, qs) => {
    const r = await get(`/cosmos/tx/v1beta1/txs${qs}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(3);
  });

  it.each(["xyz", "ab", "0x" + "a".repeat(64), "g".repeat(64)])("GET txs/%s refuses a malformed hash", async (h) => {
    const r = await get(`/cosmos/tx/v1beta1/txs/${h}`);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(3);
  });
});

describe("routing and limits", () => {
  it.each(["0", "-1", "abc", "1.5", "99999999999999999999", "01"])("blocks/%s is a 400", async (h) => {
    const r = await get(`/cosmos/base/tendermint/v1beta1/blocks/${h}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 3 });
  });

  it("unknown paths are NotFound in the gateway error shape; nothing is forwarded", async () => {
    for (const url of [
      "/cosmos/mint/v1beta1/inflation",
      "/abci_query?path=%22/store/key%22",
      "/cosmos/auth/v1beta1/accounts",
      "/cosmos/bank/v1beta1/balances/../../../dsdn.stake.v1.Query/Params",
    ]) {
      const r = await get(url);
      expect(r.status, url).toBe(404);
      expect(r.body, url).toEqual({ ...GRPC_ERROR, code: 5 });
    }
    const wrongMethod = await app.inject({ method: "DELETE", url: `/cosmos/auth/v1beta1/accounts/${ALICE}` });
    expect(wrongMethod.statusCode).toBe(404);
  });

  it("answers browsers (CORS) for wallets served from another origin", async () => {
    const r = await app.inject({ method: "GET", url: "/cosmos/bank/v1beta1/supply", headers: { origin: "https://x" } });
    expect(r.headers["access-control-allow-origin"]).toBe("*");
    const pre = await app.inject({ method: "OPTIONS", url: "/cosmos/tx/v1beta1/txs" });
    expect(pre.statusCode).toBe(204);
    expect(pre.headers["access-control-allow-methods"]).toContain("POST");
  });

  it("a flood from one client is cut off with ResourceExhausted (8) / 429", async () => {
    const limited = await buildRestServer({ rpc: inProcessComet(chain), rateLimitPerMinute: 3 });
    try {
      const codes = [];
      for (let i = 0; i < 5; i++)
        codes.push((await limited.inject({ method: "GET", url: "/cosmos/bank/v1beta1/supply" })).statusCode);
      expect(codes).toEqual([200, 200, 200, 429, 429]);
      const r = await limited.inject({ method: "GET", url: "/cosmos/bank/v1beta1/supply" });
      expect(r.json()).toEqual({ ...GRPC_ERROR, code: 8 });
    } finally {
      await limited.close();
    }
  });
});

describe("CometBFT RPC client", () => {
  let hang: Server;
  let url: string;
  beforeEach(async () => {
    hang = createServer(() => {}); // accepts, never answers
    await new Promise<void>((r) => hang.listen(0, "127.0.0.1", r));
    url = `http://127.0.0.1:${(hang.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    hang.closeAllConnections();
    await new Promise((r) => hang.close(r));
  });

  it("a CometBFT that never answers is DeadlineExceeded (4) / 504, not a hung request", async () => {
    const srv = await buildRestServer({ rpc: httpCometRpc(url, 300) });
    try {
      const r = await srv.inject({ method: "GET", url: "/cosmos/base/tendermint/v1beta1/node_info" });
      expect(r.statusCode).toBe(504);
      expect(r.json()).toEqual({ ...GRPC_ERROR, code: 4 });
    } finally {
      await srv.close();
    }
  });

  it("an unreachable CometBFT is Unavailable (14) / 503", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const srv = await buildRestServer({ rpc: httpCometRpc(`http://127.0.0.1:${port}`, 2000) });
    try {
      const r = await srv.inject({ method: "GET", url: "/cosmos/base/tendermint/v1beta1/blocks/latest" });
      expect(r.statusCode).toBe(503);
      expect(r.json().code).toBe(14);
    } finally {
      await srv.close();
    }
  });
});

describe("dsdn oracle and da routes", () => {
  const $ = (usd: number) => BigInt(Math.round(usd * 1e9)); // test literals only
  async function restOver(c: TestChain): Promise<FastifyInstance> {
    const a = await buildRestServer({ rpc: inProcessComet(c) });
    extra.push({ a, c });
    return a;
  }
  const extra: { a: FastifyInstance; c: TestChain }[] = [];
  afterEach(async () => {
    for (const { a, c } of extra.splice(0)) {
      await a.close();
      c.close();
    }
  });
  const getOn = async (a: FastifyInstance, url: string) => {
    const r = await a.inject({ method: "GET", url });
    return { status: r.statusCode, body: r.json() };
  };

  it("the oracle price with every field (defaults too), turning stale after an hour without reports", async () => {
    const c = oracleChain({ oracle: { params: { windowSeconds: "10" } } });
    c.block();
    const a = await restOver(c);
    priceBlock(c, [$(0.05), $(0.05), $(0.05)], 10n);
    priceBlock(c, ["empty", "empty", "empty"], 10n);
    const fresh = await getOn(a, "/dsdn/oracle/v1/price");
    expect(fresh.status).toBe(200);
    expect(Object.keys(fresh.body).sort()).toEqual(
      [
        "as_of",
        "effective_price_nano_usd",
        "price_nano_usd",
        "price_usd",
        "reporters_in_window",
        "stale",
        "unusa_per_usd",
        "updated_at",
        "window_seconds",
        "window_start",
      ].sort(),
    );
    expect(fresh.body).toMatchObject({ price_nano_usd: $(0.05).toString(), unusa_per_usd: "20000000", stale: false });
    expect(fresh.body.reporters_in_window).toBe("0"); // a default value ts-proto would have dropped
    priceBlock(c, ["empty", "empty", "empty"], 3601n);
    const stale = await getOn(a, "/dsdn/oracle/v1/price");
    expect(stale.body.stale).toBe(true);
    const conv = await getOn(a, `/dsdn/oracle/v1/convert_usd?usd_nano=${$(2)}`);
    expect(conv).toEqual({
      status: 200,
      body: { unusa: "40000000", effective_price_nano_usd: $(0.05).toString(), stale: true },
    });
    const params = await getOn(a, "/dsdn/oracle/v1/params");
    expect(params.body.params.window_seconds).toBe("10");
  });

  it.each([
    ["missing", ""],
    ["negative", "?usd_nano=-1"],
    ["a decimal", "?usd_nano=1.5"],
    ["31 digits", `?usd_nano=1${"0".repeat(30)}`],
    ["repeated", "?usd_nano=1&usd_nano=2"],
  ])("convert_usd refuses a %s amount with InvalidArgument (3) / 400", async (_what, qs) => {
    const c = oracleChain();
    c.block();
    const a = await restOver(c);
    const r = await getOn(a, `/dsdn/oracle/v1/convert_usd${qs}`);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 3 });
  });

  it("da head, params and one height's blobs of a namespace (hex or base64), bytes in base64", async () => {
    const poster = secp256k1KeyPair(fromHex("51".repeat(32)));
    const POSTER = addressOf(poster);
    const ns = Uint8Array.from([...new Uint8Array(19), ...new TextEncoder().encode("dsdn-rest!")]);
    const c = TestChain.start({
      balances: [{ address: POSTER, amount: 100_000_000n }],
      appState: { da: { params: { feePerByte: "2", retentionSeconds: "3600" }, blobs: [] } },
    });
    c.block();
    const a = await restOver(c);
    const blob = new TextEncoder().encode("hello validator-quorum DA");
    const msg = packAny("/dsdn.da.v1.MsgPostBlob", MsgPostBlob, {
      signer: POSTER,
      namespace: Buffer.from(ns),
      data: Buffer.from(blob),
    });
    const r = c.exec(poster, [msg]);
    expect(r.code).toBe(0);
    const h = c.height;
    const head = await getOn(a, "/dsdn/da/v1/head");
    expect(head.body).toEqual({ height: String(h), blob_count: "1" });
    const params = await getOn(a, "/dsdn/da/v1/params");
    expect(params.body.params.fee_per_byte).toBe("2");
    // The nodes module's params, including the compute scheduler's weights (genesis defaults).
    const nodesParams = await getOn(a, "/dsdn/nodes/v1/params");
    expect(nodesParams.body.params).toMatchObject({ scheduler_weight_cpu: "3", scheduler_weight_stake: "1" });
    for (const nsParam of [Buffer.from(ns).toString("hex"), encodeURIComponent(Buffer.from(ns).toString("base64"))]) {
      const at = await getOn(a, `/dsdn/da/v1/blobs/${h}?namespace=${nsParam}`);
      expect(at.status).toBe(200);
      expect(at.body.pruned).toBe(false);
      expect(at.body.data).toEqual([Buffer.from(blob).toString("base64")]);
      expect(at.body.records).toHaveLength(1);
      expect(at.body.records[0]).toMatchObject({
        namespace: Buffer.from(ns).toString("base64"),
        height: String(h),
        index: 0, // uint32: a number, emitted though it is the default
        size: String(blob.length),
        signer: POSTER,
      });
    }
    // Another namespace sees nothing at that height.
    const other = Buffer.from(Uint8Array.from([...new Uint8Array(19), ...new TextEncoder().encode("other-ns!!")]));
    const none = await getOn(a, `/dsdn/da/v1/blobs/${h}?namespace=${other.toString("hex")}`);
    expect(none.body).toEqual({ records: [], data: [], pruned: false });
  });

  it.each([
    ["no namespace", "/dsdn/da/v1/blobs/1"],
    ["a 28-byte namespace", `/dsdn/da/v1/blobs/1?namespace=${"00".repeat(28)}`],
    ["a 30-byte namespace", `/dsdn/da/v1/blobs/1?namespace=${"00".repeat(30)}`],
    ["a non-hex, non-base64 namespace", `/dsdn/da/v1/blobs/1?namespace=${"%25".repeat(40)}`],
    ["a huge namespace", `/dsdn/da/v1/blobs/1?namespace=${"00".repeat(5000)}`],
    ["height 0", `/dsdn/da/v1/blobs/0?namespace=${"00".repeat(29)}`],
    ["a negative height", `/dsdn/da/v1/blobs/-1?namespace=${"00".repeat(29)}`],
    ["a height above int64", `/dsdn/da/v1/blobs/9223372036854775808?namespace=${"00".repeat(29)}`],
  ])("da blobs refuses %s with InvalidArgument (3) / 400", async (_what, url) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ ...GRPC_ERROR, code: 3 });
  });
});

describe("dsdn compliance routes", () => {
  const CID = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
  const decision = {
    id: "1",
    action: "ACTION_BLOCK",
    pointer: { kind: "POINTER_KIND_CID", value: CID },
    reason: "court order",
    proposalId: "4",
    proposer: VAL0,
    height: "9",
    time: "1767225700",
  };
  it("blocked with who/why/appeal, the list and the record; bad pointers are InvalidArgument (3) / 400", async () => {
    const c = TestChain.start({
      balances: [{ address: VAL0, amount: 1n }],
      appState: { compliance: { blocks: [{ pointer: decision.pointer, decision }], decisions: [decision] } },
    });
    c.block();
    const a = await buildRestServer({ rpc: inProcessComet(c) });
    try {
      const get1 = async (url: string) => {
        const r = await a.inject({ method: "GET", url });
        return { status: r.statusCode, body: r.json() };
      };
      const yes = await get1(`/dsdn/compliance/v1/blocked?kind=cid&value=${CID}`);
      expect(yes.status).toBe(200);
      expect(yes.body).toMatchObject({
        blocked: true,
        block: {
          pointer: { kind: "POINTER_KIND_CID", value: CID },
          decision: { proposal_id: "4", reason: "court order" },
        },
      });
      expect(yes.body.appeal).toMatch(/MsgUnblockPointer/);
      const no = await get1("/dsdn/compliance/v1/blocked?kind=route&value=/site/ok");
      expect(no.body).toMatchObject({ blocked: false, appeal: "" });
      expect((await get1("/dsdn/compliance/v1/blocks")).body.blocks).toHaveLength(1);
      expect((await get1(`/dsdn/compliance/v1/decisions?kind=cid&value=${CID}`)).body.decisions[0]).toMatchObject({
        id: "1",
        action: "ACTION_BLOCK",
        proposer: VAL0,
      });
      for (const url of [
        "/dsdn/compliance/v1/blocked?kind=file&value=x",
        "/dsdn/compliance/v1/blocked?kind=cid&value=bafkreinope",
        "/dsdn/compliance/v1/blocked?kind=route&value=/",
        "/dsdn/compliance/v1/decisions?start_id=-1",
      ]) {
        const r = await get1(url);
        expect(r.status, url).toBe(400);
        expect(r.body, url).toMatchObject({ code: 3 });
      }
    } finally {
      await a.close();
      c.close();
    }
  });
});
