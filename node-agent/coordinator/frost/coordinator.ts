/**
 * @module The orchestrator side of FROST (any committee member may drive it): runs a DKG across all n
 * members, and signing sessions with t of them — verifying every reply, naming any member that misbehaves.
 */
import { randomBytes } from "node:crypto";
import type { Ed25519KeyPair } from "../../../common/ed25519.js";
import { nativeVerify } from "../../../common/ed25519Native.js";
import { InvalidArgumentError, isBaseError } from "../../../common/errors.js";
import { SignedTypes } from "../../../common/frost/auth.js";
import { makeMessage } from "../../../common/frost/bytes.js";
import { type CommitteeSpec, memberIndex, validateCommittee } from "../../../common/frost/committee.js";
import { type FrostGroupInfo, groupInfoFromResult, groupKeyHex } from "../../../common/frost/group.js";
import { bytesEqual, sha256, toHex } from "../../../common/hash.js";
import { decodeMessage, encodeMessage } from "../../../common/protobuf.js";
import {
  DkgRequest,
  DkgResult,
  DkgRound1,
  DkgRound1Bundle,
  type DkgRound2,
  DkgRound2Bundle,
  PreprocessRequest,
  PreprocessResponse,
  SignatureShare,
  SignCommitment,
  SignedReceipt,
  SignPackage,
  SignRequest,
} from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostInvalidShareError, FrostProtocolError, FrostUnavailableError } from "./errors.js";
import { signMessage, verifyMessage } from "./nativeAuth.js";
import { MAX_PREPROCESS_BATCH } from "./noncePool.js";
import type { FrostRpc, PeerTransport } from "./rpc.js";
import * as M from "./signMath.js";
import type { StageTimer } from "./stages.js";

/** Commitments the orchestrator keeps per member and group at most. */
const MAX_POOLED_PER_MEMBER = 256;
/** Nonce pairs asked of a member per background refill by default: a few at a time, so no refill is a long stall. */
const DEFAULT_REFILL_BATCH = 4;
/** After a member fails, its pool is not refilled for this long (ms). */
const RETRY_DOWN_MS = 5000;

export interface FrostCoordinatorOptions {
  /** The orchestrator's identity key; it must belong to the committee it drives. */
  readonly identity: Ed25519KeyPair;
  readonly transport: PeerTransport;
  /** Per-call deadline (ms). A member that does not answer in time counts as down. Default 5000. */
  readonly timeoutMs?: number;
  /** Session lifetime members accept (ms). Default 60 000. */
  readonly sessionMs?: number;
  readonly now?: () => number;
  /**
   * Preprocessed nonce commitments to keep pooled per member for one-round signing (≤ 256). Whenever a member's
   * pool has room for a refill batch, it is topped up in the background one batch at a time. 0 (default): always
   * two rounds.
   */
  readonly preprocess?: number;
  /**
   * Nonce pairs per background refill request (1..64, default 4): small batches spread the refill's work — the
   * member's nonce generation and fsync, everyone's point checks — across signings instead of stalling one.
   */
  readonly refillBatch?: number;
}

export interface DkgOutcome {
  readonly sessionId: Uint8Array;
  readonly group: FrostGroupInfo;
  /** Every member's signed DkgResult (all agree), in participant order: what the chain records. */
  readonly results: readonly DkgResult[];
}

export interface SignOptions {
  readonly group: FrostGroupInfo;
  readonly message: Uint8Array;
  /** Exactly these participants (1-based, >= t) must sign; default: the first t members to answer. */
  readonly signers?: readonly number[];
  /**
   * "each" (default): verify every share against its signer's verifying share before aggregating.
   * "on-failure": aggregate first and verify shares only if the aggregate does not verify (frost-rs'
   * cheater detection) — same signer named on a bad share, about t share checks cheaper when all is well.
   */
  readonly shareCheck?: "each" | "on-failure";
  /** Marks each stage of this signing (benchmarks: where the time goes). */
  readonly timer?: StageTimer;
}

export interface SignOutcome {
  readonly receipt: SignedReceipt;
  /** 64-byte Ed25519 signature of the message under group.groupPublicKey. */
  readonly signature: Uint8Array;
  readonly signerIndexes: readonly number[];
}

