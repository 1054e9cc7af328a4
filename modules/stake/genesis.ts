/** @module stake genesis: params, validators, node bonds and maturing unbondings; pool balances must match. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, u64be } from "../../chain-app/encoding.js";
import { isValidAddress } from "../../common/secp256k1.js";
import {
  BondKind,
  NodeClass,
  NodeStake as NodeStakeCodec,
  UnbondingEntry,
  Validator,
} from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount, moduleAddressBytes } from "../auth/moduleAccounts.js";
import type { BankKeeper } from "./expectedKeepers.js";
import { consAddrHex, consensusAddress, nodeClassName, type StakeKeeper } from "./keeper.js";
import { MODULE_NAME, nextUnbondingIdKey, nodeStakeKey, unbondingByOwnerKey, unbondingQueueKey } from "./keys.js";
import { defaultStakeParams, parseStakeParams } from "./params.js";

export interface GenesisValidatorEntry {
  operator: string;
  /** base64 of the 32-byte ed25519 consensus key (as in priv_validator_key.json). */
  consensusPubkey: string;
  moniker: string;
  tokens: string;
  jailed?: boolean;
  /** Power last handed to CometBFT (export only; import re-sends every validator's power once). */
  power?: string;
}
export interface GenesisNodeStakeEntry {
  operator: string;
  class: "regular" | "data_center";
  amount: string;
}
export interface GenesisUnbondingEntry {
  id: string;
  owner: string;
  kind: "validator" | "node";
  amount: string;
  creationHeight: string;
  completionTime: string;
}
export interface StakeGenesis {
  params: Record<string, string>;
  validators: GenesisValidatorEntry[];
  nodeStakes: GenesisNodeStakeEntry[];
  unbondings: GenesisUnbondingEntry[];
  nextUnbondingId: string;
}

export function defaultStakeGenesis(): StakeGenesis {
  return {
    params: JSON.parse(canonicalJson(defaultStakeParams)),
    validators: [],
    nodeStakes: [],
    unbondings: [],
    nextUnbondingId: "1",
  };
}

const INT = /^(0|[1-9][0-9]{0,76})$/;
function int(v: unknown, field: string, min = 0n): bigint {
  if (typeof v !== "string" || !INT.test(v)) throw new Error(`${field}: expected a decimal integer string`);
  const n = BigInt(v);
  if (n < min) throw new Error(`${field}: must be >= ${min}`);
  return n;
}
function addr(v: unknown, field: string): string {
  if (typeof v !== "string" || !isValidAddress(v)) throw new Error(`${field}: invalid address "${String(v)}"`);
  return v;
}
const classOf = (c: string) =>
  c === "regular" ? NodeClass.NODE_CLASS_REGULAR : c === "data_center" ? NodeClass.NODE_CLASS_DATA_CENTER : undefined;

/** Totals the pools must hold: bonded = validator tokens + node stakes; not bonded = unbondings. */
export function stakeGenesisPoolTotals(g: StakeGenesis): { bonded: bigint; notBonded: bigint } {
  let bonded = 0n;
  for (const v of g.validators) bonded += BigInt(v.tokens);
  for (const n of g.nodeStakes) bonded += BigInt(n.amount);
  let notBonded = 0n;
  for (const u of g.unbondings) notBonded += BigInt(u.amount);
  return { bonded, notBonded };
}

export function validateStakeGenesis(raw: unknown): StakeGenesis {
  const g = { ...defaultStakeGenesis(), ...((raw ?? {}) as Partial<StakeGenesis>) } as StakeGenesis;
  const params = parseStakeParams(g.params);
  const ops = new Set<string>();
  const keys = new Set<string>();
  for (const [i, v] of (g.validators ?? []).entries()) {
    const f = `stake.validators[${i}]`;
    addr(v.operator, `${f}.operator`);
    if (ops.has(v.operator)) throw new Error(`${f}.operator: duplicate ${v.operator}`);
    ops.add(v.operator);
    const pk = Buffer.from(String(v.consensusPubkey ?? ""), "base64");
    if (pk.length !== 32) throw new Error(`${f}.consensusPubkey: expected base64 of 32 bytes`);
    if (keys.has(pk.toString("hex"))) throw new Error(`${f}.consensusPubkey: duplicate key`);
    keys.add(pk.toString("hex"));
    if (typeof v.moniker !== "string" || v.moniker.length > 70) throw new Error(`${f}.moniker: 0..70 characters`);
    const tokens = int(v.tokens, `${f}.tokens`);
    if (!v.jailed && tokens < params.minValidatorSelfBond)
      throw new Error(`${f}.tokens: ${tokens} is below minValidatorSelfBond ${params.minValidatorSelfBond}`);
    if (v.power !== undefined) int(v.power, `${f}.power`);
  }
  const nodeOps = new Set<string>();
  for (const [i, n] of (g.nodeStakes ?? []).entries()) {
    const f = `stake.nodeStakes[${i}]`;
    addr(n.operator, `${f}.operator`);
    if (nodeOps.has(n.operator)) throw new Error(`${f}.operator: duplicate ${n.operator}`);
    nodeOps.add(n.operator);
    if (!classOf(n.class)) throw new Error(`${f}.class: expected "regular" or "data_center"`);
    int(n.amount, `${f}.amount`);
  }
  const next = int(g.nextUnbondingId, "stake.nextUnbondingId", 1n);
  const ids = new Set<string>();
  for (const [i, u] of (g.unbondings ?? []).entries()) {
    const f = `stake.unbondings[${i}]`;
    const id = int(u.id, `${f}.id`, 1n);
    if (id >= next) throw new Error(`${f}.id: must be below nextUnbondingId ${next}`);
    if (ids.has(u.id)) throw new Error(`${f}.id: duplicate ${u.id}`);
    ids.add(u.id);
    addr(u.owner, `${f}.owner`);
    if (u.kind !== "validator" && u.kind !== "node") throw new Error(`${f}.kind: expected "validator" or "node"`);
    int(u.amount, `${f}.amount`);
    int(u.creationHeight, `${f}.creationHeight`);
    int(u.completionTime, `${f}.completionTime`);
  }
  return g;
}

