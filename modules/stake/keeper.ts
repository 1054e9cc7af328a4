/** @module stake keeper: validator and node bonds, the unbonding queue, slashing of bonds, power changes. */
import type { ValidatorUpdate } from "cosmjs-types/tendermint/abci/types";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, prefixEnd, readAddrKey, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { sha256, toHex } from "../../common/hash.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { BondKind, NodeClass, NodeStake, UnbondingEntry, Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { ModuleAccount } from "../auth/moduleAccounts.js";
import { StakeErrors } from "./errors.js";
import { completeUnbondingEvent, powerEvent, slashEvent, unbondEvent } from "./events.js";
import type { BankKeeper, StakeHooks } from "./expectedKeepers.js";
import {
  consAddrKey,
  genesisResyncKey,
  lastActiveKey,
  MODULE_NAME,
  nextUnbondingIdKey,
  nodeStakeKey,
  Prefix,
  paramsKey,
  powerChangedKey,
  powerIndexKey,
  unbondingByOwnerKey,
  unbondingByOwnerPrefix,
  unbondingQueueKey,
  validatorKey,
} from "./keys.js";
import { defaultStakeParams, parseStakeParams, type StakeParams } from "./params.js";
import { stakeWeight } from "./stakeWeight.js";

/** Parts per million: slash fractions are integers, 5 000 = 0.5%. */
export const PPM = 1_000_000n;
const MAX_U64 = (1n << 64n) - 1n;

/**
 * When an offence happened, for slashing. Only stake bonded at `height` is slashed: unbonding entries
 * created before it are not cut. `bonded`, when known (CometBFT's evidence carries the validator's
 * power at the infraction), caps the amount taken, so stake bonded after the offence is not slashed.
 */
export interface Infraction {
  readonly height: bigint;
  readonly bonded?: bigint;
}

/** CometBFT's validator address: sha256(ed25519 pubkey)[:20]. */
export function consensusAddress(pubkey: Uint8Array): Uint8Array {
  return sha256(pubkey).subarray(0, 20);
}

export const consAddrHex = (cons: Uint8Array): string => toHex(cons).toUpperCase();

export function nodeClassName(c: NodeClass): string {
  return c === NodeClass.NODE_CLASS_REGULAR ? "regular" : c === NodeClass.NODE_CLASS_DATA_CENTER ? "data_center" : "";
}

export class StakeKeeper {
  private hooks: StakeHooks[] = [];

  constructor(private readonly bank: BankKeeper) {}

  /** Registered once while wiring the app (buildModules); order is consensus-critical. */
  addHooks(h: StakeHooks): void {
    this.hooks.push(h);
  }

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  // ---- params ----------------------------------------------------------------------------------

