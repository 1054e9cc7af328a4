/**
 * @module Staking read routes a wallet needs (cosmos/staking/v1beta1/query.proto), answered from DSDN's
 * stake module. DSDN validators are self-bond only: operator_address is the operator account in the
 * `nusavaloper` prefix; tokens = delegator_shares = the self-bond; commission is zero; status is
 * BOND_STATUS_BONDED while the validator has power in CometBFT's set (not jailed), else UNBONDED; the
 * only delegation of an address is its own self-bond.
 */
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { FastifyInstance } from "fastify";
import { toBech32Address } from "../../../common/secp256k1.js";
import { ModuleAccount, moduleAddress } from "../../../modules/auth/moduleAccounts.js";
import {
  QueryGetStakeRequest,
  QueryGetStakeResponse,
  QueryParamsRequest,
  QueryParamsResponse,
  QueryValidatorRequest,
  QueryValidatorResponse,
  QueryValidatorsRequest,
  QueryValidatorsResponse,
} from "../../../proto/gen/dsdn/stake/v1/query.js";
import { BondKind, type Validator } from "../../../proto/gen/dsdn/stake/v1/stake.js";
import { abciQuery } from "../abciQuery.js";
import type { CometRpc } from "../cometRpc.js";
import { ACCOUNT_PREFIX, accountAddress, pageRequest, VALOPER_PREFIX, valoperAddress } from "../params.js";
import { lastPage, legacyDec } from "../protoJson.js";
import { RestError } from "../restError.js";

const BASE = "/cosmos/staking/v1beta1";
const ZERO_DEC = legacyDec(0n);
const EPOCH = "1970-01-01T00:00:00Z";
/** Chain pages read per request when filtering by status, so one request stays bounded. */
const MAX_CHAIN_PAGES = 10;

const STATUSES = ["BOND_STATUS_UNSPECIFIED", "BOND_STATUS_UNBONDED", "BOND_STATUS_UNBONDING", "BOND_STATUS_BONDED"];

export function bondStatus(v: Validator): string {
  return !v.jailed && v.power > 0n ? "BOND_STATUS_BONDED" : "BOND_STATUS_UNBONDED";
}

function valoperOf(operator: string): string {
  return toBech32Address(accountAddress("operator", operator), VALOPER_PREFIX);
}

/** cosmos.staking.v1beta1.Validator for one DSDN validator. */
export function validatorJson(v: Validator, minSelfBond: string): Record<string, unknown> {
  return {
    operator_address: valoperOf(v.operator),
    consensus_pubkey: {
      "@type": "/cosmos.crypto.ed25519.PubKey",
      key: Buffer.from(v.consensusPubkey).toString("base64"),
    },
    jailed: v.jailed,
    status: bondStatus(v),
    tokens: v.tokens,
    delegator_shares: legacyDec(v.tokens),
    description: { moniker: v.moniker, identity: "", website: "", security_contact: "", details: "" },
    unbonding_height: "0",
    unbonding_time: EPOCH,
    commission: {
      commission_rates: { rate: ZERO_DEC, max_rate: ZERO_DEC, max_change_rate: ZERO_DEC },
      update_time: EPOCH,
    },
    min_self_delegation: minSelfBond,
    unbonding_on_hold_ref_count: "0",
    unbonding_ids: [],
  };
}

interface StakeParamsJson {
  bondDenom: string;
  unbondingPeriodSeconds: string;
  maxValidators: string;
  maxEntries: string;
  minValidatorSelfBond: string;
}

async function stakeParams(rpc: CometRpc): Promise<StakeParamsJson> {
  const { value } = await abciQuery(rpc, "/dsdn.stake.v1.Query/Params", QueryParamsRequest, {}, QueryParamsResponse);
  return JSON.parse(value.paramsJson) as StakeParamsJson;
}

async function poolBalance(rpc: CometRpc, account: string, denom: string): Promise<string> {
  const { value } = await abciQuery(
    rpc,
    "/cosmos.bank.v1beta1.Query/Balance",
    QueryBalanceRequest,
    { address: moduleAddress(account), denom },
    QueryBalanceResponse,
  );
  return value.balance?.amount ?? "0";
}

async function validatorOf(rpc: CometRpc, operator: string): Promise<Validator | undefined> {
  try {
    const { value } = await abciQuery(
      rpc,
      "/dsdn.stake.v1.Query/Validator",
      QueryValidatorRequest,
      { address: operator },
      QueryValidatorResponse,
    );
    return value.validator;
  } catch (e) {
    if (e instanceof RestError && e.grpcCode === 5) return undefined;
    throw e;
  }
}

type Query = Record<string, unknown>;