export function initStakeGenesis(ctx: Context, keeper: StakeKeeper, bank: BankKeeper, raw: unknown): void {
  const g = validateStakeGenesis(raw);
  const params = parseStakeParams(g.params);
  keeper.setParams(ctx, params);
  const s = ctx.moduleStore(MODULE_NAME);
  for (const v of g.validators) {
    const op = addressBytesOf(v.operator);
    const pk = Buffer.from(v.consensusPubkey, "base64");
    const cons = consensusAddress(pk);
    const rec = Validator.fromPartial({
      operator: v.operator,
      consensusPubkey: pk,
      consensusAddress: consAddrHex(cons),
      moniker: v.moniker,
      tokens: v.tokens,
      jailed: v.jailed ?? false,
      power: BigInt(v.power ?? "0"),
    });
    keeper.importValidator(ctx, op, rec);
  }
  for (const n of g.nodeStakes) {
    const op = addressBytesOf(n.operator);
    s.set(nodeStakeKey(op), encodeNodeStake(n));
  }
  for (const u of g.unbondings) {
    const e = UnbondingEntry.fromPartial({
      id: BigInt(u.id),
      owner: u.owner,
      kind: u.kind === "node" ? BondKind.BOND_KIND_NODE : BondKind.BOND_KIND_VALIDATOR,
      amount: u.amount,
      creationHeight: BigInt(u.creationHeight),
      completionTime: BigInt(u.completionTime),
    });
    s.set(unbondingQueueKey(e.completionTime, e.id), UnbondingEntry.encode(e).finish());
    s.set(unbondingByOwnerKey(addressBytesOf(u.owner), e.id), u64be(e.completionTime));
  }
  s.set(nextUnbondingIdKey, u64be(BigInt(g.nextUnbondingId)));
  // The pools must hold exactly what is bonded and unbonding (as x/staking checks at genesis).
  const { bonded, notBonded } = stakeGenesisPoolTotals(g);
  const haveBonded = bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.BondedPool), params.bondDenom);
  if (haveBonded !== bonded)
    throw new Error(`stake: bonded_tokens_pool holds ${haveBonded}${params.bondDenom}, genesis bonds ${bonded}`);
  const haveNot = bank.getBalance(ctx, moduleAddressBytes(ModuleAccount.NotBondedPool), params.bondDenom);
  if (haveNot !== notBonded)
    throw new Error(`stake: not_bonded_tokens_pool holds ${haveNot}${params.bondDenom}, unbondings total ${notBonded}`);
  keeper.markGenesisResync(ctx);
}

function encodeNodeStake(n: GenesisNodeStakeEntry): Uint8Array {
  return NodeStakeCodec.encode({ operator: n.operator, class: classOf(n.class)!, amount: n.amount }).finish();
}

export function exportStakeGenesis(ctx: Context, keeper: StakeKeeper): StakeGenesis {
  return {
    params: JSON.parse(canonicalJson(keeper.getParams(ctx))),
    validators: [...keeper.validators(ctx)].map(([, v]) => ({
      operator: v.operator,
      consensusPubkey: Buffer.from(v.consensusPubkey).toString("base64"),
      moniker: v.moniker,
      tokens: v.tokens,
      jailed: v.jailed,
      power: v.power.toString(),
    })),
    nodeStakes: [...keeper.nodeStakes(ctx)].map(([, n]) => ({
      operator: n.operator,
      class: nodeClassName(n.class) as "regular" | "data_center",
      amount: n.amount,
    })),
    unbondings: [...keeper.allUnbondings(ctx)].map((u) => ({
      id: u.id.toString(),
      owner: u.owner,
      kind: u.kind === BondKind.BOND_KIND_NODE ? "node" : "validator",
      amount: u.amount,
      creationHeight: u.creationHeight.toString(),
      completionTime: u.completionTime.toString(),
    })),
    nextUnbondingId: keeper.nextUnbondingId(ctx).toString(),
  };
}
