/**
 * @module One committee member's side of FROST: answers DKG rounds and signing rounds, checking that every
 * message is signed by the member it claims, belongs to a live session, and has not been seen before.
 */
import type { DKG_Round1, DKG_Round2, DKG_Secret, Nonces } from "@noble/curves/abstract/frost.js";
import { ed25519_FROST } from "@noble/curves/ed25519.js";
import type { Ed25519KeyPair } from "../../../common/ed25519.js";
import { SignedTypes } from "../../../common/frost/auth.js";
import { makeMessage, u8 } from "../../../common/frost/bytes.js";
import { frostIdentifier, memberIndex, validateCommittee } from "../../../common/frost/committee.js";
import { toFrostSecret } from "../../../common/frost/group.js";
import { bytesEqual, sha256, toHex } from "../../../common/hash.js";
import {
  type DkgRequest,
  type DkgResult,
  type DkgRound1,
  type DkgRound1Bundle,
  type DkgRound2,
  type DkgRound2Bundle,
  KeyShare,
  type PreprocessRequest,
  type PreprocessResponse,
  type SignatureShare,
  type SignCommitment,
  type SignPackage,
  SignRequest,
} from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { FrostAuthError, FrostProtocolError, FrostReplayError, FrostUnavailableError } from "./errors.js";
import type { KeyShareStore } from "./keyStore.js";
import { signMessage, verifyMessage } from "./nativeAuth.js";
import { MAX_PREPROCESS_BATCH, NoncePool } from "./noncePool.js";
import { DEFAULT_MAX_SESSION_MS, SessionGuard } from "./sessions.js";
import { decryptShare, encryptShare, newEncryptionKeyPair } from "./shareCipher.js";
import * as M from "./signMath.js";
import type { StageTimer } from "./stages.js";

const F = ed25519_FROST;

/** Open sessions a member keeps at once; beyond this it refuses new ones until some finish or expire. */
export const MAX_OPEN_SESSIONS = 10_000;

export interface FrostParticipantOptions {
  readonly identity: Ed25519KeyPair;
  readonly store: KeyShareStore;
  /**
   * Whether this member takes part in a DKG for this committee (e.g. "equals the committee the chain
   * selected for the epoch"). Throw or return false to refuse. Default: accept any committee we are in.
   */
  readonly authorizeCommittee?: (c: {
    epoch: bigint;
    threshold: number;
    members: readonly Uint8Array[];
  }) => boolean | Promise<boolean>;
  /** Whether to sign these bytes (the receipt vote hook). Default: sign whatever a member asks. */
  readonly approveMessage?: (message: Uint8Array, epoch: bigint) => boolean | Promise<boolean>;
  readonly now?: () => number;
  readonly maxSessionMs?: number;
}

interface DkgState {
  readonly request: DkgRequest;
  readonly myIndex: number;
  step: 1 | 2;
  readonly secret: DKG_Secret;
  readonly enc: { secretKey: Uint8Array; publicKey: Uint8Array };
  readonly myRound1: DkgRound1;
  round1?: DkgRound1[]; // all n, index order
}

interface SignState {
  readonly request: SignRequest;
  readonly share: KeyShare;
  readonly nonces: Nonces;
  readonly commitment: SignCommitment;
}

function short(b: Uint8Array): string {
  return `${toHex(b).slice(0, 16)}…`;
}

export class FrostParticipant {
  readonly identity: Ed25519KeyPair;
  readonly store: KeyShareStore;
  readonly #opts: FrostParticipantOptions;
  readonly #now: () => number;
  readonly #guard: SessionGuard;
  readonly #dkg = new Map<string, DkgState>();
  readonly #sign = new Map<string, SignState>();
  readonly #nonces: NoncePool;

  constructor(opts: FrostParticipantOptions) {
    this.identity = opts.identity;
    this.store = opts.store;
    this.#nonces = new NoncePool(opts.store.dir);
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#guard = new SessionGuard(this.#now, opts.maxSessionMs ?? DEFAULT_MAX_SESSION_MS);
  }

  get publicKey(): Uint8Array {
    return this.identity.publicKey;
  }

  // ---- DKG ---------------------------------------------------------------------------------------

