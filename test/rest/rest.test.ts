/**
 * End-to-end: the Cosmos REST (LCD) API of a real localnet (CometBFT + dsdnd, `dsdnd rest serve`
 * started by localnet/start.sh), read with plain fetch as Keplr and Ping.pub do, every route's JSON
 * checked field by field against the Cosmos SDK's definitions (cosmos-sdk proto/):
 *   cosmos/base/tendermint/v1beta1/query.proto  GetNodeInfoResponse, GetLatestBlockResponse,
 *     GetBlockByHeightResponse, GetLatestValidatorSetResponse (tendermint/types/{types,block}.proto)
 *   cosmos/auth/v1beta1/query.proto QueryAccountResponse; cosmos/bank/v1beta1/query.proto
 *   cosmos/staking/v1beta1/query.proto QueryValidatorsResponse, QueryParamsResponse, QueryPoolResponse,
 *     QueryDelegatorDelegationsResponse
 *   cosmos/tx/v1beta1/service.proto BroadcastTxRequest/Response (BROADCAST_MODE_SYNC), SimulateResponse,
 *     GetTxResponse, GetTxsEventRequest{query}/GetTxsEventResponse; cosmos/base/abci/v1beta1/abci.proto TxResponse
 * (read at cosmos/cosmos-sdk@d1b690e11cb7 proto/cosmos/tx/v1beta1/service.proto: routes, BroadcastMode, query/page/limit)
 * and the Keplr chain info against Keplr's ChainInfoSchema (keplr-wallet packages/chain-validator/src/schema.ts).
 */
import { readFileSync } from "node:fs";
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { calculateFee, GasPrice, SigningStargateClient, StargateClient } from "@cosmjs/stargate";
import { TxRaw } from "cosmjs-types/cosmos/tx/v1beta1/tx";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dsdnRegistry } from "../../clients/sdk/registry.js";
import { fromBech32Address, toBech32Address } from "../../common/secp256k1.js";
import { type Localnet, rpc, startLocalnet, waitFor } from "../support/localnet.js";

let net: Localnet;
let rest: string;
let rpc0: string;

beforeAll(async () => {
  net = await startLocalnet({ validators: 2, services: "chain", timeoutCommit: "500ms" });
  rest = net.restUrl;
  rpc0 = net.rpcUrls[0] as string;
});
afterAll(async () => {
  await net?.stop();
});