  getParams(ctx: Context): StakeParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseStakeParams(JSON.parse(fromUtf8(raw))) : defaultStakeParams;
  }

  setParams(ctx: Context, p: StakeParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  minNodeStake(ctx: Context, cls: NodeClass): bigint {
    const p = this.getParams(ctx);
    if (cls === NodeClass.NODE_CLASS_REGULAR) return p.minStakeRegular;
    if (cls === NodeClass.NODE_CLASS_DATA_CENTER) return p.minStakeDataCenter;
    return 0n;
  }

  powerReduction(ctx: Context): bigint {
    return this.getParams(ctx).powerReduction;
  }

  private coins(ctx: Context, amount: bigint) {
    return [{ denom: this.getParams(ctx).bondDenom, amount }];
  }

  // ---- validators ------------------------------------------------------------------------------

  getValidator(ctx: Context, op: Uint8Array): Validator | undefined {
    const raw = this.store(ctx).get(validatorKey(op));
    return raw ? Validator.decode(raw) : undefined;
  }

  getValidatorByConsAddr(ctx: Context, cons: Uint8Array): Validator | undefined {
    const op = this.store(ctx).get(consAddrKey(cons));
    return op ? this.getValidator(ctx, op) : undefined;
  }

  /** Stores a validator and queues its power for recomputation at end block. */
  setValidator(ctx: Context, op: Uint8Array, v: Validator): void {
    const s = this.store(ctx);
    const prev = this.getValidator(ctx, op);
    const prevPower = prev ? this.powerOf(ctx, prev) : 0n;
    if (prevPower > 0n) s.delete(powerIndexKey(prevPower, op));
    const power = this.powerOf(ctx, v);
    if (power > 0n) s.set(powerIndexKey(power, op), new Uint8Array());
    s.set(validatorKey(op), Validator.encode(v).finish());
    const cons = consensusAddress(v.consensusPubkey);
    s.set(consAddrKey(cons), op);
    s.set(powerChangedKey(cons), new Uint8Array());
  }

  /** Validators in operator-address order, from `startAfterKey` (exclusive) when given. */
  *validators(ctx: Context, from?: Uint8Array): Generator<[Uint8Array, Validator]> {
    const start = from ?? Uint8Array.of(Prefix.Validator);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Validator + 1) }))
      yield [readAddrKey(k, 1).addr, Validator.decode(v)];
  }

  /** Power CometBFT should give this validator now: 0 when jailed, else tokens / powerReduction. */
  powerOf(ctx: Context, v: Validator): bigint {
    if (v.jailed) return 0n;
    return BigInt(v.tokens) / this.getParams(ctx).powerReduction;
  }

  createValidator(ctx: Context, op: Uint8Array, pubkey: Uint8Array, moniker: string, amount: bigint): Validator {
    const p = this.getParams(ctx);
    if (this.getValidator(ctx, op)) throw StakeErrors.ValidatorExists.wrap(toBech32Address(op));
    const cons = consensusAddress(pubkey);
    if (this.store(ctx).has(consAddrKey(cons))) throw StakeErrors.ConsensusKeyInUse.wrap(consAddrHex(cons));
    if (amount < p.minValidatorSelfBond)
      throw StakeErrors.SelfBondTooLow.wrap(`${amount}${p.bondDenom} < ${p.minValidatorSelfBond}${p.bondDenom}`);
    this.bank.sendFromAccountToModule(ctx, op, ModuleAccount.BondedPool, this.coins(ctx, amount));
    const v = Validator.fromPartial({
      operator: toBech32Address(op),
      consensusPubkey: Buffer.from(pubkey),
      consensusAddress: consAddrHex(cons),
      moniker,
      tokens: amount.toString(),
      jailed: false,
      power: 0n,
    });
    this.setValidator(ctx, op, v);
    return v;
  }

  jail(ctx: Context, op: Uint8Array): void {
    const v = this.getValidator(ctx, op);
    if (!v || v.jailed) return;
    this.setValidator(ctx, op, { ...v, jailed: true });
  }

  unjail(ctx: Context, op: Uint8Array): void {
    const v = this.getValidator(ctx, op);
    if (!v) throw StakeErrors.NoValidator.wrap(toBech32Address(op));
    const p = this.getParams(ctx);
    if (BigInt(v.tokens) < p.minValidatorSelfBond)
      throw StakeErrors.SelfBondTooLow.wrap(`${v.tokens}${p.bondDenom} bonded`);
    this.setValidator(ctx, op, { ...v, jailed: false });
  }

  // ---- node stake ------------------------------------------------------------------------------

  getNodeStake(ctx: Context, op: Uint8Array): NodeStake | undefined {
    const raw = this.store(ctx).get(nodeStakeKey(op));
    return raw ? NodeStake.decode(raw) : undefined;
  }

  private setNodeStake(ctx: Context, op: Uint8Array, ns: NodeStake): void {
    this.store(ctx).set(nodeStakeKey(op), NodeStake.encode(ns).finish());
  }

  *nodeStakes(ctx: Context): Generator<[Uint8Array, NodeStake]> {
    const start = Uint8Array.of(Prefix.NodeStake);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.NodeStake + 1) }))
      yield [readAddrKey(k, 1).addr, NodeStake.decode(v)];
  }

  /** Bonds (or tops up) node stake; a class is fixed while any node stake is bonded. */
  bondNode(ctx: Context, op: Uint8Array, cls: NodeClass, amount: bigint): bigint {
    const cur = this.getNodeStake(ctx, op);
    const have = cur ? BigInt(cur.amount) : 0n;
    if (cur && have > 0n && cur.class !== cls)
      throw StakeErrors.ClassMismatch.wrap(`bonded as ${nodeClassName(cur.class)}, asked ${nodeClassName(cls)}`);
    this.bank.sendFromAccountToModule(ctx, op, ModuleAccount.BondedPool, this.coins(ctx, amount));
    const total = have + amount;
    this.setNodeStake(ctx, op, { operator: toBech32Address(op), class: cls, amount: total.toString() });
    this.afterNodeStakeChanged(ctx, op);
    return total;
  }

  /** Node stake amount bonded right now (0 when none). */
  nodeStakeAmount(ctx: Context, op: Uint8Array): bigint {
    const ns = this.getNodeStake(ctx, op);
    return ns ? BigInt(ns.amount) : 0n;
  }

  /** floor(10^6 · log2(stake/min)) for the operator's node bond; 0 below the minimum. */
  nodeStakeWeight(ctx: Context, op: Uint8Array): bigint {
    const ns = this.getNodeStake(ctx, op);
    if (!ns) return 0n;
    const min = this.minNodeStake(ctx, ns.class);
    return min > 0n ? stakeWeight(BigInt(ns.amount), min) : 0n;
  }

  private afterNodeStakeChanged(ctx: Context, op: Uint8Array): void {
    for (const h of this.hooks) h.afterNodeStakeChanged(ctx, op);
  }

  // ---- unbonding -------------------------------------------------------------------------------

  /**
   * Moves `amount` of a bond into the unbonding queue (bonded pool → not-bonded pool). An owner has at
   * most `maxEntries` maturing entries; `forced` (a ban's forced unbond) is the one exception.
   */
  unbond(ctx: Context, op: Uint8Array, kind: BondKind, amount: bigint, forced = false): UnbondingEntry {
    if (amount <= 0n) throw StakeErrors.InvalidAmount.wrap("unbond amount must be positive");
    const p = this.getParams(ctx);
    if (!forced) {
      const prefix = unbondingByOwnerPrefix(op);
      let entries = 0n;
      for (const _ of this.store(ctx).iterate({ start: prefix, end: prefixEnd(prefix) }))
        if (++entries >= p.maxEntries) throw StakeErrors.TooManyUnbondings.wrap(`${entries} of ${p.maxEntries}`);
    }
    if (kind === BondKind.BOND_KIND_VALIDATOR) {
      const v = this.getValidator(ctx, op);
      if (!v) throw StakeErrors.NoValidator.wrap(toBech32Address(op));
      const have = BigInt(v.tokens);
      if (amount > have) throw StakeErrors.InsufficientStake.wrap(`${amount} > ${have}`);
      const left = have - amount;
      // A validator either keeps the minimum self-bond or leaves the set entirely.
      if (left > 0n && left < p.minValidatorSelfBond)
        throw StakeErrors.BelowMinSelfBond.wrap(`${left} < ${p.minValidatorSelfBond}`);
      this.setValidator(ctx, op, { ...v, tokens: left.toString() });
    } else if (kind === BondKind.BOND_KIND_NODE) {
      const ns = this.getNodeStake(ctx, op);
      const have = ns ? BigInt(ns.amount) : 0n;
      if (!ns || have === 0n) throw StakeErrors.NoNodeStake.wrap(toBech32Address(op));
      if (amount > have) throw StakeErrors.InsufficientStake.wrap(`${amount} > ${have}`);
      this.setNodeStake(ctx, op, { ...ns, amount: (have - amount).toString() });
      this.afterNodeStakeChanged(ctx, op);
    } else {
      throw StakeErrors.InvalidKind;
    }
    this.bank.sendFromModuleToModule(
      ctx,
      ModuleAccount.BondedPool,
      ModuleAccount.NotBondedPool,
      this.coins(ctx, amount),
    );
    return this.addUnbonding(ctx, op, kind, amount, ctx.block.timeSeconds + p.unbondingPeriodSeconds);
  }

  /** Unbonds all of an operator's node stake at once (repeated malice); returns the entry, if any. */
  forceUnbondNode(ctx: Context, op: Uint8Array): UnbondingEntry | undefined {
    const have = this.nodeStakeAmount(ctx, op);
    return have > 0n ? this.unbond(ctx, op, BondKind.BOND_KIND_NODE, have, true) : undefined;
  }

  private addUnbonding(ctx: Context, op: Uint8Array, kind: BondKind, amount: bigint, completion: bigint) {
    const s = this.store(ctx);
    const raw = s.get(nextUnbondingIdKey);
    const id = raw ? readU64be(raw) : 1n;
    s.set(nextUnbondingIdKey, u64be(id + 1n));
    const e = UnbondingEntry.fromPartial({
      id,
      owner: toBech32Address(op),
      kind,
      amount: amount.toString(),
      creationHeight: ctx.block.height,
      completionTime: completion,
    });
    this.putUnbonding(ctx, op, e);
    ctx.emit(unbondEvent(e.owner, kind === BondKind.BOND_KIND_NODE ? "node" : "validator", amount, id, completion));
    return e;
  }

  private putUnbonding(ctx: Context, op: Uint8Array, e: UnbondingEntry): void {
    const s = this.store(ctx);
    s.set(unbondingQueueKey(BigInt(e.completionTime), e.id), UnbondingEntry.encode(e).finish());
    s.set(unbondingByOwnerKey(op, e.id), u64be(BigInt(e.completionTime)));
  }

  /** An owner's maturing unbondings, oldest id first. */
  unbondingsOf(ctx: Context, op: Uint8Array): UnbondingEntry[] {
    const s = this.store(ctx);
    const prefix = unbondingByOwnerPrefix(op);
    const out: UnbondingEntry[] = [];
    for (const [k, v] of s.iterate({ start: prefix, end: prefixEnd(prefix) })) {
      const raw = s.get(unbondingQueueKey(readU64be(v), readU64be(k.subarray(prefix.length))));
      if (raw) out.push(UnbondingEntry.decode(raw));
    }
    return out;
  }

  *allUnbondings(ctx: Context): Generator<UnbondingEntry> {
    const start = Uint8Array.of(Prefix.UnbondingQueue);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.UnbondingQueue + 1) }))
      yield UnbondingEntry.decode(v);
  }

  nextUnbondingId(ctx: Context): bigint {
    const raw = this.store(ctx).get(nextUnbondingIdKey);
    return raw ? readU64be(raw) : 1n;
  }

  /**
   * Pays out entries whose completion time has passed (block time), in queue order, at most
   * `maxUnbondingsPerBlock` per block; the rest stay first in the queue for the next block.
   */
  completeMatureUnbondings(ctx: Context): void {
    const s = this.store(ctx);
    const limit = this.getParams(ctx).maxUnbondingsPerBlock;
    const start = Uint8Array.of(Prefix.UnbondingQueue);
    const end = unbondingQueueKey(ctx.block.timeSeconds + 1n, 0n);
    const due: [Uint8Array, UnbondingEntry][] = [];
    for (const [k, v] of s.iterate({ start, end })) {
      if (BigInt(due.length) >= limit) break;
      due.push([k.slice(), UnbondingEntry.decode(v)]);
    }
    for (const [k, e] of due) {
      const owner = addressBytesOf(e.owner);
      s.delete(k);
      s.delete(unbondingByOwnerKey(owner, e.id));
      const amount = BigInt(e.amount);
      if (amount > 0n)
        this.bank.sendFromModuleToAccount(ctx, ModuleAccount.NotBondedPool, owner, this.coins(ctx, amount));
      ctx.emit(completeUnbondingEvent(e.owner, amount, e.id));
    }
  }

  // ---- slashing --------------------------------------------------------------------------------

  /**
   * Slashes `fractionPpm` of what an owner had bonded (of `kind`) when the offence happened, as the
   * SDK's x/staking Slash does: each maturing unbonding of that kind created at or after the
   * infraction height loses the fraction (rounded down); the rest of the target — the fraction of
   * the stake bonded at the infraction (`infraction.bonded`, else the current bond plus those
   * unbondings) — comes from the current bond, never more than it holds. Unbondings that began
   * before the offence are untouched. Without `infraction` the offence is taken to be now.
   * Everything slashed goes to the treasury. Returns the total.
   */
  slash(ctx: Context, op: Uint8Array, kind: BondKind, fractionPpm: bigint, infraction?: Infraction): bigint {
    if (fractionPpm < 0n || fractionPpm > PPM) throw new RangeError(`slash fraction ${fractionPpm} ppm out of range`);
    const at = infraction?.height ?? ctx.block.height;
    let fromUnbonding = 0n;
    let unbondingAfter = 0n;
    for (const e of this.unbondingsOf(ctx, op)) {
      if (e.kind !== kind || BigInt(e.creationHeight) < at) continue;
      unbondingAfter += BigInt(e.amount);
      const cut = (BigInt(e.amount) * fractionPpm) / PPM;
      if (cut === 0n) continue;
      fromUnbonding += cut;
      this.putUnbonding(ctx, op, { ...e, amount: (BigInt(e.amount) - cut).toString() });
    }
    const v = kind === BondKind.BOND_KIND_VALIDATOR ? this.getValidator(ctx, op) : undefined;
    const ns = kind === BondKind.BOND_KIND_VALIDATOR ? undefined : this.getNodeStake(ctx, op);
    const bondedNow = v ? BigInt(v.tokens) : ns ? BigInt(ns.amount) : 0n;
    const base = infraction?.bonded ?? bondedNow + unbondingAfter;
    let fromBonded = (base * fractionPpm) / PPM - fromUnbonding;
    if (fromBonded < 0n) fromBonded = 0n;
    if (fromBonded > bondedNow) fromBonded = bondedNow;
    if (fromBonded > 0n && v) this.setValidator(ctx, op, { ...v, tokens: (bondedNow - fromBonded).toString() });
    if (fromBonded > 0n && ns) this.setNodeStake(ctx, op, { ...ns, amount: (bondedNow - fromBonded).toString() });
    if (fromBonded > 0n)
      this.bank.sendFromModuleToModule(
        ctx,
        ModuleAccount.BondedPool,
        ModuleAccount.Treasury,
        this.coins(ctx, fromBonded),
      );
    if (fromUnbonding > 0n)
      this.bank.sendFromModuleToModule(
        ctx,
        ModuleAccount.NotBondedPool,
        ModuleAccount.Treasury,
        this.coins(ctx, fromUnbonding),
      );
    const total = fromBonded + fromUnbonding;
    ctx.emit(
      slashEvent(toBech32Address(op), kind === BondKind.BOND_KIND_NODE ? "node" : "validator", fractionPpm, total),
    );
    if (kind === BondKind.BOND_KIND_NODE) this.afterNodeStakeChanged(ctx, op);
    return total;
  }

  // ---- end block: validator updates ------------------------------------------------------------

  markGenesisResync(ctx: Context): void {
    this.store(ctx).set(genesisResyncKey, new Uint8Array());
  }

  /**
   * Power updates for CometBFT, as x/staking's end block: the active set is the top `maxValidators`
   * unjailed validators by power (ties: lower operator address first), read from the power index.
   * Recomputed only in blocks where some validator changed (or once after genesis import, when every
   * active validator's power is re-sent so CometBFT's set matches stake even if genesis.json
   * differed). Work per block: O(maxValidators + changes). Power 0 is only ever sent for a validator
   * CometBFT holds with a positive power (the LastActive index).
   */
  validatorUpdates(ctx: Context): ValidatorUpdate[] {
    const s = this.store(ctx);
    const resync = s.has(genesisResyncKey);
    const changed: Uint8Array[] = [];
    const start = Uint8Array.of(Prefix.PowerChanged);
    for (const [k] of s.iterate({ start, end: Uint8Array.of(Prefix.PowerChanged + 1) })) changed.push(k.slice());
    for (const k of changed) s.delete(k);
    if (!resync && changed.length === 0) return [];
    if (resync) s.delete(genesisResyncKey);
    const max = this.getParams(ctx).maxValidators;
    const next: { op: Uint8Array; power: bigint }[] = [];
    const idx = Uint8Array.of(Prefix.PowerIndex);
    for (const [k] of s.iterate({ start: idx, end: Uint8Array.of(Prefix.PowerIndex + 1) })) {
      if (BigInt(next.length) >= max) break;
      next.push({ op: readAddrKey(k, 9).addr, power: MAX_U64 - readU64be(k.subarray(1, 9)) });
    }
    const inNext = new Set(next.map((n) => toHex(n.op)));
    const updates: ValidatorUpdate[] = [];
    const send = (op: Uint8Array, v: Validator, power: bigint) => {
      s.set(validatorKey(op), Validator.encode({ ...v, power }).finish());
      updates.push({ pubKey: { ed25519: v.consensusPubkey }, power });
      ctx.emit(powerEvent(v.consensusAddress, power));
    };
    const last = Uint8Array.of(Prefix.LastActive);
    const leaving: Uint8Array[] = [];
    for (const [k] of s.iterate({ start: last, end: Uint8Array.of(Prefix.LastActive + 1) })) {
      const op = readAddrKey(k, 1).addr;
      if (!inNext.has(toHex(op))) leaving.push(op);
    }
    for (const op of leaving) {
      s.delete(lastActiveKey(op));
      const v = this.getValidator(ctx, op);
      if (v && v.power > 0n) send(op, v, 0n);
    }
    for (const { op, power } of next) {
      const v = this.getValidator(ctx, op);
      if (!v) continue;
      s.set(lastActiveKey(op), new Uint8Array());
      if (v.power !== power || resync) send(op, v, power);
    }
    return updates;
  }

  /** Genesis import: stores a validator with its indexes as exported (power = what CometBFT holds). */
  importValidator(ctx: Context, op: Uint8Array, v: Validator): void {
    const s = this.store(ctx);
    s.set(validatorKey(op), Validator.encode(v).finish());
    s.set(consAddrKey(consensusAddress(v.consensusPubkey)), op);
    const power = this.powerOf(ctx, v);
    if (power > 0n) s.set(powerIndexKey(power, op), new Uint8Array());
    if (v.power > 0n) s.set(lastActiveKey(op), new Uint8Array());
  }
}
