/**
 * @module committee keeper: coordinator candidates, committees by epoch, rotation through ECVRF epoch seeds and DKG
 * deadlines, receipt-signature checks, dispute and absence penalties.
 */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readAddrKey, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { ed25519Verify } from "../../common/ed25519.js";
import { toBech32Address } from "../../common/secp256k1.js";
import {
  Candidate,
  CandidatePool,
  Committee,
  CommitteeStatus,
  type Member,
  SeedRequest,
} from "../../proto/gen/dsdn/committee/v1/committee.js";
import { BondKind } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { genesisSeed, producerOrder, redrawSeed, seedAlpha, seedFromOutput, slotAt } from "./epochSeed.js";
import {
  absencePenaltyEvent,
  committeeSelectedEvent,
  disputeSlashEvent,
  dkgReselectedEvent,
  seedRecordedEvent,
  seedRequestedEvent,
} from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import {
  candidateByIdentityKey,
  candidateKey,
  committeeKey,
  currentEpochKey,
  disputeKey,
  excludedThroughKey,
  MODULE_NAME,
  nextPoolKey,
  Prefix,
  paramsKey,
  seedRequestKey,
  selectedAtKey,
  termEndKey,
} from "./keys.js";
import { type CommitteeParams, defaultCommitteeParams, parseCommitteeParams, thresholdFor } from "./params.js";
import { committeeHash, selectCommittee, type WeightedCandidate } from "./selection.js";

const ZERO32 = new Uint8Array(32);
/** Retired committee records pruned per end block at most (bounded work; the rest wait for the next block). */
export const MAX_PRUNED_PER_BLOCK = 16;

function toMember(w: WeightedCandidate): Member {
  return {
    operator: w.operator,
    identityKey: Buffer.from(w.identityKey),
    endpoint: w.endpoint,
    weight: w.weight.toString(),
    vrfPublicKey: Buffer.from(w.vrfPublicKey),
  };
}

function fromMember(m: Member): WeightedCandidate {
  return {
    operator: m.operator,
    identityKey: m.identityKey,
    endpoint: m.endpoint,
    weight: BigInt(m.weight),
    vrfPublicKey: m.vrfPublicKey,
  };
}

/** A committee a receipt may be verified against right now, or why not. */
export type CommitteeCheck = { ok: true; committee: Committee } | { ok: false; reason: string };

export class CommitteeKeeper {
  constructor(private readonly stake: StakeKeeper) {}

  private store(ctx: Context): KVStore {
    return ctx.moduleStore(MODULE_NAME);
  }

  getParams(ctx: Context): CommitteeParams {
    const raw = this.store(ctx).get(paramsKey);
    return raw ? parseCommitteeParams(JSON.parse(fromUtf8(raw))) : defaultCommitteeParams;
  }

  setParams(ctx: Context, p: CommitteeParams): void {
    this.store(ctx).set(paramsKey, utf8(canonicalJson(p)));
  }

  // ---- candidates --------------------------------------------------------------------------------

  getCandidate(ctx: Context, op: Uint8Array): Candidate | undefined {
    const raw = this.store(ctx).get(candidateKey(op));
    return raw ? Candidate.decode(raw) : undefined;
  }

  operatorOfIdentity(ctx: Context, identity: Uint8Array): Uint8Array | undefined {
    return this.store(ctx).get(candidateByIdentityKey(identity));
  }

  setCandidate(ctx: Context, op: Uint8Array, c: Candidate): void {
    const prev = this.getCandidate(ctx, op);
    if (prev) this.store(ctx).delete(candidateByIdentityKey(prev.identityKey));
    this.store(ctx).set(candidateKey(op), Candidate.encode(c).finish());
    this.store(ctx).set(candidateByIdentityKey(c.identityKey), op);
  }

  removeCandidate(ctx: Context, op: Uint8Array): boolean {
    const prev = this.getCandidate(ctx, op);
    if (!prev) return false;
    this.store(ctx).delete(candidateByIdentityKey(prev.identityKey));
    this.store(ctx).delete(candidateKey(op));
    return true;
  }