interface Failure {
  readonly index: number;
  readonly reason: string;
}

function describe(fails: readonly Failure[]): string {
  return fails.map((f) => `participant ${f.index}: ${f.reason}`).join("; ");
}

function reasonOf(e: unknown): string {
  return isBaseError(e) ? e.shortMessage : ((e as Error)?.message ?? String(e));
}

export class FrostCoordinator {
  readonly #o: FrostCoordinatorOptions;
  readonly #timeout: number;
  readonly #sessionMs: number;
  readonly #now: () => number;
  readonly #target: number;
  readonly #step: number;
  readonly #pools = new Map<string, Map<number, SignCommitment[]>>(); // group key hex -> member -> commitments
  readonly #refilling = new Set<string>();
  readonly #down = new Map<string, number>();

  constructor(opts: FrostCoordinatorOptions) {
    this.#o = opts;
    this.#target = Math.max(0, Math.min(opts.preprocess ?? 0, MAX_POOLED_PER_MEMBER));
    const step = opts.refillBatch ?? DEFAULT_REFILL_BATCH;
    this.#step = Math.max(1, Math.min(step, MAX_PREPROCESS_BATCH, this.#target || 1));
    this.#timeout = opts.timeoutMs ?? 5000;
    this.#sessionMs = opts.sessionMs ?? 60_000;
    this.#now = opts.now ?? Date.now;
  }