  /** DKG round 1: check the request, start the session, return our signed public package. */
  async handleDkgRequest(req: DkgRequest): Promise<DkgRound1> {
    verifyMessage(SignedTypes.DkgRequest, req);
    validateCommittee(req);
    if (memberIndex(req.members, req.sender) === 0)
      throw new FrostAuthError("DkgRequest: orchestrator is not a member");
    const myIndex = memberIndex(req.members, this.identity.publicKey);
    if (myIndex === 0) throw new FrostAuthError("DkgRequest: this participant is not in the committee");
    const ok = await (this.#opts.authorizeCommittee?.(req) ?? true);
    if (!ok) throw new FrostAuthError(`DkgRequest: committee for epoch ${req.epoch} is not authorized here`);
    this.#prune();
    if (this.#dkg.size >= MAX_OPEN_SESSIONS) throw new FrostUnavailableError("too many open DKG sessions");
    this.#guard.claim("dkg", req.sessionId, req.expiresAtMs);
    const { public: pub, secret } = F.DKG.round1(frostIdentifier(myIndex), {
      min: req.threshold,
      max: req.members.length,
    });
    const enc = newEncryptionKeyPair();
    const myRound1 = signMessage(
      SignedTypes.DkgRound1,
      {
        sessionId: req.sessionId,
        epoch: req.epoch,
        participantIndex: myIndex,
        commitment: pub.commitment,
        proofOfKnowledge: pub.proofOfKnowledge,
        encryptionKey: enc.publicKey,
      },
      this.identity,
    );
    this.#prune();
    this.#dkg.set(toHex(req.sessionId), { request: req, myIndex, step: 1, secret, enc, myRound1 });
    return myRound1;
  }

  /** DKG round 2: check all n round-1 packages, return our shares for the others, each encrypted to them. */
  async handleDkgRound1(bundle: DkgRound1Bundle): Promise<DkgRound2Bundle> {
    const st = this.#dkgState(bundle.sessionId, 1);
    const { request: req, myIndex } = st;
    const n = req.members.length;
    if (bundle.packages.length !== n) {
      throw new FrostProtocolError(`DkgRound1Bundle: expected ${n} packages, got ${bundle.packages.length}`);
    }
    const byIndex: DkgRound1[] = new Array(n);
    for (const p of bundle.packages) {
      const i = p.participantIndex;
      if (!Number.isInteger(i) || i < 1 || i > n || byIndex[i - 1]) {
        throw new FrostProtocolError(`DkgRound1Bundle: bad or duplicate participant index ${i}`);
      }
      verifyMessage(SignedTypes.DkgRound1, p, req.members[i - 1]);
      this.#sameSession("DkgRound1", p, req);
      if (p.commitment.length !== req.threshold || p.commitment.some((c) => c.length !== 32)) {
        throw new FrostProtocolError(`DkgRound1 from participant ${i}: expected ${req.threshold} 32-byte commitments`);
      }
      if (p.proofOfKnowledge.length !== 64 || p.encryptionKey.length !== 32) {
        throw new FrostProtocolError(`DkgRound1 from participant ${i}: malformed proof or encryption key`);
      }
      byIndex[i - 1] = p;
    }
    const mine = byIndex[myIndex - 1]!;
    if (!bytesEqual(mine.signature, st.myRound1.signature) || !bytesEqual(mine.encryptionKey, st.enc.publicKey)) {
      throw new FrostProtocolError("DkgRound1Bundle: our own round-1 package was altered");
    }
    const others = byIndex.filter((_, k) => k !== myIndex - 1);
    let shares: Record<string, DKG_Round2>;
    try {
      shares = F.DKG.round2(st.secret, others.map(toNobleRound1));
    } catch (e) {
      throw new FrostProtocolError("DKG round 2 refused the round-1 packages (bad proof of knowledge?)", { cause: e });
    }
    st.step = 2;
    st.round1 = byIndex;
    const packages: DkgRound2[] = [];
    for (const p of others) {
      const share = shares[frostIdentifier(p.participantIndex)]!.signingShare;
      const ctx = {
        sessionId: req.sessionId,
        epoch: req.epoch,
        senderIndex: myIndex,
        recipientIndex: p.participantIndex,
      };
      const enc = encryptShare(share, st.enc.secretKey, p.encryptionKey, ctx);
      share.fill(0);
      packages.push(
        signMessage(
          SignedTypes.DkgRound2,
          {
            sessionId: req.sessionId,
            epoch: req.epoch,
            senderIndex: myIndex,
            recipientIndex: p.participantIndex,
            recipient: req.members[p.participantIndex - 1]!,
            nonce: enc.nonce,
            ciphertext: enc.ciphertext,
          },
          this.identity,
        ),
      );
    }
    return { sessionId: req.sessionId, packages };
  }

  /** DKG round 3: decrypt and check the n−1 shares sent to us, store our key share, return the signed result. */
  async handleDkgRound2(bundle: DkgRound2Bundle): Promise<DkgResult> {
    const st = this.#dkgState(bundle.sessionId, 2);
    const { request: req, myIndex } = st;
    const n = req.members.length;
    const round1 = st.round1!;
    if (bundle.packages.length !== n - 1) {
      throw new FrostProtocolError(`DkgRound2Bundle: expected ${n - 1} packages, got ${bundle.packages.length}`);
    }
    const seen = new Set<number>();
    const received: DKG_Round2[] = [];
    for (const p of bundle.packages) {
      const from = p.senderIndex;
      if (!Number.isInteger(from) || from < 1 || from > n || from === myIndex || seen.has(from)) {
        throw new FrostProtocolError(`DkgRound2Bundle: bad or duplicate sender index ${from}`);
      }
      seen.add(from);
      verifyMessage(SignedTypes.DkgRound2, p, req.members[from - 1]);
      this.#sameSession("DkgRound2", p, req);
      if (p.recipientIndex !== myIndex || !bytesEqual(p.recipient, this.identity.publicKey)) {
        throw new FrostAuthError(`DkgRound2 from participant ${from} is addressed to someone else`);
      }
      const ctx = { sessionId: req.sessionId, epoch: req.epoch, senderIndex: from, recipientIndex: myIndex };
      const signingShare = decryptShare(p, st.enc.secretKey, round1[from - 1]!.encryptionKey, ctx);
      // RFC 9591 App. C.2 vss_verify against the sender's own commitment: names a cheating dealer.
      try {
        F.validateSecret(
          { identifier: frostIdentifier(myIndex), signingShare },
          { signers: { min: req.threshold, max: n }, commitments: round1[from - 1]!.commitment, verifyingShares: {} },
        );
      } catch (e) {
        throw new FrostProtocolError(`DKG share from participant ${from} does not match its commitment`, {
          cause: e,
          meta: { participantIndex: from, participant: toHex(req.members[from - 1]!) },
        });
      }
      received.push({ identifier: frostIdentifier(from), signingShare: u8(signingShare) });
    }
    const others = round1.filter((_, k) => k !== myIndex - 1).map(toNobleRound1);
    let key: ReturnType<typeof F.DKG.round3>;
    try {
      key = F.DKG.round3(st.secret, others, received);
    } catch (e) {
      throw new FrostProtocolError("DKG round 3 failed", { cause: e });
    } finally {
      for (const r of received) r.signingShare.fill(0);
      F.DKG.clean(st.secret);
      this.#dkg.delete(toHex(req.sessionId));
    }
    const verifyingShares = req.members.map((_, k) => key.public.verifyingShares[frostIdentifier(k + 1)]!);
    const share = makeMessage(KeyShare, {
      epoch: req.epoch,
      sessionId: req.sessionId,
      threshold: req.threshold,
      members: req.members,
      participantIndex: myIndex,
      signingShare: key.secret.signingShare,
      groupPublicKey: key.public.commitments[0]!,
      verifyingShares,
      commitments: key.public.commitments,
    });
    await this.store.save(share);
    return signMessage(
      SignedTypes.DkgResult,
      {
        sessionId: req.sessionId,
        epoch: req.epoch,
        threshold: req.threshold,
        members: req.members,
        groupPublicKey: share.groupPublicKey,
        verifyingShares,
        commitments: share.commitments,
      },
      this.identity,
    );
  }

  // ---- signing -----------------------------------------------------------------------------------

  /** Signing round 1: check the request, commit to fresh one-time nonces, return the signed commitment. */
  async handleSignRequest(req: SignRequest): Promise<SignCommitment> {
    verifyMessage(SignedTypes.SignRequest, req);
    const share = await this.#shareFor("SignRequest", req);
    this.#prune();
    if (this.#sign.size >= MAX_OPEN_SESSIONS) {
      throw new FrostUnavailableError(`too many open signing sessions (${MAX_OPEN_SESSIONS}); try again later`);
    }
    this.#guard.claim("sign", req.sessionId, req.expiresAtMs);
    const ok = await (this.#opts.approveMessage?.(req.message, req.epoch) ?? true);
    if (!ok) throw new FrostAuthError("SignRequest: this participant does not approve the message");
    const { nonces, commitments } = F.commit(toFrostSecret(share));
    const commitment = signMessage(
      SignedTypes.SignCommitment,
      {
        sessionId: req.sessionId,
        epoch: req.epoch,
        participantIndex: share.participantIndex,
        hiding: commitments.hiding,
        binding: commitments.binding,
        messageHash: sha256(req.message),
      },
      this.identity,
    );
    this.#prune();
    this.#sign.set(toHex(req.sessionId), { request: req, share, nonces, commitment });
    return commitment;
  }

  /**
   * Preprocessing for one-round signing: `count` fresh nonce pairs for a group key we hold a share of, saved
   * before their commitments leave this process. The requester must be a committee member; the pool per
   * group is bounded (the oldest unspent pairs are dropped), so repeated requests cost only bounded work.
   */
  async handlePreprocess(req: PreprocessRequest): Promise<PreprocessResponse> {
    verifyMessage(SignedTypes.PreprocessRequest, req);
    if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_PREPROCESS_BATCH) {
      throw new FrostProtocolError(`PreprocessRequest: count must be 1..${MAX_PREPROCESS_BATCH}`);
    }
    const share = await this.#shareFor("PreprocessRequest", req);
    this.#guard.claim("preprocess", req.sessionId, req.expiresAtMs);
    const made = await this.#nonces.make(share.groupPublicKey, toFrostSecret(share), req.count);
    return {
      commitments: made.map((c) =>
        signMessage(
          SignedTypes.SignCommitment,
          {
            sessionId: req.sessionId,
            epoch: req.epoch,
            participantIndex: share.participantIndex,
            hiding: c.hiding,
            binding: c.binding,
            messageHash: new Uint8Array(0),
          },
          this.identity,
        ),
      ),
    };
  }

  /**
   * Other members' preprocessed commitments, relayed by an orchestrator ahead of signing: each must be signed by
   * the member at its index of a committee we hold a share for, in that share's epoch; their points are then
   * validated (prime-order subgroup) and cached, one commitment per turn of the event loop, so a one-round signing
   * over them does no subgroup check on its path and one arriving meanwhile is not held up. Nothing else changes:
   * a refused or never-announced commitment is simply validated when signing.
   */
  async handleAnnounce(a: PreprocessResponse): Promise<PreprocessResponse> {
    if (a.commitments.length > MAX_PREPROCESS_BATCH) {
      throw new FrostProtocolError(`announcement: at most ${MAX_PREPROCESS_BATCH} commitments`);
    }
    const shares = this.store.loaded();
    for (const c of a.commitments) {
      const i = c.participantIndex;
      const ours = shares.some(
        (s) => s.epoch === c.epoch && i >= 1 && bytesEqual(s.members[i - 1] ?? new Uint8Array(0), c.sender),
      );
      if (!ours) throw new FrostAuthError(`announced commitment ${i}: not from that member of a committee we sign for`);
      verifyMessage(SignedTypes.SignCommitment, c);
      if (c.messageHash.length !== 0) throw new FrostProtocolError(`announced commitment ${i}: bound to a message`);
    }
    // One commitment per turn of the event loop: a signing that arrives meanwhile waits for one check, not 2 × 64.
    await M.validateInTurns(a.commitments).catch((e: Error) => {
      throw new FrostProtocolError(`announced ${e.message}`);
    });
    return { commitments: [] };
  }

  /** Unspent preprocessed nonce pairs held for a group key (for tests and monitoring). */
  preprocessedCount(groupPublicKey: Uint8Array): number {
    return this.#nonces.size(groupPublicKey);
  }

  /**
   * Signing round 2 — or the only round, when the package carries preprocessed commitments: check the
   * commitment list, spend our nonces, return our signed share.
   */
  async handleSignPackage(pkg: SignPackage, timer?: StageTimer): Promise<SignatureShare> {
    verifyMessage(SignedTypes.SignPackage, pkg);
    const req = pkg.request;
    if (!req) throw new FrostProtocolError("SignPackage: missing request");
    const key = toHex(req.sessionId);
    const st = this.#sign.get(key);
    if (!st) return this.#signOneRound(pkg, req, timer);
    if (Number(req.expiresAtMs) <= this.#now()) {
      this.#sign.delete(key);
      throw new FrostReplayError("SignPackage: session has expired");
    }
    const stored = SignRequest.encode(st.request).finish();
    if (!bytesEqual(pkg.sender, st.request.sender) || !bytesEqual(SignRequest.encode(req).finish(), stored)) {
      throw new FrostAuthError("SignPackage: request differs from the one we committed to");
    }
    const { share } = st;
    const n = share.members.length;
    const list = [...pkg.commitments].sort((a, b) => a.participantIndex - b.participantIndex);
    if (list.length < share.threshold || list.length > n) {
      throw new FrostProtocolError(`SignPackage: needs ${share.threshold}..${n} commitments, got ${list.length}`);
    }
    const digest = sha256(req.message);
    let prev = 0;
    for (const c of list) {
      const i = c.participantIndex;
      if (i <= prev || i > n) throw new FrostProtocolError(`SignPackage: bad or duplicate signer index ${i}`);
      prev = i;
      verifyMessage(SignedTypes.SignCommitment, c, share.members[i - 1]);
      this.#sameSession("SignCommitment", c, req);
      if (!bytesEqual(c.messageHash, digest)) throw new FrostProtocolError(`SignCommitment ${i}: wrong message hash`);
      if (c.hiding.length !== 32 || c.binding.length !== 32) {
        throw new FrostProtocolError(`SignCommitment ${i}: malformed nonce commitments`);
      }
    }
    const mine = list.find((c) => c.participantIndex === share.participantIndex);
    if (!mine || !bytesEqual(mine.hiding, st.commitment.hiding) || !bytesEqual(mine.binding, st.commitment.binding)) {
      throw new FrostProtocolError("SignPackage: our commitment is missing or altered");
    }
    // Nonces are single use: forget them before signing, so no path can ever sign twice with them.
    this.#sign.delete(key);
    timer?.mark("check");
    const ctx = this.#context(share, list, req);
    timer?.mark("context");
    return this.#share(share, req, digest, st.nonces, ctx, timer);
  }

  /** One-round signing: every commitment in the package is preprocessed, ours must be unspent in our pool. */
  async #signOneRound(pkg: SignPackage, req: SignRequest, timer?: StageTimer): Promise<SignatureShare> {
    verifyMessage(SignedTypes.SignRequest, req);
    if (!bytesEqual(pkg.sender, req.sender))
      throw new FrostAuthError("SignPackage: sent by someone other than the requester");
    const share = await this.#shareFor("SignPackage", req);
    // A package whose session was already signed (in either mode) fails here: each session id signs once.
    this.#guard.claim("sign", req.sessionId, req.expiresAtMs);
    const n = share.members.length;
    const list = [...pkg.commitments].sort((a, b) => a.participantIndex - b.participantIndex);
    if (list.length < share.threshold || list.length > n) {
      throw new FrostProtocolError(`SignPackage: needs ${share.threshold}..${n} commitments, got ${list.length}`);
    }
    let prev = 0;
    for (const c of list) {
      const i = c.participantIndex;
      if (i <= prev || i > n) throw new FrostProtocolError(`SignPackage: bad or duplicate signer index ${i}`);
      prev = i;
      verifyMessage(SignedTypes.SignCommitment, c, share.members[i - 1]);
      if (c.epoch !== req.epoch) throw new FrostAuthError(`SignCommitment ${i}: belongs to another epoch`);
      if (c.messageHash.length !== 0) {
        throw new FrostProtocolError(`SignCommitment ${i}: bound to a message, not a preprocessed commitment`);
      }
      if (c.hiding.length !== 32 || c.binding.length !== 32) {
        throw new FrostProtocolError(`SignCommitment ${i}: malformed nonce commitments`);
      }
    }
    const mine = list.find((c) => c.participantIndex === share.participantIndex);
    if (!mine) throw new FrostProtocolError("SignPackage: this participant is not among the signers");
    timer?.mark("check");
    const ok = await (this.#opts.approveMessage?.(req.message, req.epoch) ?? true);
    if (!ok) throw new FrostAuthError("SignPackage: this participant does not approve the message");
    timer?.mark("approve");
    // The public part (binding factors, group commitment: the other signers' points) is computed while the
    // spend is flushed to disk; the share only after the flush.
    let ctx: M.SigningContext | Error | undefined;
    const spending = this.#nonces.spend(share.groupPublicKey, toFrostSecret(share), mine.hiding, mine.binding, () => {
      ctx = this.#context(share, list, req);
    });
    const replay = () =>
      new FrostReplayError("SignPackage: our nonce commitment is unknown or already spent (replay?)");
    if (!spending) throw replay();
    const nonces = await spending;
    timer?.mark("spend-context");
    if (!nonces) throw replay();
    return this.#share(share, req, sha256(req.message), nonces, ctx ?? this.#context(share, list, req), timer);
  }