  /** Candidates in operator-address order. */
  *candidates(ctx: Context): Generator<Candidate> {
    const start = Uint8Array.of(Prefix.Candidate);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Candidate + 1) }))
      yield Candidate.decode(v);
  }

  /**
   * Candidates for `epoch`'s pool: a registered VRF key, a bonded unjailed validator with power, not excluded
   * for an absence; weight = validator tokens.
   */
  eligibleCandidates(ctx: Context, epoch: bigint): WeightedCandidate[] {
    const out: WeightedCandidate[] = [];
    for (const c of this.candidates(ctx)) {
      const op = addressBytesOf(c.operator);
      const v = this.stake.getValidator(ctx, op);
      if (!v || v.jailed || this.stake.powerOf(ctx, v) <= 0n || c.vrfPublicKey.length !== 32) continue;
      if (this.excludedThrough(ctx, op) >= epoch) continue;
      out.push({
        operator: c.operator,
        identityKey: c.identityKey,
        endpoint: c.endpoint,
        weight: BigInt(v.tokens),
        vrfPublicKey: c.vrfPublicKey,
      });
    }
    return out;
  }

  // ---- committees and epochs ----------------------------------------------------------------------

  getCommittee(ctx: Context, epoch: bigint): Committee | undefined {
    const raw = this.store(ctx).get(committeeKey(epoch));
    return raw ? Committee.decode(raw) : undefined;
  }

  /** Stores a committee; the first time an epoch is stored, its selection time is remembered (evidence age). */
  setCommittee(ctx: Context, c: Committee): void {
    this.store(ctx).set(committeeKey(c.epoch), Committee.encode(c).finish());
    if (!this.store(ctx).has(selectedAtKey(c.epoch))) this.setSelectedAt(ctx, c.epoch, ctx.block.timeSeconds);
  }

  /** Block time (seconds) when epoch `epoch`'s committee was first selected, if it was. */
  selectedAt(ctx: Context, epoch: bigint): bigint | undefined {
    const raw = this.store(ctx).get(selectedAtKey(epoch));
    return raw ? readU64be(raw) : undefined;
  }

  setSelectedAt(ctx: Context, epoch: bigint, timeSeconds: bigint): void {
    this.store(ctx).set(selectedAtKey(epoch), u64be(timeSeconds < 0n ? 0n : timeSeconds));
  }

  *selectionTimes(ctx: Context): Generator<{ epoch: bigint; time: bigint }> {
    const start = Uint8Array.of(Prefix.SelectedAt);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.SelectedAt + 1) }))
      yield { epoch: readU64be(k.slice(1)), time: readU64be(v) };
  }

  /**
   * Block time from which committee `epoch` can sign nothing that pays (committeeForReceipt): the end of its
   * retention when its term end is stamped (receipts dated inside its term verify until then), else — a record
   * from before term ends were stamped — the selection of the epoch two after it; undefined while it may sign.
   */
  authorityEnd(ctx: Context, epoch: bigint): bigint | undefined {
    const ended = this.termEnd(ctx, epoch);
    if (ended !== undefined) return ended + this.getParams(ctx).keyRetentionSeconds;
    return this.selectedAt(ctx, epoch + 2n);
  }

  /**
   * Why evidence against committee `c` is too old now, or undefined: evidence is accepted while the committee
   * can sign receipts that pay and for `maxEvidenceAgeSeconds` of block time after (authorityEnd).
   */
  evidenceAgeProblem(ctx: Context, c: Committee): string | undefined {
    const retiredAt = this.authorityEnd(ctx, c.epoch);
    if (retiredAt === undefined) return undefined;
    const age = ctx.block.timeSeconds - retiredAt;
    const max = this.getParams(ctx).maxEvidenceAgeSeconds;
    return age > max ? `epoch ${c.epoch}'s committee retired ${age}s ago; evidence is accepted for ${max}s` : undefined;
  }

  /** Block time when epoch `epoch`'s committee lost its authority (its handoff ended), if it has. */
  termEnd(ctx: Context, epoch: bigint): bigint | undefined {
    const raw = this.store(ctx).get(termEndKey(epoch));
    return raw ? readU64be(raw) : undefined;
  }

  setTermEnd(ctx: Context, epoch: bigint, timeSeconds: bigint): void {
    this.store(ctx).set(termEndKey(epoch), u64be(timeSeconds < 0n ? 0n : timeSeconds));
  }

  *termEnds(ctx: Context): Generator<{ epoch: bigint; time: bigint }> {
    const start = Uint8Array.of(Prefix.TermEnd);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.TermEnd + 1) }))
      yield { epoch: readU64be(k.slice(1)), time: readU64be(v) };
  }

  /**
   * End block of the last block in which the previous committee may sign (the next one is past its handoff):
   * stamps this block's time as the end of its term, so receipts it signed until then stay verifiable after it
   * retired, and none dated later.
   */
  private stampTermEnd(ctx: Context): void {
    const cur = this.currentEpoch(ctx);
    // A pruned record (absent) is never stamped again: that would revive its retention.
    if (cur < 2n || this.termEnd(ctx, cur - 1n) !== undefined || !this.getCommittee(ctx, cur - 1n)) return;
    const end = this.handoffEnd(ctx);
    if (end !== undefined && ctx.block.height + 1n >= end) this.setTermEnd(ctx, cur - 1n, ctx.block.timeSeconds);
  }

  /** End block: stamps the previous committee's term end when its handoff is over, then prunes expired records. */
  endBlock(ctx: Context): void {
    this.stampTermEnd(ctx);
    this.pruneRetired(ctx);
  }

  /**
   * Retired committees whose term ended more than `keyRetentionSeconds` + `maxEvidenceAgeSeconds` of
   * block time ago (they can sign nothing that pays and evidence against them is too old) lose their record (key,
   * members); at most MAX_PRUNED_PER_BLOCK per block, oldest first. Selection times stay: the
   * evidence age limit of younger committees reads them.
   */
  pruneRetired(ctx: Context): void {
    const p = this.getParams(ctx);
    const keep = p.keyRetentionSeconds + p.maxEvidenceAgeSeconds;
    const due: bigint[] = [];
    for (const t of this.termEnds(ctx)) {
      if (due.length >= MAX_PRUNED_PER_BLOCK || t.time + keep >= ctx.block.timeSeconds) break;
      due.push(t.epoch);
    }
    for (const epoch of due) {
      this.store(ctx).delete(committeeKey(epoch));
      this.store(ctx).delete(termEndKey(epoch));
    }
  }

  *committees(ctx: Context): Generator<Committee> {
    const start = Uint8Array.of(Prefix.Committee);
    for (const [, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Committee + 1) }))
      yield Committee.decode(v);
  }

  currentEpoch(ctx: Context): bigint {
    const raw = this.store(ctx).get(currentEpochKey);
    return raw ? readU64be(raw) : 0n;
  }

  setCurrentEpoch(ctx: Context, epoch: bigint): void {
    this.store(ctx).set(currentEpochKey, u64be(epoch));
  }

  // ---- epoch seed requests (epochSeed.ts) ----------------------------------------------------------

  getSeedRequest(ctx: Context): SeedRequest | undefined {
    const raw = this.store(ctx).get(seedRequestKey);
    return raw ? SeedRequest.decode(raw) : undefined;
  }

  setSeedRequest(ctx: Context, r: SeedRequest | undefined): void {
    if (r) this.store(ctx).set(seedRequestKey, SeedRequest.encode(r).finish());
    else this.store(ctx).delete(seedRequestKey);
  }

  getNextPool(ctx: Context): Member[] | undefined {
    const raw = this.store(ctx).get(nextPoolKey);
    return raw ? CandidatePool.decode(raw).members : undefined;
  }

  setNextPool(ctx: Context, members: readonly Member[]): void {
    this.store(ctx).set(nextPoolKey, CandidatePool.encode({ members: [...members] }).finish());
  }

  /** Last epoch whose pool leaves `op` out (0 = never excluded). */
  excludedThrough(ctx: Context, op: Uint8Array): bigint {
    const raw = this.store(ctx).get(excludedThroughKey(op));
    return raw ? readU64be(raw) : 0n;
  }

  setExcludedThrough(ctx: Context, op: Uint8Array, epoch: bigint): void {
    this.store(ctx).set(excludedThroughKey(op), u64be(epoch));
  }

  *exclusions(ctx: Context): Generator<{ operator: Uint8Array; through: bigint }> {
    const start = Uint8Array.of(Prefix.ExcludedThrough);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.ExcludedThrough + 1) }))
      yield { operator: readAddrKey(k, 1).addr, through: readU64be(v) };
  }

  /** The producer whose slot is open at this block's time (slots cycle once every producer had one). */
  designatedProducer(ctx: Context, r: SeedRequest): Member {
    const slot = slotAt(r.openedAt, ctx.block.timeSeconds, this.getParams(ctx).seedSlotSeconds);
    return r.producers[Number(slot % BigInt(r.producers.length))]!;
  }

  /**
   * Begin block: (1) a pending committee past its DKG deadline is re-selected without its absentees; (2) seed
   * producers whose slot passed without a proof are penalised, once each; (3) when the current epoch has ended
   * (or there is no committee yet) a seed request for the next epoch opens. The current committee keeps
   * serving until its successor's key is recorded, so the network never ends up without one.
   */
  beginBlock(ctx: Context): void {
    this.enforceDkgDeadline(ctx);
    this.enforceSeedSlots(ctx);
    this.maybeOpenSeedRequest(ctx);
  }

  private maybeOpenSeedRequest(ctx: Context): SeedRequest | undefined {
    if (this.getSeedRequest(ctx)) return undefined;
    const p = this.getParams(ctx);
    const curEpoch = this.currentEpoch(ctx);
    const cur = curEpoch > 0n ? this.getCommittee(ctx, curEpoch) : undefined;
    if (cur && (ctx.block.height < cur.endHeight || cur.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE))
      return undefined;
    const epoch = curEpoch + 1n;
    const fresh = this.eligibleCandidates(ctx, epoch + 1n).map(toMember);
    // The pool was snapshotted when the previous request opened — before the previous seed (this request's
    // input) existed — so nobody could shape it knowing this epoch's seed. Without one (the first epoch) or
    // when too few of it are still eligible, today's candidates serve.
    const stored = this.getNextPool(ctx);
    const kept = stored ? this.stillEligible(ctx, stored, epoch) : [];
    const pool = BigInt(kept.length) >= p.minCommitteeSize ? kept : this.eligibleCandidates(ctx, epoch).map(toMember);
    if (BigInt(pool.length) < p.minCommitteeSize) return undefined;
    const prevSeed = cur?.seed.length ? new Uint8Array(cur.seed) : genesisSeed(ctx.block.chainId);
    const producers = producerOrder(prevSeed, pool);
    const r = SeedRequest.fromPartial({
      epoch,
      prevSeed: Buffer.from(prevSeed),
      prevCommitteeHash: Buffer.from(cur?.committeeHash ?? ZERO32),
      openedAt: ctx.block.timeSeconds,
      producers,
      penalised: 0,
      pool,
    });
    this.setSeedRequest(ctx, r);
    this.setNextPool(ctx, fresh);
    ctx.emit(seedRequestedEvent(epoch, producers[0]!.operator, pool.length));
    return r;
  }

  /** Members of a snapshotted pool that are still registered, bonded, unjailed and not excluded for `epoch`. */
  private stillEligible(ctx: Context, pool: readonly Member[], epoch: bigint): Member[] {
    const now = new Map(this.eligibleCandidates(ctx, epoch).map((c) => [c.operator, c]));
    return pool.flatMap((m) => {
      const c = now.get(m.operator);
      // Weight and VRF key stay as snapshotted; identity and endpoint follow the registration (DKG reachability).
      return c ? [{ ...m, identityKey: Buffer.from(c.identityKey), endpoint: c.endpoint }] : [];
    });
  }

  private enforceSeedSlots(ctx: Context): void {
    const r = this.getSeedRequest(ctx);
    if (!r) return;
    const slot = slotAt(r.openedAt, ctx.block.timeSeconds, this.getParams(ctx).seedSlotSeconds);
    const due = slot < BigInt(r.producers.length) ? Number(slot) : r.producers.length;
    if (r.penalised >= due) return;
    for (let i = r.penalised; i < due; i++)
      this.penaliseAbsence(ctx, r.producers[i]!.operator, r.epoch, "seed_withheld");
    this.setSeedRequest(ctx, { ...r, penalised: due });
  }

  /**
   * Records the seed of the open request (its ECVRF proof verified by the caller) and selects the committee
   * from the request's pool, without producers that withheld.
   */
  recordSeed(ctx: Context, r: SeedRequest, beta: Uint8Array, proof: Uint8Array, producer: string): Committee {
    const withheld = new Set(r.producers.slice(0, r.penalised).map((m) => m.operator));
    const keep = r.pool.filter((m) => !withheld.has(m.operator));
    const pool = BigInt(keep.length) >= this.getParams(ctx).minCommitteeSize ? keep : r.pool;
    const seed = seedFromOutput(beta);
    this.setSeedRequest(ctx, undefined);
    ctx.emit(seedRecordedEvent(r.epoch, producer, seed));
    return this.draw(ctx, r.epoch, seed, pool, {
      anchor: Buffer.from(seedAlpha(ctx.block.chainId, r.epoch, r.prevSeed)),
      vrfProof: Buffer.from(proof),
      seedProducer: producer,
      prevCommitteeHash: r.prevCommitteeHash,
      dkgAttempt: 0,
      absent: [],
    });
  }

  /** Draws the epoch's committee from `pool` with `seed` and makes it the current, DKG-pending committee. */
  private draw(
    ctx: Context,
    epoch: bigint,
    seed: Uint8Array,
    pool: readonly Member[],
    base: Pick<Committee, "anchor" | "vrfProof" | "seedProducer" | "prevCommitteeHash" | "dkgAttempt" | "absent">,
  ): Committee {
    const p = this.getParams(ctx);
    const h = ctx.block.height;
    const n = pool.length < Number(p.maxCommitteeSize) ? pool.length : Number(p.maxCommitteeSize);
    const t = Number(thresholdFor(BigInt(n), p.thresholdPpm));
    const members = selectCommittee(seed, pool.map(fromMember), n);
    const hash = committeeHash(epoch, t, members, seed);
    const c = Committee.fromPartial({
      ...base,
      epoch,
      startHeight: h,
      endHeight: h + p.epochBlocks,
      threshold: t,
      members: members.map(toMember),
      seed: Buffer.from(seed),
      committeeHash: Buffer.from(hash),
      status: CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG,
      dkgDeadline: ctx.block.timeSeconds + p.dkgTimeoutSeconds,
      dkgPresent: [],
      pool: [...pool],
    });
    this.setCommittee(ctx, c);
    this.setCurrentEpoch(ctx, epoch);
    ctx.emit(committeeSelectedEvent(epoch, n, t, seed, hash));
    return c;
  }

  /**
   * A pending committee whose DKG deadline passed: members that never signalled presence are penalised and
   * dropped from the epoch's pool (penalised once per epoch), and the committee is drawn again from what remains
   * with a seed derived from the recorded one (attempt + 1). With too few left, the same members get a new
   * deadline.
   */
  private enforceDkgDeadline(ctx: Context): void {
    const cur = this.getCommittee(ctx, this.currentEpoch(ctx));
    if (!cur || cur.status !== CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG || cur.dkgDeadline === 0n) return;
    if (ctx.block.timeSeconds < cur.dkgDeadline) return;
    const p = this.getParams(ctx);
    const present = new Set(cur.dkgPresent);
    const absentees = cur.members.filter((m) => !present.has(m.operator)).map((m) => m.operator);
    // At most one absence penalty per member and epoch, however many attempts its absence stalls.
    const fresh = absentees.filter((op) => !cur.absent.includes(op));
    for (const op of fresh) this.penaliseAbsence(ctx, op, cur.epoch, "dkg_absent");
    const absent = [...cur.absent, ...fresh];
    const pool = cur.pool.filter((m) => !absent.includes(m.operator));
    const attempt = cur.dkgAttempt + 1;
    if (BigInt(pool.length) >= p.minCommitteeSize) {
      const c = this.draw(ctx, cur.epoch, redrawSeed(cur.seed, attempt), pool, {
        anchor: cur.anchor,
        vrfProof: cur.vrfProof,
        seedProducer: cur.seedProducer,
        prevCommitteeHash: cur.prevCommitteeHash,
        dkgAttempt: attempt,
        absent,
      });
      ctx.emit(dkgReselectedEvent(cur.epoch, attempt, absentees.length, c.members.length));
      return;
    }
    this.setCommittee(ctx, {
      ...cur,
      dkgAttempt: attempt,
      dkgDeadline: ctx.block.timeSeconds + p.dkgTimeoutSeconds,
      dkgPresent: [],
      absent,
    });
    ctx.emit(dkgReselectedEvent(cur.epoch, attempt, absentees.length, cur.members.length));
  }

  /** Liveness-style penalty: a small slash of the validator bond and exclusion from the next pools. */
  private penaliseAbsence(ctx: Context, operator: string, epoch: bigint, kind: string): void {
    const p = this.getParams(ctx);
    const op = addressBytesOf(operator);
    const amount = this.stake.getValidator(ctx, op)
      ? this.stake.slash(ctx, op, BondKind.BOND_KIND_VALIDATOR, p.slashFractionAbsencePpm)
      : 0n;
    const through = epoch + p.absenceExclusionEpochs;
    if (through > this.excludedThrough(ctx, op)) this.setExcludedThrough(ctx, op, through);
    ctx.emit(absencePenaltyEvent(kind, epoch, operator, amount, through));
  }

  /**
   * Height until which (exclusive) the previous committee stays valid: the handoff counts from the block that
   * recorded the current committee's key; undefined while that key is not recorded (the previous one serves).
   */
  handoffEnd(ctx: Context): bigint | undefined {
    const cur = this.getCommittee(ctx, this.currentEpoch(ctx));
    if (!cur) return 0n;
    if (cur.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE) return undefined;
    return cur.dkgHeight + this.getParams(ctx).handoffBlocks;
  }

  /**
   * The committee whose key a receipt of `epoch` signed at `timestamp` verifies against at this block — one rule
   * for claims (receipts) and challenges (fraud): the current committee, or the previous one until the handoff
   * after the current key is recorded; after that a retired committee's receipt still verifies while its record
   * is retained (keyRetentionSeconds after its term) and only if its timestamp lies inside its term (from its
   * selection to the end of its handoff), so a retired key cannot sign new receipts that pay. In every case only
   * once the committee's DKG result is recorded.
   */
  committeeForReceipt(ctx: Context, epoch: bigint, timestamp: bigint): CommitteeCheck {
    const cur = this.currentEpoch(ctx);
    if (cur === 0n) return { ok: false, reason: "no committee has been selected yet" };
    if (epoch > cur || epoch === 0n) return { ok: false, reason: `epoch ${epoch} has not begun (current ${cur})` };
    const end = this.handoffEnd(ctx);
    const live = epoch === cur || (epoch + 1n === cur && (end === undefined || ctx.block.height < end));
    const c = this.getCommittee(ctx, epoch);
    if (!c)
      return {
        ok: false,
        reason: `no committee record for epoch ${epoch} (a retired committee's receipts are accepted for keyRetentionSeconds ${this.getParams(ctx).keyRetentionSeconds}s after its term, then its record is pruned)`,
      };
    if (!live) {
      const ended = this.termEnd(ctx, epoch);
      if (ended === undefined)
        return { ok: false, reason: `epoch ${epoch}'s committee expired at the end of the handoff (no term recorded)` };
      if (timestamp > ended)
        return {
          ok: false,
          reason: `epoch ${epoch}'s committee expired at the end of the handoff (block time ${ended}); a receipt timestamped ${timestamp} is after its term`,
        };
      const until = ended + this.getParams(ctx).keyRetentionSeconds;
      if (ctx.block.timeSeconds > until)
        return {
          ok: false,
          reason: `epoch ${epoch}'s committee retired: its receipts were accepted until block time ${until} (keyRetentionSeconds ${this.getParams(ctx).keyRetentionSeconds}s after its term)`,
        };
      const start = this.selectedAt(ctx, epoch);
      if (start !== undefined && timestamp < start)
        return { ok: false, reason: `receipt timestamped ${timestamp}, before epoch ${epoch}'s term began (${start})` };
    }
    if (c.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE)
      return { ok: false, reason: `epoch ${epoch}'s committee has no recorded group key yet` };
    return { ok: true, committee: c };
  }

  /** Why `signers` is not a valid signer list for `c` (t..n increasing indexes in 1..n), or undefined. */
  signerProblem(c: Committee, signers: readonly number[]): string | undefined {
    const n = c.members.length;
    if (signers.length < c.threshold) return `${signers.length} signers named, the committee needs ${c.threshold}`;
    if (signers.some((s, i) => s < 1 || s > n || (i > 0 && s <= signers[i - 1]!)))
      return `signers must be increasing member indexes in 1..${n}`;
    return undefined;
  }

  /** The aggregate signature check: a plain Ed25519 verification under the committee's group key (gas-metered). */
  verifyGroupSignature(ctx: Context, c: Committee, message: Uint8Array, signature: Uint8Array): boolean {
    ctx.gas.consume(this.getParams(ctx).sigVerifyCostEd25519, "committee group signature");
    return (
      c.groupPublicKey.length === 32 && signature.length === 64 && ed25519Verify(signature, message, c.groupPublicKey)
    );
  }

  // ---- disputes -------------------------------------------------------------------------------------

  hasDispute(ctx: Context, hash: Uint8Array): boolean {
    return this.store(ctx).has(disputeKey(hash));
  }

  setDispute(ctx: Context, hash: Uint8Array, height: bigint): void {
    this.store(ctx).set(disputeKey(hash), u64be(height));
  }

  *disputes(ctx: Context): Generator<{ hash: Uint8Array; height: bigint }> {
    const start = Uint8Array.of(Prefix.Dispute);
    for (const [k, v] of this.store(ctx).iterate({ start, end: Uint8Array.of(Prefix.Dispute + 1) }))
      yield { hash: k.slice(1), height: readU64be(v) };
  }

  /**
   * Slashes the validator bonds behind the given member indexes (1-based) by the dispute fraction and
   * jails them (out of the next selection). Returns who was slashed and the total taken.
   */
  slashMembers(
    ctx: Context,
    c: Committee,
    indexes: readonly number[],
    kind: string,
  ): { operators: string[]; total: bigint } {
    const ppm = this.getParams(ctx).slashFractionDisputePpm;
    const operators: string[] = [];
    let total = 0n;
    for (const i of [...new Set(indexes)].sort((a, b) => a - b)) {
      const m = c.members[i - 1];
      if (!m) continue;
      const op = addressBytesOf(m.operator);
      if (!this.stake.getValidator(ctx, op)) continue;
      const amount = this.stake.slash(ctx, op, BondKind.BOND_KIND_VALIDATOR, ppm);
      this.stake.jail(ctx, op);
      operators.push(toBech32Address(op));
      total += amount;
      ctx.emit(disputeSlashEvent(kind, c.epoch, m.operator, amount));
    }
    return { operators, total };
  }
}
