/** @module slashing keeper: signing info and missed-block bitmap, offence records, validator and node penalties. */
import type { Misbehavior, VoteInfo } from "cosmjs-types/tendermint/abci/types";
import { BlockIDFlag } from "cosmjs-types/tendermint/types/validator";
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, prefixEnd, readAddrKey, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { type Offence, SigningInfo, SlashingRecord } from "../../proto/gen/dsdn/slashing/v1/slashing.js";
import { BondKind, type Validator } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { SlashingErrors } from "./errors.js";
import { jailEvent, livenessEvent, slashValidatorEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import {
  evidenceKey,
  MODULE_NAME,
  missedKey,
  missedPrefix,
  Prefix,
  paramsKey,
  recordKey,
  signingInfoKey,
} from "./keys.js";
import { defaultSlashingParams, parseSlashingParams, type SlashingParams } from "./params.js";

export const OffenceKind = {
  DoubleSign: "double_sign",
  Downtime: "downtime",
  Liveness: "liveness",
  DataCorruption: "data_corruption",
  ComputeFraud: "compute_fraud",
  OracleMiss: "oracle_miss",
} as const;

/** Node offences that count toward the repeated-malice ban (liveness failures do not). */
export const MALICIOUS: ReadonlySet<string> = new Set([OffenceKind.DataCorruption, OffenceKind.ComputeFraud]);

const JAIL_FOREVER = 253_402_300_799n; // 9999-12-31T23:59:59Z, as x/evidence does for tombstones

export class SlashingKeeper {
  constructor(private readonly stake: StakeKeeper) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): SlashingParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseSlashingParams(JSON.parse(fromUtf8(raw))) : defaultSlashingParams;
  }

  setParams(ctx: Context, p: SlashingParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  getSigningInfo(ctx: Context, cons: Uint8Array): SigningInfo | undefined {
    const raw = this.store(ctx).get(signingInfoKey(cons));
    return raw ? SigningInfo.decode(raw) : undefined;
  }

  setSigningInfo(ctx: Context, cons: Uint8Array, info: SigningInfo): void {
    this.store(ctx).set(signingInfoKey(cons), SigningInfo.encode(info).finish());
  }

  *signingInfos(ctx: Context): Generator<[Uint8Array, SigningInfo]> {
    const start = Uint8Array.of(Prefix.SigningInfo);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.SigningInfo + 1) }))
      yield [readAddrKey(k, 1).addr, SigningInfo.decode(v)];
  }

  /** Missed slots of a validator's window (ascending). */
  missedIndices(ctx: Context, cons: Uint8Array): bigint[] {
    const p = missedPrefix(cons);
    const out: bigint[] = [];
    for (const [k] of this.store(ctx).iterate({ start: p, end: prefixEnd(p) }))
      out.push(new DataView(k.buffer, k.byteOffset + p.length, 8).getBigUint64(0));
    return out;
  }

  setMissed(ctx: Context, cons: Uint8Array, index: bigint): void {
    this.store(ctx).set(missedKey(cons, index), new Uint8Array());
  }

  private clearMissed(ctx: Context, cons: Uint8Array): void {
    for (const i of this.missedIndices(ctx, cons)) this.store(ctx).delete(missedKey(cons, i));
  }

  getRecord(ctx: Context, addr: Uint8Array): SlashingRecord | undefined {
    const raw = this.store(ctx).get(recordKey(addr));
    return raw ? SlashingRecord.decode(raw) : undefined;
  }

  setRecord(ctx: Context, addr: Uint8Array, r: SlashingRecord): void {
    this.store(ctx).set(recordKey(addr), SlashingRecord.encode(r).finish());
  }

  *records(ctx: Context): Generator<SlashingRecord> {
    const start = Uint8Array.of(Prefix.Record);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Record + 1) }))
      yield SlashingRecord.decode(v);
  }

  hasEvidence(ctx: Context, hash: Uint8Array): boolean {
    return this.store(ctx).has(evidenceKey(hash));
  }

  setEvidence(ctx: Context, hash: Uint8Array, height: bigint): void {
    this.store(ctx).set(evidenceKey(hash), u64be(height));
  }

  *evidence(ctx: Context): Generator<{ hash: Uint8Array; height: bigint }> {
    const start = Uint8Array.of(Prefix.Evidence);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Evidence + 1) }))
      yield { hash: k.slice(1), height: new DataView(v.buffer, v.byteOffset, 8).getBigUint64(0) };
  }

  /**
   * Appends an offence to an address's record, drops offences older than the malice window, and
   * returns the record and how many malicious node offences fall inside the window.
   */
  recordOffence(ctx: Context, addr: Uint8Array, o: Offence): { record: SlashingRecord; maliciousInWindow: bigint } {
    const p = this.getParams(ctx);
    const now = ctx.block.timeSeconds;
    const cur = this.getRecord(ctx, addr) ?? SlashingRecord.fromPartial({ totalSlashed: "0" });
    const horizon = now - p.maliceWindowSeconds;
    const offences = [...cur.offences, o].filter((x) => x.time >= horizon);
    const record: SlashingRecord = {
      ...cur,
      address: toBech32Address(addr),
      offences,
      totalSlashed: (BigInt(cur.totalSlashed || "0") + BigInt(o.slashed)).toString(),
    };
    this.setRecord(ctx, addr, record);
    return { record, maliciousInWindow: countMalicious(record, now, p) };
  }

  // ---- validators ------------------------------------------------------------------------------

  /** Double-sign evidence from CometBFT: slash, jail and tombstone (never again in the set). */
  handleMisbehavior(ctx: Context, m: Misbehavior): void {
    const cons = m.validator.address;
    const v = this.stake.getValidatorByConsAddr(ctx, cons);
    if (!v) return; // not a stake-managed validator (e.g. a genesis.json-only one)
    const info = this.getSigningInfo(ctx, cons) ?? this.newSigningInfo(ctx, v);
    if (info.tombstoned) return; // already punished for double signing
    const op = addressBytesOf(v.operator);
    const p = this.getParams(ctx);
    // CometBFT already bounds evidence age by its consensus params; this is the app's own bound.
    if (m.height > ctx.block.height || ctx.block.height - m.height > p.maxEvidenceAgeBlocks) return;
    // The evidence carries the power the validator had at the infraction: slash that, no more.
    const slashed = this.stake.slash(ctx, op, BondKind.BOND_KIND_VALIDATOR, p.slashFractionDoubleSignPpm, {
      height: m.height,
      bonded: m.validator.power * this.stake.powerReduction(ctx),
    });
    this.stake.jail(ctx, op);
    this.setSigningInfo(ctx, cons, { ...info, tombstoned: true, jailedUntil: JAIL_FOREVER });
    this.recordOffence(ctx, op, {
      height: m.height,
      time: ctx.block.timeSeconds,
      kind: OffenceKind.DoubleSign,
      slashed: slashed.toString(),
      evidenceHash: Buffer.alloc(0),
    });
    ctx.emit(slashValidatorEvent(v.consensusAddress, v.operator, OffenceKind.DoubleSign, slashed));
    ctx.emit(jailEvent(v.consensusAddress, JAIL_FOREVER));
  }

  private newSigningInfo(ctx: Context, v: Validator): SigningInfo {
    return SigningInfo.fromPartial({
      consensusAddress: v.consensusAddress,
      startHeight: ctx.block.height,
      indexOffset: 0n,
      missedBlocksCounter: 0n,
      jailedUntil: 0n,
      tombstoned: false,
    });
  }

  /** One vote of the decided last commit: the sliding-window liveness rule of x/slashing. */
  handleVote(ctx: Context, vote: VoteInfo): void {
    const cons = vote.validator.address;
    const v = this.stake.getValidatorByConsAddr(ctx, cons);
    if (!v || v.jailed) return;
    const p = this.getParams(ctx);
    const info = this.getSigningInfo(ctx, cons) ?? this.newSigningInfo(ctx, v);
    const window = p.signedBlocksWindow;
    const index = info.indexOffset % window;
    const missed = vote.blockIdFlag === BlockIDFlag.BLOCK_ID_FLAG_ABSENT;
    const was = this.store(ctx).has(missedKey(cons, index));
    let counter = info.missedBlocksCounter;
    if (missed && !was) {
      this.setMissed(ctx, cons, index);
      counter++;
    } else if (!missed && was) {
      this.store(ctx).delete(missedKey(cons, index));
      counter--;
    }
    let next: SigningInfo = { ...info, indexOffset: info.indexOffset + 1n, missedBlocksCounter: counter };
    if (missed) ctx.emit(livenessEvent(v.consensusAddress, counter, ctx.block.height));
    const minSigned = (window * p.minSignedPerWindowPpm) / 1_000_000n;
    const maxMissed = window - minSigned;
    // Only judge once a full window has been observed since the validator (re)started signing.
    if (ctx.block.height > info.startHeight + window && counter > maxMissed) {
      const op = addressBytesOf(v.operator);
      // The missed block that tipped the window was the previous one (as the SDK's height - 2).
      const slashed = this.stake.slash(ctx, op, BondKind.BOND_KIND_VALIDATOR, p.slashFractionDowntimePpm, {
        height: ctx.block.height > 2n ? ctx.block.height - 2n : 1n,
      });
      this.stake.jail(ctx, op);
      const until = ctx.block.timeSeconds + p.downtimeJailSeconds;
      this.clearMissed(ctx, cons);
      next = { ...next, jailedUntil: until, missedBlocksCounter: 0n, indexOffset: 0n };
      this.recordOffence(ctx, op, {
        height: ctx.block.height,
        time: ctx.block.timeSeconds,
        kind: OffenceKind.Downtime,
        slashed: slashed.toString(),
        evidenceHash: Buffer.alloc(0),
      });
      ctx.emit(slashValidatorEvent(v.consensusAddress, v.operator, OffenceKind.Downtime, slashed));
      ctx.emit(jailEvent(v.consensusAddress, until));
    }
    this.setSigningInfo(ctx, cons, next);
  }

  /**
   * The oracle's penalty for a validator that reported too few valid prices in a slash window: slash
   * `fractionPpm` of its bond now, and jail it `jailSeconds` (0 = stays in the set), unjailable by
   * MsgUnjail after that as for downtime. Jailed or tombstoned validators are skipped (undefined).
   */
  punishOracleMiss(
    ctx: Context,
    cons: Uint8Array,
    fractionPpm: bigint,
    jailSeconds: bigint,
  ): { slashed: bigint; jailedUntil: bigint } | undefined {
    const v = this.stake.getValidatorByConsAddr(ctx, cons);
    if (!v || v.jailed) return undefined;
    const info = this.getSigningInfo(ctx, cons) ?? this.newSigningInfo(ctx, v);
    if (info.tombstoned) return undefined;
    const op = addressBytesOf(v.operator);
    const slashed =
      fractionPpm > 0n
        ? this.stake.slash(ctx, op, BondKind.BOND_KIND_VALIDATOR, fractionPpm, { height: ctx.block.height })
        : 0n;
    let jailedUntil = 0n;
    if (jailSeconds > 0n) {
      this.stake.jail(ctx, op);
      jailedUntil = ctx.block.timeSeconds + jailSeconds;
      this.setSigningInfo(ctx, cons, { ...info, jailedUntil });
      ctx.emit(jailEvent(v.consensusAddress, jailedUntil));
    }
    this.recordOffence(ctx, op, {
      height: ctx.block.height,
      time: ctx.block.timeSeconds,
      kind: OffenceKind.OracleMiss,
      slashed: slashed.toString(),
      evidenceHash: Buffer.alloc(0),
    });
    ctx.emit(slashValidatorEvent(v.consensusAddress, v.operator, OffenceKind.OracleMiss, slashed));
    return { slashed, jailedUntil };
  }

  /** Unjails after the jail period; tombstoned validators never return. The window restarts. */
  unjail(ctx: Context, op: Uint8Array, v: Validator): void {
    const cons = Buffer.from(v.consensusAddress, "hex");
    const info = this.getSigningInfo(ctx, cons);
    if (info?.tombstoned) throw SlashingErrors.Tombstoned;
    // CheckTx contexts carry no block time (0): leave the jail-period decision to FinalizeBlock then.
    const timeKnown = ctx.block.timeSeconds > 0n || ctx.mode === "finalize";
    if (info && timeKnown && info.jailedUntil > ctx.block.timeSeconds)
      throw SlashingErrors.StillJailed.wrap(`jailed until ${info.jailedUntil} (block time ${ctx.block.timeSeconds})`);
    this.stake.unjail(ctx, op);
    if (info) {
      this.clearMissed(ctx, cons);
      this.setSigningInfo(ctx, cons, {
        ...info,
        startHeight: ctx.block.height,
        indexOffset: 0n,
        missedBlocksCounter: 0n,
      });
    }
  }
}

export function countMalicious(r: SlashingRecord, now: bigint, p: SlashingParams): bigint {
  const horizon = now - p.maliceWindowSeconds;
  return BigInt(r.offences.filter((o) => MALICIOUS.has(o.kind) && o.time >= horizon).length);
}
