/** @module committee keeper: coordinator candidates, committees by epoch, rotation, receipt-signature checks, dispute slashing. */
import type { Context } from "../../chain-app/context.js";
import { canonicalJson, fromUtf8, readU64be, u64be, utf8 } from "../../chain-app/encoding.js";
import type { KVStore } from "../../chain-app/store/index.js";
import { ed25519Verify } from "../../common/ed25519.js";
import { toBech32Address } from "../../common/secp256k1.js";
import { Candidate, Committee, CommitteeStatus } from "../../proto/gen/dsdn/committee/v1/committee.js";
import { BondKind } from "../../proto/gen/dsdn/stake/v1/stake.js";
import { addressBytesOf } from "../auth/keeper.js";
import { committeeSelectedEvent, disputeSlashEvent } from "./events.js";
import type { StakeKeeper } from "./expectedKeepers.js";
import {
  candidateByIdentityKey,
  candidateKey,
  committeeKey,
  currentEpochKey,
  disputeKey,
  MODULE_NAME,
  Prefix,
  paramsKey,
  selectedAtKey,
} from "./keys.js";
import { type CommitteeParams, defaultCommitteeParams, parseCommitteeParams, thresholdFor } from "./params.js";
import { blockAnchor, committeeHash, deriveEpochSeed, selectCommittee, type WeightedCandidate } from "./selection.js";

const ZERO32 = new Uint8Array(32);

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

  /** Candidates whose validator is bonded, unjailed and has power: weight = validator tokens. */
  eligibleCandidates(ctx: Context): WeightedCandidate[] {
    const out: WeightedCandidate[] = [];
    for (const c of this.candidates(ctx)) {
      const v = this.stake.getValidator(ctx, addressBytesOf(c.operator));
      if (!v || v.jailed || this.stake.powerOf(ctx, v) <= 0n) continue;
      out.push({ operator: c.operator, identityKey: c.identityKey, endpoint: c.endpoint, weight: BigInt(v.tokens) });
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
   * Why evidence against committee `c` is too old now, or undefined. A committee signs valid receipts while it
   * is the current or the previous epoch's; once the epoch two after it is selected it can sign nothing that
   * pays, and from then on evidence against it is accepted for `maxEvidenceAgeSeconds` of block time.
   */
  evidenceAgeProblem(ctx: Context, c: Committee): string | undefined {
    const retiredAt = this.selectedAt(ctx, c.epoch + 2n);
    if (retiredAt === undefined) return undefined;
    const age = ctx.block.timeSeconds - retiredAt;
    const max = this.getParams(ctx).maxEvidenceAgeSeconds;
    return age > max ? `epoch ${c.epoch}'s committee retired ${age}s ago; evidence is accepted for ${max}s` : undefined;
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

  /** Height until which (exclusive) the previous committee stays valid: the current epoch's start + handoff. */
  handoffEnd(ctx: Context): bigint {
    const cur = this.getCommittee(ctx, this.currentEpoch(ctx));
    return cur ? cur.startHeight + this.getParams(ctx).handoffBlocks : 0n;
  }

  /**
   * Begin-block rotation: when no committee exists yet or the current epoch has ended, select the next
   * committee from the eligible candidates. With too few candidates nothing changes and the current
   * committee keeps serving (it is retried every block), so the network never ends up with no committee.
   */
  maybeRotate(ctx: Context): Committee | undefined {
    const p = this.getParams(ctx);
    const h = ctx.block.height;
    const curEpoch = this.currentEpoch(ctx);
    const cur = curEpoch > 0n ? this.getCommittee(ctx, curEpoch) : undefined;
    if (cur && h < cur.endHeight) return undefined;
    const eligible = this.eligibleCandidates(ctx);
    if (BigInt(eligible.length) < p.minCommitteeSize) return undefined;
    const n = eligible.length < Number(p.maxCommitteeSize) ? eligible.length : Number(p.maxCommitteeSize);
    const t = Number(thresholdFor(BigInt(n), p.thresholdPpm));
    const epoch = curEpoch + 1n;
    // The consensus-agreed block hash when finalizing a real block; the header-field digest otherwise
    // (in-process tests that finalize synthetic blocks without a hash).
    const anchor =
      ctx.block.hash && ctx.block.hash.length === 32
        ? ctx.block.hash
        : blockAnchor(ctx.block.chainId, h, ctx.block.timeSeconds, ctx.block.timeNanos, ctx.block.proposer);
    const prevHash = cur?.committeeHash ?? ZERO32;
    const seed = deriveEpochSeed(epoch, anchor, prevHash);
    const members = selectCommittee(seed, eligible, n);
    const hash = committeeHash(epoch, t, members, seed);
    const c = Committee.fromPartial({
      epoch,
      startHeight: h,
      endHeight: h + p.epochBlocks,
      threshold: t,
      members: members.map((m) => ({
        operator: m.operator,
        identityKey: Buffer.from(m.identityKey),
        endpoint: m.endpoint,
        weight: m.weight.toString(),
      })),
      seed: Buffer.from(seed),
      anchor: Buffer.from(anchor),
      prevCommitteeHash: Buffer.from(prevHash),
      committeeHash: Buffer.from(hash),
      status: CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG,
    });
    this.setCommittee(ctx, c);
    this.setCurrentEpoch(ctx, epoch);
    ctx.emit(committeeSelectedEvent(epoch, n, t, seed, hash));
    return c;
  }

  /**
   * The committee whose key receipts of `epoch` verify against at this block: the current committee, or
   * the previous one while the handoff lasts; in both cases only once its DKG result is recorded.
   */
  committeeForReceipt(ctx: Context, epoch: bigint): CommitteeCheck {
    const cur = this.currentEpoch(ctx);
    if (cur === 0n) return { ok: false, reason: "no committee has been selected yet" };
    if (epoch !== cur && epoch + 1n !== cur)
      return { ok: false, reason: `epoch ${epoch} is neither the current epoch ${cur} nor the previous one` };
    if (epoch + 1n === cur && ctx.block.height >= this.handoffEnd(ctx))
      return {
        ok: false,
        reason: `epoch ${epoch}'s committee expired at the end of the handoff (height ${this.handoffEnd(ctx)})`,
      };
    const c = this.getCommittee(ctx, epoch);
    if (!c) return { ok: false, reason: `no committee for epoch ${epoch}` };
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