  /** RFC 9591 round two over a checked commitment list's context; the nonces are zeroed afterwards. */
  #share(
    share: KeyShare,
    req: SignRequest,
    digest: Uint8Array,
    nonces: Nonces,
    ctx: M.SigningContext | Error,
    timer?: StageTimer,
  ): SignatureShare {
    let sigShare: Uint8Array;
    try {
      if (ctx instanceof Error) throw ctx;
      sigShare = M.signShare(ctx, share.participantIndex, share.signingShare, nonces);
    } catch (e) {
      throw new FrostProtocolError("SignPackage: cannot sign over these commitments", { cause: e });
    } finally {
      nonces.hiding.fill(0);
      nonces.binding.fill(0);
    }
    const out = signMessage(
      SignedTypes.SignatureShare,
      {
        sessionId: req.sessionId,
        epoch: req.epoch,
        participantIndex: share.participantIndex,
        share: sigShare,
        messageHash: digest,
      },
      this.identity,
    );
    timer?.mark("sign");
    return out;
  }

  /** The signing context over a checked list, or the error (bad points): the caller spends its nonces either way. */
  #context(share: KeyShare, list: readonly SignCommitment[], req: SignRequest): M.SigningContext | Error {
    try {
      return M.signingContext(
        share.groupPublicKey,
        list.map((c) => ({ index: c.participantIndex, hiding: c.hiding, binding: c.binding })),
        req.message,
      );
    } catch (e) {
      return e instanceof Error ? e : new Error(String(e));
    }
  }

  /** The key share a signing-side request names, checked against its epoch and requester. */
  async #shareFor(what: string, req: { groupPublicKey: Uint8Array; epoch: bigint; sender: Uint8Array }) {
    const share = await this.store.load(req.groupPublicKey);
    if (!share) throw new FrostAuthError(`${what}: no key share for group key ${short(req.groupPublicKey)}`);
    if (share.epoch !== req.epoch) {
      throw new FrostAuthError(`${what}: group key belongs to epoch ${share.epoch}, not ${req.epoch}`);
    }
    if (memberIndex(share.members, req.sender) === 0) {
      throw new FrostAuthError(`${what}: ${short(req.sender)} is not a member of this committee`);
    }
    return share;
  }

  // ---- helpers -----------------------------------------------------------------------------------

  #dkgState(sessionId: Uint8Array, step: 1 | 2): DkgState {
    const st = this.#dkg.get(toHex(sessionId));
    if (!st) throw new FrostReplayError(`DKG session ${short(sessionId)} is unknown or finished (replay?)`);
    if (Number(st.request.expiresAtMs) <= this.#now()) {
      this.#dkg.delete(toHex(sessionId));
      F.DKG.clean(st.secret);
      throw new FrostReplayError(`DKG session ${short(sessionId)} has expired`);
    }
    if (st.step !== step) throw new FrostReplayError(`DKG session ${short(sessionId)}: round ${step} already done`);
    return st;
  }

  #sameSession(
    what: string,
    m: { sessionId: Uint8Array; epoch: bigint },
    req: { sessionId: Uint8Array; epoch: bigint },
  ) {
    if (!bytesEqual(m.sessionId, req.sessionId) || m.epoch !== req.epoch) {
      throw new FrostAuthError(`${what}: belongs to another session or epoch`);
    }
  }

  /** Drops sessions past their deadline, so abandoned ones do not keep secrets in memory. */
  #prune(): void {
    const now = this.#now();
    for (const [k, st] of this.#dkg) {
      if (Number(st.request.expiresAtMs) <= now) {
        F.DKG.clean(st.secret);
        this.#dkg.delete(k);
      }
    }
    for (const [k, st] of this.#sign) if (Number(st.request.expiresAtMs) <= now) this.#sign.delete(k);
  }
}

function toNobleRound1(p: DkgRound1): DKG_Round1 {
  return {
    identifier: frostIdentifier(p.participantIndex),
    commitment: p.commitment.map(u8),
    proofOfKnowledge: u8(p.proofOfKnowledge),
  };
}