  /** Runs a full DKG: every member must take part. Returns the group key once all n results agree. */
  async runDkg(spec: CommitteeSpec): Promise<DkgOutcome> {
    validateCommittee(spec);
    const members = spec.members;
    const n = members.length;
    if (memberIndex(members, this.#o.identity.publicKey) === 0) {
      throw new InvalidArgumentError("the orchestrator must be a member of the committee");
    }
    const sessionId = new Uint8Array(randomBytes(32));
    const request = signMessage(
      SignedTypes.DkgRequest,
      {
        sessionId,
        epoch: spec.epoch,
        threshold: spec.threshold,
        members: [...members],
        expiresAtMs: BigInt(this.#now() + this.#sessionMs),
      },
      this.#o.identity,
    );
    const all = members.map((_, i) => i + 1);

    // Round 1: public commitments from everyone.
    const r1 = await this.#callAll(members, all, "dkg/start", encodeMessage(DkgRequest, request), (idx, bytes) => {
      const p = decodeMessage(DkgRound1, bytes, "DkgRound1");
      verifyMessage(SignedTypes.DkgRound1, p, members[idx - 1]);
      if (p.participantIndex !== idx || !bytesEqual(p.sessionId, sessionId) || p.epoch !== spec.epoch) {
        throw new FrostProtocolError("round-1 package for another index, session or epoch");
      }
      return p;
    });
    const round1Bundle = encodeMessage(DkgRound1Bundle, makeMessage(DkgRound1Bundle, { sessionId, packages: r1 }));

    // Round 2: each member returns n−1 encrypted shares; route each to its recipient.
    const r2 = await this.#callAll(members, all, "dkg/round1", round1Bundle, (idx, bytes) => {
      const b = decodeMessage(DkgRound2Bundle, bytes, "DkgRound2Bundle");
      const to = new Set<number>();
      for (const p of b.packages) {
        verifyMessage(SignedTypes.DkgRound2, p, members[idx - 1]);
        const j = p.recipientIndex;
        if (p.senderIndex !== idx || j < 1 || j > n || j === idx || to.has(j) || !bytesEqual(p.sessionId, sessionId)) {
          throw new FrostProtocolError("malformed round-2 bundle");
        }
        to.add(j);
      }
      if (to.size !== n - 1) throw new FrostProtocolError(`expected ${n - 1} round-2 packages, got ${to.size}`);
      return b.packages;
    });
    const inbox: DkgRound2[][] = members.map(() => []);
    for (const pkgs of r2) for (const p of pkgs) inbox[p.recipientIndex - 1]!.push(p);

    // Round 3: each member checks its shares, stores its key share, and signs the result.
    const results: DkgResult[] = new Array(n);
    await Promise.all(
      all.map(async (idx) => {
        const body = encodeMessage(
          DkgRound2Bundle,
          makeMessage(DkgRound2Bundle, { sessionId, packages: inbox[idx - 1]! }),
        );
        const [res] = await this.#callAll(members, [idx], "dkg/round2", body, (i, bytes) => {
          const r = decodeMessage(DkgResult, bytes, "DkgResult");
          verifyMessage(SignedTypes.DkgResult, r, members[i - 1]);
          return r;
        });
        results[idx - 1] = res!;
      }),
    );
    const ref = results[0]!;
    const key = (r: DkgResult) =>
      toHex(
        encodeMessage(
          DkgResult,
          makeMessage(DkgResult, { ...r, sender: new Uint8Array(0), signature: new Uint8Array(0) }),
        ),
      );
    const counts = new Map<string, number>();
    for (const r of results) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
    const majority = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    const dissent = results.map((r, i) => (key(r) === majority ? 0 : i + 1)).filter((i) => i > 0);
    if (dissent.length > 0) {
      throw new FrostProtocolError(`DKG results disagree: participants ${dissent.join(", ")} differ from the rest`);
    }
    const expected = makeMessage(DkgResult, {
      sessionId,
      epoch: spec.epoch,
      threshold: spec.threshold,
      members: [...members],
      groupPublicKey: ref.groupPublicKey,
      verifyingShares: ref.verifyingShares,
      commitments: ref.commitments,
      sender: new Uint8Array(0),
      signature: new Uint8Array(0),
    });
    if (key(ref) !== key(expected) || ref.verifyingShares.length !== n || ref.groupPublicKey.length !== 32) {
      throw new FrostProtocolError("DKG result does not describe the requested committee");
    }
    return { sessionId, group: groupInfoFromResult(ref), results };
  }

  /**
   * Threshold-signs `message`. With preprocessing on and t members' commitments pooled, one round trip:
   * SignPackage (request + pooled commitments) → t shares. Otherwise, or when a chosen member does not
   * answer, two: SignRequest → the first t commitments → SignPackage → shares. Shares are checked in one
   * multi-scalar multiplication (one by one only to name a culprit), then aggregated and verified.
   */
  async sign(opts: SignOptions): Promise<SignOutcome> {
    const { group } = opts;
    const members = group.members;
    const n = members.length;
    const t = group.threshold;
    const candidates = opts.signers ? [...opts.signers] : members.map((_, i) => i + 1);
    if (new Set(candidates).size !== candidates.length || candidates.some((i) => i < 1 || i > n)) {
      throw new InvalidArgumentError(`signers must be distinct indexes in 1..${n}`);
    }
    if (candidates.length < t) throw new InvalidArgumentError(`need at least ${t} signers, got ${candidates.length}`);
    const need = opts.signers ? candidates.length : t;
    if (memberIndex(members, this.#o.identity.publicKey) === 0) {
      throw new InvalidArgumentError("the orchestrator must be a member of the committee");
    }
    if (this.#target > 0) {
      const pooled = this.#takePooled(group, candidates, need);
      try {
        if (pooled) {
          const request = this.#request(opts);
          opts.timer?.mark("request");
          return await this.#finish(opts, request, pooled);
        }
      } catch (e) {
        if (!(e instanceof FrostUnavailableError)) throw e;
        // A chosen member did not answer: forget its pool for a while and fall back to asking who is up.
        const failed = (e.meta?.failed as number[] | undefined) ?? [];
        for (const i of failed) this.#markDown(group, i);
      } finally {
        this.#refill(group);
      }
    }
    const request = this.#request(opts);
    opts.timer?.mark("request");
    const digest = sha256(opts.message);
    // Round 1: first `need` valid commitments win; the rest of the nonces simply expire unused.
    const commitments = await this.#firstN(
      members,
      candidates,
      need,
      "sign/commit",
      encodeMessage(SignRequest, request),
      (idx, bytes) => {
        const c = decodeMessage(SignCommitment, bytes, "SignCommitment");
        verifyMessage(SignedTypes.SignCommitment, c, members[idx - 1]);
        if (c.participantIndex !== idx || !bytesEqual(c.sessionId, request.sessionId) || c.epoch !== group.epoch) {
          throw new FrostProtocolError("commitment for another index, session or epoch");
        }
        if (!bytesEqual(c.messageHash, digest)) throw new FrostProtocolError("commitment names another message");
        return c;
      },
    );
    opts.timer?.mark("commitments");
    return this.#finish(opts, request, commitments);
  }

  /**
   * Preprocessing: asks every member for `count` nonce commitments for this group and pools the valid ones
   * (signed by that member, for this epoch, points in the prime-order subgroup). Members that fail are
   * skipped. Returns how many commitments each member (1-based) now has pooled.
   */
  async preprocess(
    group: FrostGroupInfo,
    count = Math.min(this.#target, MAX_PREPROCESS_BATCH) || 16,
  ): Promise<number[]> {
    const members = group.members;
    await Promise.all(members.map((_, k) => this.#preprocessMember(group, k + 1, count).catch(() => undefined)));
    const pool = this.#poolOf(group);
    return members.map((_, k) => pool.get(k + 1)?.length ?? 0);
  }

  /** Asks member `idx` for `count` commitments; pools and announces the valid ones; returns how many it pooled. */
  async #preprocessMember(group: FrostGroupInfo, idx: number, count: number): Promise<number> {
    const members = group.members;
    const req = signMessage(
      SignedTypes.PreprocessRequest,
      {
        sessionId: new Uint8Array(randomBytes(32)),
        epoch: group.epoch,
        groupPublicKey: group.groupPublicKey,
        count,
        expiresAtMs: BigInt(this.#now() + this.#sessionMs),
      },
      this.#o.identity,
    );
    const reply = await this.#o.transport.call(
      members[idx - 1]!,
      "sign/preprocess",
      encodeMessage(PreprocessRequest, req),
      this.#timeout,
    );
    const res = decodeMessage(PreprocessResponse, reply, "PreprocessResponse");
    if (res.commitments.length > count) throw new FrostProtocolError("more commitments than asked for");
    const fresh: SignCommitment[] = [];
    for (const c of res.commitments) {
      verifyMessage(SignedTypes.SignCommitment, c, members[idx - 1]);
      if (c.participantIndex !== idx || c.epoch !== group.epoch || !bytesEqual(c.sessionId, req.sessionId)) {
        throw new FrostProtocolError("preprocessed commitment for another index, epoch or request");
      }
      if (c.messageHash.length !== 0) throw new FrostProtocolError("preprocessed commitment bound to a message");
      fresh.push(c);
    }
    // Off the signing path, one commitment per turn of the event loop: later signings find the points validated,
    // and a signing under way meanwhile is held up by one check at most. Pooled only once all are valid.
    await M.validateInTurns(fresh).catch((e: Error) => {
      throw new FrostProtocolError(`preprocessed ${e.message}`);
    });
    const pool = this.#poolOf(group);
    pool.set(idx, [...(pool.get(idx) ?? []), ...fresh].slice(-MAX_POOLED_PER_MEMBER));
    this.#down.delete(`${groupKeyHex(group)}:${idx}`);
    await this.#announce(group, idx, fresh);
    return fresh.length;
  }

  /**
   * Relays member `idx`'s new commitments to the other members, who validate their points now rather than while
   * signing (the subgroup checks were most of a signer's CPU). Best effort: a member that misses it checks them
   * when it signs.
   */
  async #announce(group: FrostGroupInfo, idx: number, fresh: readonly SignCommitment[]): Promise<void> {
    if (fresh.length === 0) return;
    const body = encodeMessage(PreprocessResponse, makeMessage(PreprocessResponse, { commitments: [...fresh] }));
    await Promise.allSettled(
      group.members
        .map((m, k) => ({ m, i: k + 1 }))
        .filter(({ i }) => i !== idx)
        .map(({ m }) => this.#o.transport.call(m, "sign/announce", body, this.#timeout)),
    );
  }

  #poolOf(group: FrostGroupInfo): Map<number, SignCommitment[]> {
    const key = groupKeyHex(group);
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Map();
      this.#pools.set(key, pool);
    }
    return pool;
  }

  /**
   * One pooled commitment from each of `need` candidates (all of them when signers were named), or undefined.
   * The fullest pools go first (ties: candidate order), so spending — and refilling — rotates over every member
   * rather than draining the same t.
   */
  #takePooled(group: FrostGroupInfo, candidates: readonly number[], need: number): SignCommitment[] | undefined {
    const pool = this.#poolOf(group);
    const left = (i: number) => pool.get(i)?.length ?? 0;
    const ready = candidates.filter((i) => left(i) > 0).sort((x, y) => left(y) - left(x));
    if (ready.length < need) return undefined;
    // Each commitment leaves the pool for good, whatever happens to this signing: it is never offered twice.
    return ready.slice(0, need).map((i) => pool.get(i)!.shift()!);
  }

  #markDown(group: FrostGroupInfo, idx: number): void {
    this.#poolOf(group).delete(idx);
    this.#down.set(`${groupKeyHex(group)}:${idx}`, this.#now());
  }

  /**
   * Tops up, in the background, every member whose pool has room for a refill batch: one batch in flight per
   * member, the next asked for as soon as one lands, until the pool is full (members that failed wait).
   */
  #refill(group: FrostGroupInfo): void {
    const pool = this.#poolOf(group);
    const gk = groupKeyHex(group);
    group.members.forEach((_, k) => {
      const idx = k + 1;
      const key = `${gk}:${idx}`;
      if ((pool.get(idx)?.length ?? 0) + this.#step > this.#target || this.#refilling.has(key)) return;
      const downAt = this.#down.get(key);
      if (downAt !== undefined && this.#now() - downAt < RETRY_DOWN_MS) return;
      this.#refilling.add(key);
      this.#preprocessMember(group, idx, this.#step)
        .then(
          (got) => got,
          () => {
            this.#down.set(key, this.#now());
            return 0;
          },
        )
        .then((got) => {
          this.#refilling.delete(key);
          if (got > 0) this.#refill(group); // a member that sends nothing is not asked again until the next signing
        });
    });
  }

  #request(opts: SignOptions): SignRequest {
    return signMessage(
      SignedTypes.SignRequest,
      {
        sessionId: new Uint8Array(randomBytes(32)),
        epoch: opts.group.epoch,
        groupPublicKey: opts.group.groupPublicKey,
        message: opts.message,
        expiresAtMs: BigInt(this.#now() + this.#sessionMs),
      },
      this.#o.identity,
    );
  }

  /** SignPackage → every chosen signer's share → checks → aggregate → Ed25519 verify. */
  async #finish(opts: SignOptions, request: SignRequest, chosen: SignCommitment[]): Promise<SignOutcome> {
    const { group, message } = opts;
    const members = group.members;
    const commitments = [...chosen].sort((a, b) => a.participantIndex - b.participantIndex);
    const signerIndexes = commitments.map((c) => c.participantIndex);
    const timer = opts.timer;
    const pkg = signMessage(SignedTypes.SignPackage, { request, commitments }, this.#o.identity);
    timer?.mark("package");
    let ctx: M.SigningContext;
    try {
      ctx = M.signingContext(
        group.groupPublicKey,
        commitments.map((c) => ({ index: c.participantIndex, hiding: c.hiding, binding: c.binding })),
        message,
      );
    } catch (e) {
      throw new FrostProtocolError("commitments or group key are not valid points", { cause: e });
    }
    timer?.mark("context");
    const named = (s: SignatureShare) => {
      if (!M.verifyShare(ctx, s.participantIndex, group.verifyingShares[s.participantIndex - 1]!, s.share)) {
        throw new FrostInvalidShareError(s.participantIndex, toHex(members[s.participantIndex - 1]!));
      }
    };
    const shares = await this.#callAll(
      members,
      signerIndexes,
      "sign/share",
      encodeMessage(SignPackage, pkg),
      (idx, bytes) => {
        const s = decodeMessage(SignatureShare, bytes, "SignatureShare");
        verifyMessage(SignedTypes.SignatureShare, s, members[idx - 1]);
        if (s.participantIndex !== idx || !bytesEqual(s.sessionId, request.sessionId) || s.epoch !== group.epoch) {
          throw new FrostProtocolError("share for another index, session or epoch");
        }
        if (s.share.length !== 32) throw new FrostInvalidShareError(idx, toHex(members[idx - 1]!));
        return s;
      },
      (answered) => {
        for (const s of answered) named(s); // a cheat among the answers is named before "unavailable"
      },
    );
    timer?.mark("shares");
    const byIndex = new Map(
      shares.map((s) => [
        s.participantIndex,
        { verifyingShare: group.verifyingShares[s.participantIndex - 1]!, share: s.share },
      ]),
    );
    if (opts.shareCheck !== "on-failure" && !M.verifyShares(ctx, byIndex)) {
      for (const s of shares) named(s);
      throw new FrostProtocolError("signature shares do not verify together");
    }
    timer?.mark("check");
    let signature: Uint8Array | undefined;
    try {
      signature = M.aggregate(
        ctx,
        shares.map((s) => s.share),
      );
    } catch {
      signature = undefined;
    }
    // OpenSSL's RFC 8032 check accepts a subset of what the chain's verifier accepts: a receipt passing here passes there.
    if (!signature || !nativeVerify(signature, message, group.groupPublicKey)) {
      for (const s of shares) named(s); // names the signer whose share broke it
      throw new FrostProtocolError("aggregate signature does not verify under the group key");
    }
    timer?.mark("aggregate");
    const receipt = makeMessage(SignedReceipt, {
      message,
      signature,
      groupPublicKey: group.groupPublicKey,
      epoch: group.epoch,
      signerIndexes,
      sessionId: request.sessionId,
    });
    return { receipt, signature, signerIndexes };
  }

  /** Calls every listed member; all must answer validly, else FrostUnavailableError naming the others. */
  async #callAll<T>(
    members: readonly Uint8Array[],
    indexes: readonly number[],
    rpc: FrostRpc,
    body: Uint8Array,
    check: (idx: number, reply: Uint8Array) => T,
    beforeUnavailable?: (answered: T[]) => void,
  ): Promise<T[]> {
    const settled = await Promise.allSettled(
      indexes.map(async (idx) => check(idx, await this.#o.transport.call(members[idx - 1]!, rpc, body, this.#timeout))),
    );
    const fails: Failure[] = [];
    const out: T[] = [];
    settled.forEach((s, k) => {
      if (s.status === "fulfilled") out.push(s.value);
      else fails.push({ index: indexes[k]!, reason: reasonOf(s.reason) });
    });
    const cheat = settled.find(
      (s): s is PromiseRejectedResult => s.status === "rejected" && s.reason instanceof FrostInvalidShareError,
    );
    if (cheat) throw cheat.reason;
    if (fails.length > 0) beforeUnavailable?.(out);
    if (fails.length > 0) {
      throw new FrostUnavailableError(`${rpc}: ${fails.length} of ${indexes.length} participants failed`, {
        details: describe(fails),
        meta: { failed: fails.map((f) => f.index) },
      });
    }
    return out;
  }

  /** Resolves with the first `need` valid replies; fails once that many can no longer arrive. */
  #firstN<T>(
    members: readonly Uint8Array[],
    indexes: readonly number[],
    need: number,
    rpc: FrostRpc,
    body: Uint8Array,
    check: (idx: number, reply: Uint8Array) => T,
  ): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const got: T[] = [];
      const fails: Failure[] = [];
      let done = false;
      for (const idx of indexes) {
        this.#o.transport
          .call(members[idx - 1]!, rpc, body, this.#timeout)
          .then((bytes) => check(idx, bytes))
          .then(
            (v) => {
              if (done) return;
              got.push(v);
              if (got.length === need) {
                done = true;
                resolve(got);
              }
            },
            (e) => {
              if (done) return;
              fails.push({ index: idx, reason: reasonOf(e) });
              if (indexes.length - fails.length < need) {
                done = true;
                reject(
                  new FrostUnavailableError(
                    `${rpc}: only ${indexes.length - fails.length} of the ${need} participants needed can answer`,
                    { details: describe(fails), meta: { failed: fails.map((f) => f.index) } },
                  ),
                );
              }
            },
          );
      }
    });
  }
}