export function stakingRoutes(app: FastifyInstance, rpc: CometRpc): void {
  app.get<{ Querystring: Query }>(`${BASE}/validators`, async (req) => {
    const status = req.query.status === undefined || req.query.status === "" ? "" : String(req.query.status);
    if (status && !STATUSES.includes(status)) throw new RestError(3, `status: expected one of ${STATUSES.join(", ")}`);
    const page = pageRequest(req.query);
    if (page.offset > 0) throw new RestError(3, "pagination.offset: page with pagination.key");
    const params = await stakeParams(rpc);
    const out: Record<string, unknown>[] = [];
    let key = page.key ?? new Uint8Array();
    for (let i = 0; i < MAX_CHAIN_PAGES && out.length < page.limit; i++) {
      const { value } = await abciQuery(
        rpc,
        "/dsdn.stake.v1.Query/Validators",
        QueryValidatorsRequest,
        { pagination: { key, limit: BigInt(page.limit - out.length) } },
        QueryValidatorsResponse,
      );
      for (const v of value.validators)
        if (!status || status === "BOND_STATUS_UNSPECIFIED" || bondStatus(v) === status)
          out.push(validatorJson(v, params.minValidatorSelfBond));
      key = value.pagination?.nextKey ?? new Uint8Array();
      if (key.length === 0) break;
    }
    return {
      validators: out,
      pagination: {
        next_key: key.length > 0 ? Buffer.from(key).toString("base64") : null,
        total: key.length > 0 ? "0" : String(out.length),
      },
    };
  });

  app.get<{ Params: { addr: string } }>(`${BASE}/validators/:addr`, async (req) => {
    const op = toBech32Address(valoperAddress("validator_addr", req.params.addr), ACCOUNT_PREFIX);
    const v = await validatorOf(rpc, op);
    if (!v) throw new RestError(5, `validator ${req.params.addr} not found`);
    return { validator: validatorJson(v, (await stakeParams(rpc)).minValidatorSelfBond) };
  });

  app.get(`${BASE}/params`, async () => {
    const p = await stakeParams(rpc);
    return {
      params: {
        unbonding_time: `${BigInt(p.unbondingPeriodSeconds)}s`,
        max_validators: Number(p.maxValidators),
        max_entries: Number(p.maxEntries),
        historical_entries: 0,
        bond_denom: p.bondDenom,
        min_commission_rate: ZERO_DEC,
      },
    };
  });

  app.get(`${BASE}/pool`, async () => {
    const { bondDenom } = await stakeParams(rpc);
    const [bonded, notBonded] = await Promise.all([
      poolBalance(rpc, ModuleAccount.BondedPool, bondDenom),
      poolBalance(rpc, ModuleAccount.NotBondedPool, bondDenom),
    ]);
    return { pool: { not_bonded_tokens: notBonded, bonded_tokens: bonded } };
  });

  app.get<{ Params: { addr: string } }>(`${BASE}/delegations/:addr`, async (req) => {
    accountAddress("delegator_addr", req.params.addr);
    const [v, params] = await Promise.all([validatorOf(rpc, req.params.addr), stakeParams(rpc)]);
    const responses =
      v && BigInt(v.tokens) > 0n
        ? [
            {
              delegation: {
                delegator_address: v.operator,
                validator_address: valoperOf(v.operator),
                shares: legacyDec(v.tokens),
              },
              balance: { denom: params.bondDenom, amount: v.tokens },
            },
          ]
        : [];
    return { delegation_responses: responses, pagination: lastPage(responses.length) };
  });

  app.get<{ Params: { addr: string } }>(`${BASE}/delegators/:addr/unbonding_delegations`, async (req) => {
    accountAddress("delegator_addr", req.params.addr);
    const { value } = await abciQuery(
      rpc,
      "/dsdn.stake.v1.Query/GetStake",
      QueryGetStakeRequest,
      { address: req.params.addr },
      QueryGetStakeResponse,
    );
    const entries = value.unbondings
      .filter((u) => u.kind === BondKind.BOND_KIND_VALIDATOR)
      .map((u) => ({
        creation_height: u.creationHeight.toString(),
        completion_time: new Date(Number(u.completionTime) * 1000).toISOString().replace(".000Z", "Z"),
        initial_balance: u.amount,
        balance: u.amount,
        unbonding_id: u.id.toString(),
        unbonding_on_hold_ref_count: "0",
      }));
    const responses = entries.length
      ? [{ delegator_address: req.params.addr, validator_address: valoperOf(req.params.addr), entries }]
      : [];
    return { unbonding_responses: responses, pagination: lastPage(responses.length) };
  });
}