async function get(path: string): Promise<{ status: number; body: any }> {
  const r = await fetch(`${rest}${path}`);
  return { status: r.status, body: await r.json() };
}
async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const r = await fetch(`${rest}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: r.status, body: await r.json() };
}

const INT64 = /^-?[0-9]+$/;
const UINT = /^[0-9]+$/;
/** jsonpb Timestamp: RFC 3339, UTC, fraction of 0, 3, 6 or 9 digits. */
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/;
const b64len = (s: string) => Buffer.from(s, "base64").length;
/** jsonpb prints empty bytes (a nil []byte, e.g. block 1's last_block_id) as null. */
const hexToB64 = (h: string) => (h ? Buffer.from(h, "hex").toString("base64") : null);
const isB64 = (s: unknown) => typeof s === "string" && Buffer.from(s, "base64").toString("base64") === s;

function checkBlockId(id: any, comet: any) {
  expect(Object.keys(id).sort()).toEqual(["hash", "part_set_header"]);
  expect(id.hash).toBe(hexToB64(comet.hash));
  expect(id.part_set_header).toEqual({ total: comet.parts.total, hash: hexToB64(comet.parts.hash) });
}

/** tendermint.types.Block (and the SDK's Block, with a bech32 proposer) against CometBFT's own JSON. */
function checkBlock(b: any, comet: any, sdk: boolean) {
  expect(Object.keys(b).sort()).toEqual(["data", "evidence", "header", "last_commit"]);
  const h = b.header;
  const ch = comet.header;
  expect(Object.keys(h).sort()).toEqual(
    [
      "version",
      "chain_id",
      "height",
      "time",
      "last_block_id",
      "last_commit_hash",
      "data_hash",
      "validators_hash",
      "next_validators_hash",
      "consensus_hash",
      "app_hash",
      "last_results_hash",
      "evidence_hash",
      "proposer_address",
    ].sort(),
  );
  expect(h.version).toEqual({ block: ch.version.block, app: ch.version.app });
  expect(h.version.block).toMatch(UINT);
  expect(h.chain_id).toBe(net.env.CHAIN_ID);
  expect(h.height).toBe(ch.height);
  expect(h.height).toMatch(INT64);
  expect(h.time).toMatch(TIMESTAMP);
  expect(Date.parse(h.time)).toBe(Date.parse(ch.time));
  for (const k of ["app_hash", "validators_hash", "next_validators_hash", "consensus_hash", "data_hash"])
    expect(h[k], k).toBe(hexToB64(ch[k]));
  expect(b64len(h.app_hash)).toBe(32);
  checkBlockId(h.last_block_id, ch.last_block_id);
  if (sdk) {
    expect(h.proposer_address).toBe(toBech32Address(Buffer.from(ch.proposer_address, "hex"), "nusavalcons"));
  } else {
    expect(h.proposer_address).toBe(hexToB64(ch.proposer_address));
    expect(b64len(h.proposer_address)).toBe(20);
  }
  expect(b.data).toEqual({ txs: comet.data.txs });
  expect(b.evidence).toEqual({ evidence: [] });
  const c = b.last_commit;
  expect(c.height).toBe(comet.last_commit.height);
  expect(c.round).toBe(comet.last_commit.round);
  checkBlockId(c.block_id, comet.last_commit.block_id);
  expect(c.signatures).toHaveLength(comet.last_commit.signatures.length);
  c.signatures.forEach((s: any, i: number) => {
    const cs = comet.last_commit.signatures[i];
    expect(Object.keys(s).sort()).toEqual(["block_id_flag", "signature", "timestamp", "validator_address"]);
    expect(s.block_id_flag).toBe(
      ["BLOCK_ID_FLAG_UNKNOWN", "BLOCK_ID_FLAG_ABSENT", "BLOCK_ID_FLAG_COMMIT", "BLOCK_ID_FLAG_NIL"][cs.block_id_flag],
    );
    if (cs.block_id_flag === 2) {
      expect(s.validator_address).toBe(hexToB64(cs.validator_address));
      expect(s.signature).toBe(cs.signature);
      expect(b64len(s.signature)).toBe(64);
      expect(s.timestamp).toMatch(TIMESTAMP);
    }
  });
}

describe("Cosmos REST API on a real localnet", () => {
  it("Keplr's chain info names this chain's RPC and REST and satisfies Keplr's ChainInfoSchema rules", () => {
    const info = JSON.parse(readFileSync(net.env.KEPLR_CHAIN_INFO as string, "utf8"));
    expect(info.chainId).toBe(net.env.CHAIN_ID);
    expect(info.rpc).toBe(net.env.RPC_URL);
    expect(info.rest).toBe(rest);
    for (const u of [info.rpc, info.rest]) expect(new URL(u).search).toBe(""); // uri, no query string
    expect(info.chainId.length).toBeLessThanOrEqual(30);
    expect(info.chainName.length).toBeGreaterThan(0);
    expect(info.chainName.length).toBeLessThanOrEqual(30);
    expect(info.bip44).toEqual({ coinType: 118 });
    expect(info.bech32Config).toEqual({
      bech32PrefixAccAddr: "nusa",
      bech32PrefixAccPub: "nusapub",
      bech32PrefixValAddr: "nusavaloper",
      bech32PrefixValPub: "nusavaloperpub",
      bech32PrefixConsAddr: "nusavalcons",
      bech32PrefixConsPub: "nusavalconspub",
    });
    const nusa = { coinDenom: "NUSA", coinMinimalDenom: "unusa", coinDecimals: 6 };
    expect(info.currencies).toEqual([nusa]);
    expect(info.stakeCurrency).toEqual(nusa);
    expect(info.feeCurrencies).toHaveLength(1);
    const { gasPriceStep, ...fee } = info.feeCurrencies[0];
    expect(fee).toEqual(nusa);
    // The lowest step is the nodes' minimum gas price (so every step is accepted); low <= average <= high.
    expect(gasPriceStep.low).toBe(Number((net.env.GAS_PRICE as string).replace(/unusa$/, "")));
    expect(gasPriceStep.low).toBeLessThanOrEqual(gasPriceStep.average);
    expect(gasPriceStep.average).toBeLessThanOrEqual(gasPriceStep.high);
    for (const v of Object.values(gasPriceStep)) expect(typeof v).toBe("number");
  });

  it("node_info: GetNodeInfoResponse{default_node_info, application_version}", async () => {
    const r = await get("/cosmos/base/tendermint/v1beta1/node_info");
    expect(r.status).toBe(200);
    const status = await rpc(rpc0, "status");
    const n = r.body.default_node_info;
    expect(n.network).toBe(net.env.CHAIN_ID);
    expect(n.default_node_id).toBe(status.node_info.id);
    expect(n.protocol_version).toEqual({
      p2p: status.node_info.protocol_version.p2p,
      block: status.node_info.protocol_version.block,
      app: status.node_info.protocol_version.app,
    });
    expect(n.channels).toBe(hexToB64(status.node_info.channels));
    expect(n.version).toBe(status.node_info.version);
    expect(n.other).toEqual({ tx_index: "on", rpc_address: status.node_info.other.rpc_address });
    expect(r.body.application_version).toMatchObject({ name: "dsdn", app_name: "dsdnd", build_deps: [] });
    expect(r.body.application_version.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("blocks/latest and blocks/{height}: block_id, block (bytes proposer) and sdk_block (bech32 proposer)", async () => {
    const latest = await get("/cosmos/base/tendermint/v1beta1/blocks/latest");
    expect(latest.status).toBe(200);
    expect(Object.keys(latest.body).sort()).toEqual(["block", "block_id", "sdk_block"]);
    const h = latest.body.block.header.height as string;
    const comet = await rpc(rpc0, "block", { height: h });
    checkBlockId(latest.body.block_id, comet.block_id);
    checkBlock(latest.body.block, comet.block, false);
    checkBlock(latest.body.sdk_block, comet.block, true);

    const byHeight = await get(`/cosmos/base/tendermint/v1beta1/blocks/${h}`);
    expect(byHeight.body).toEqual(latest.body);
    const first = await get("/cosmos/base/tendermint/v1beta1/blocks/1");
    expect(first.body.block.header.height).toBe("1");
    checkBlock(first.body.block, (await rpc(rpc0, "block", { height: "1" })).block, false);

    const future = await get("/cosmos/base/tendermint/v1beta1/blocks/999999999");
    expect(future.status).toBe(400);
    expect(future.body).toMatchObject({ code: 3, details: [] });
  });

  it("validatorsets/latest: bech32 valcons addresses, ed25519 keys in an Any, string powers", async () => {
    const r = await get("/cosmos/base/tendermint/v1beta1/validatorsets/latest");
    expect(r.status).toBe(200);
    const comet = await rpc(rpc0, "validators", { height: r.body.block_height });
    expect(r.body.block_height).toMatch(INT64);
    expect(r.body.pagination).toEqual({ next_key: null, total: "2" });
    expect(r.body.validators).toEqual(
      comet.validators.map((v: any) => ({
        address: toBech32Address(Buffer.from(v.address, "hex"), "nusavalcons"),
        pub_key: { "@type": "/cosmos.crypto.ed25519.PubKey", key: v.pub_key.value },
        voting_power: v.voting_power,
        proposer_priority: v.proposer_priority,
      })),
    );
  });

  it("staking: validators (BONDED, same keys as CometBFT's set), params, pool, self-bond delegations", async () => {
    const vals = await get("/cosmos/staking/v1beta1/validators?status=BOND_STATUS_BONDED&pagination.limit=1000");
    expect(vals.status).toBe(200);
    expect(vals.body.validators).toHaveLength(2);
    const set = (await get("/cosmos/base/tendermint/v1beta1/validatorsets/latest")).body.validators;
    expect(vals.body.validators.map((v: any) => v.consensus_pubkey.key).sort()).toEqual(
      set.map((v: any) => v.pub_key.key).sort(),
    );
    let bonded = 0n;
    for (const v of vals.body.validators) {
      expect(v.operator_address).toMatch(/^nusavaloper1/);
      expect(v.status).toBe("BOND_STATUS_BONDED");
      expect(v.jailed).toBe(false);
      expect(v.tokens).toMatch(UINT);
      expect(v.delegator_shares).toBe(`${v.tokens}.000000000000000000`);
      expect(v.consensus_pubkey["@type"]).toBe("/cosmos.crypto.ed25519.PubKey");
      expect(v.description.moniker.length).toBeGreaterThan(0);
      expect(v.commission.commission_rates.rate).toBe("0.000000000000000000");
      bonded += BigInt(v.tokens);
      // Voting power is tokens / 10^6 (one power per NUSA).
      const power = set.find((s: any) => s.pub_key.key === v.consensus_pubkey.key).voting_power;
      expect(BigInt(power)).toBe(BigInt(v.tokens) / 1_000_000n);
    }

    const pool = await get("/cosmos/staking/v1beta1/pool");
    expect(pool.body.pool.bonded_tokens).toBe(bonded.toString());
    expect(pool.body.pool.not_bonded_tokens).toMatch(UINT);

    const params = await get("/cosmos/staking/v1beta1/params");
    expect(params.body.params).toMatchObject({ bond_denom: "unusa", historical_entries: 0 });
    expect(params.body.params.unbonding_time).toMatch(/^[1-9][0-9]*s$/);
    expect(typeof params.body.params.max_validators).toBe("number");
    expect(typeof params.body.params.max_entries).toBe("number");

    const v0 = vals.body.validators[0];
    const operator = toBech32Address(fromBech32Address(v0.operator_address, "nusavaloper"));
    const dels = await get(`/cosmos/staking/v1beta1/delegations/${operator}`);
    expect(dels.body).toEqual({
      delegation_responses: [
        {
          delegation: {
            delegator_address: operator,
            validator_address: v0.operator_address,
            shares: v0.delegator_shares,
          },
          balance: { denom: "unusa", amount: v0.tokens },
        },
      ],
      pagination: { next_key: null, total: "1" },
    });
    expect((await get(`/cosmos/staking/v1beta1/validators/${v0.operator_address}`)).body).toEqual({ validator: v0 });
  });

  it("a CosmJS-signed MsgSend: account from REST, simulate, broadcast (SYNC), then read back by hash and by events", async () => {
    const alice = net.accounts.find((a) => a.name === "alice")!;
    const bob = net.accounts.find((a) => a.name === "bob")!.address;

    const acc = await get(`/cosmos/auth/v1beta1/accounts/${alice.address}`);
    expect(acc.status).toBe(200);
    expect(acc.body.account["@type"]).toBe("/cosmos.auth.v1beta1.BaseAccount");
    expect(acc.body.account.address).toBe(alice.address);
    expect(acc.body.account.account_number).toMatch(UINT);
    expect(acc.body.account.sequence).toMatch(UINT);
    const bobBefore = await get(`/cosmos/bank/v1beta1/balances/${bob}/by_denom?denom=unusa`);
    expect(bobBefore.body.balance.denom).toBe("unusa");
    const all = await get(`/cosmos/bank/v1beta1/balances/${alice.address}`);
    expect(all.body.balances.find((c: any) => c.denom === "unusa").amount).toMatch(UINT);
    expect(all.body.pagination.next_key).toBeNull();

    // Sign offline with CosmJS, taking account number and sequence from the REST answer (as Keplr does).
    const wallet = await DirectSecp256k1HdWallet.fromMnemonic(alice.mnemonic, { prefix: "nusa" });
    const signer = await SigningStargateClient.offline(wallet, { registry: dsdnRegistry() });
    const msg = {
      typeUrl: "/cosmos.bank.v1beta1.MsgSend",
      value: { fromAddress: alice.address, toAddress: bob, amount: [{ denom: "unusa", amount: "4321" }] },
    };
    const fee = calculateFee(200_000, GasPrice.fromString(net.env.GAS_PRICE as string));
    const signed = await signer.sign(alice.address, [msg], fee, "via REST", {
      accountNumber: BigInt(acc.body.account.account_number),
      sequence: Number(acc.body.account.sequence),
      chainId: net.env.CHAIN_ID as string,
    });
    const txBytes = Buffer.from(TxRaw.encode(signed).finish()).toString("base64");

    const sim = await post("/cosmos/tx/v1beta1/simulate", { tx_bytes: txBytes });
    expect(sim.status).toBe(200);
    expect(BigInt(sim.body.gas_info.gas_used)).toBeGreaterThan(0n);
    expect(BigInt(sim.body.gas_info.gas_used)).toBeLessThanOrEqual(200_000n);
    expect(sim.body.result.msg_responses).toEqual([{ "@type": "/cosmos.bank.v1beta1.MsgSendResponse" }]);

    const b = await post("/cosmos/tx/v1beta1/txs", { tx_bytes: txBytes, mode: "BROADCAST_MODE_SYNC" });
    expect(b.status).toBe(200);
    const sent = b.body.tx_response;
    expect(sent.code).toBe(0);
    expect(sent.txhash).toMatch(/^[0-9A-F]{64}$/);
    expect(sent.height).toBe("0");

    const got = await waitFor(
      async () => {
        const r = await get(`/cosmos/tx/v1beta1/txs/${sent.txhash}`);
        return r.status === 200 ? r.body : undefined;
      },
      30_000,
      "the tx in a block",
    );
    const tr = got.tx_response;
    expect(tr.txhash).toBe(sent.txhash);
    expect(tr.code).toBe(0);
    expect(tr.height).toMatch(/^[1-9][0-9]*$/);
    expect(tr.gas_wanted).toBe("200000");
    expect(BigInt(tr.gas_used)).toBeGreaterThan(0n);
    expect(tr.codespace).toBe("");
    expect(tr.data).toMatch(/^[0-9A-F]*$/);
    expect(tr.logs).toEqual([]);
    const block = await get(`/cosmos/base/tendermint/v1beta1/blocks/${tr.height}`);
    expect(tr.timestamp).toBe(block.body.block.header.time);
    expect(
      tr.events.some(
        (e: any) =>
          e.type === "message" && e.attributes.some((a: any) => a.key === "sender" && a.value === alice.address),
      ),
    ).toBe(true);
    for (const e of tr.events) for (const a of e.attributes) expect(typeof a.index).toBe("boolean");
    // The Tx in both places, with @type on the Any messages and public key, int64s as strings, bytes base64.
    // GetTxResponse.tx is a Tx message (no @type); TxResponse.tx is an Any of it.
    expect({ "@type": "/cosmos.tx.v1beta1.Tx", ...got.tx }).toEqual(tr.tx);
    expect(Object.keys(got.tx).sort()).toEqual(["auth_info", "body", "signatures"]);
    expect(tr.tx["@type"]).toBe("/cosmos.tx.v1beta1.Tx");
    expect(got.tx.body.messages).toEqual([
      {
        "@type": "/cosmos.bank.v1beta1.MsgSend",
        from_address: alice.address,
        to_address: bob,
        amount: [{ denom: "unusa", amount: "4321" }],
      },
    ]);
    expect(got.tx.body.memo).toBe("via REST");
    expect(got.tx.body.timeout_height).toBe("0");
    const si = got.tx.auth_info.signer_infos[0];
    expect(si.public_key["@type"]).toBe("/cosmos.crypto.secp256k1.PubKey");
    expect(b64len(si.public_key.key)).toBe(33);
    expect(si.mode_info).toEqual({ single: { mode: "SIGN_MODE_DIRECT" } });
    expect(si.sequence).toBe(acc.body.account.sequence);
    expect(got.tx.auth_info.fee).toMatchObject({ amount: fee.amount, gas_limit: "200000" });
    expect(got.tx.signatures).toHaveLength(1);
    expect(isB64(got.tx.signatures[0])).toBe(true);
    expect(b64len(got.tx.signatures[0])).toBe(64);

    // CosmJS (over RPC) agrees on height and gas.
    const cosm = await (await StargateClient.connect(rpc0)).getTx(sent.txhash);
    expect(String(cosm?.height)).toBe(tr.height);
    expect(String(cosm?.gasUsed)).toBe(tr.gas_used);

    // By events: SDK 0.50's `query` and the older repeated `events` both find it.
    const q = encodeURIComponent(`message.sender='${alice.address}' AND tx.height=${tr.height}`);
    const byQuery = await get(`/cosmos/tx/v1beta1/txs?query=${q}`);
    expect(byQuery.status).toBe(200);
    expect(byQuery.body.tx_responses.map((t: any) => t.txhash)).toContain(sent.txhash);
    expect(byQuery.body.total).toMatch(UINT);
    expect(byQuery.body.txs).toHaveLength(byQuery.body.tx_responses.length);
    expect(byQuery.body.txs[0]["@type"]).toBeUndefined();
    const byEvents = await get(
      `/cosmos/tx/v1beta1/txs?events=${encodeURIComponent(`transfer.recipient='${bob}'`)}&events=${encodeURIComponent(`tx.height=${tr.height}`)}&order_by=ORDER_BY_DESC`,
    );
    expect(byEvents.body.tx_responses.map((t: any) => t.txhash)).toContain(sent.txhash);

    const bobAfter = await get(`/cosmos/bank/v1beta1/balances/${bob}/by_denom?denom=unusa`);
    expect(BigInt(bobAfter.body.balance.amount)).toBe(BigInt(bobBefore.body.balance.amount) + 4321n);
    const accAfter = await get(`/cosmos/auth/v1beta1/accounts/${alice.address}`);
    expect(accAfter.body.account.sequence).toBe(String(Number(acc.body.account.sequence) + 1));
    expect(accAfter.body.account.pub_key).toEqual(si.public_key);

    // Replaying the same signed bytes is refused by the chain (code in the body, as the SDK answers).
    const replay = await post("/cosmos/tx/v1beta1/txs", { tx_bytes: txBytes, mode: "BROADCAST_MODE_SYNC" });
    expect(replay.status).toBe(200);
    expect(replay.body.tx_response.code).not.toBe(0);

    const missing = await get(`/cosmos/tx/v1beta1/txs/${"AB".repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 5, details: [] });
  });

  it("errors have the gateway shape with the gRPC code and matching HTTP status", async () => {
    const nobody = toBech32Address(new Uint8Array(20).fill(3));
    const r = await get(`/cosmos/auth/v1beta1/accounts/${nobody}`);
    expect(r.status).toBe(404);
    expect(r.body).toEqual({ code: 5, message: `account ${nobody} not found: key not found`, details: [] });
    const bad = await get("/cosmos/bank/v1beta1/balances/cosmos1qqqq");
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(3);
  });
});
