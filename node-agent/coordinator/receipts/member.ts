/**
 * @module One coordinator committee member's receipt service on top of FROST: it votes on proposals (each
 * member checks the usage proof itself), proposes receipts for nodes (propose → vote → sign with exactly the
 * approving members → aggregate), publishes issued receipts to DA, submits the epoch seed's ECVRF proof when
 * designated, signals its DKG presence, and drives the epoch's DKG when it is participant 1. Its FROST participant only signs receipt bytes it approved, with itself among the signers.
 */
import { randomBytes } from "node:crypto";
import { concat, utf8 } from "../../../chain-app/encoding.js";
import { type Ed25519KeyPair, ed25519Sign, ed25519Verify } from "../../../common/ed25519.js";
import { BaseError, ErrorCode, isBaseError } from "../../../common/errors.js";
import { type SignedType, signMessage, verifyMessage } from "../../../common/frost/auth.js";
import type { FrostGroupInfo } from "../../../common/frost/group.js";
import { bytesEqual, sha256, toHex } from "../../../common/hash.js";
import { decodeCanonical, encodeMessage } from "../../../common/protobuf.js";
import {
  decodeReceiptData,
  RECEIPT_SIGN_DOMAIN,
  RECEIPT_VERSION,
  receiptId,
  receiptSigningMessage,
  replayKey,
  storageCommitment,
} from "../../../common/receipts/receiptBytes.js";
import { proveEpochSeed, slotAt } from "../../../modules/committee/epochSeed.js";
import { usdValueOf } from "../../../modules/receipts/reward.js";
import { type Committee, CommitteeStatus } from "../../../proto/gen/dsdn/committee/v1/committee.js";
import {
  ReceiptProposal,
  type ReceiptRequest,
  ReceiptResponse,
  ReceiptVote,
} from "../../../proto/gen/dsdn/committee/v1/consensus.js";
import { DkgResult } from "../../../proto/gen/dsdn/committee/v1/frost.js";
import { ReceiptData, ReceiptKind, ThresholdReceipt } from "../../../proto/gen/dsdn/receipts/v1/receipts.js";
import type { EventPublisher } from "../../da/events/publisher.js";
import { usageOf } from "../../storage/receipts/usageProof.js";
import { FrostCoordinator } from "../frost/coordinator.js";
import { HttpPeerTransport } from "../frost/httpTransport.js";
import type { KeyShareStore } from "../frost/keyStore.js";
import { FrostParticipant } from "../frost/participant.js";
import type { PeerTransport } from "../frost/rpc.js";
import { type ReceiptsChain, servingCommittee } from "./chain.js";
import type { ChunkFetcher } from "./chunkFetch.js";
import { SignedSlots } from "./signedSlots.js";
import {
  checkComputeBody,
  computeReceiptBody,
  verifyComputeEvidence,
  type WorkloadRecordView,
} from "./verifyCompute.js";
import { checkReceiptBody, ReceiptRefusedError, type VerifyDeps, verifyUsageProof } from "./verifyUsage.js";

export const ProposalType: SignedType<ReceiptProposal> = {
  typeName: "dsdn.committee.v1.ReceiptProposal",
  codec: ReceiptProposal,
};
export const VoteType: SignedType<ReceiptVote> = { typeName: "dsdn.committee.v1.ReceiptVote", codec: ReceiptVote };
export const OPTIMISTIC_DOMAIN = utf8("dsdn.committee.v1.OptimisticReceipt\0");

/** How a member reaches another member's receipt RPCs (HTTP in production, direct calls in tests). */
export interface ReceiptPeers {
  vote(endpoint: string, proposal: ReceiptProposal, timeoutMs: number): Promise<ReceiptVote>;
}

export interface CommitteeMemberOptions {
  readonly identity: Ed25519KeyPair;
  readonly store: KeyShareStore;
  readonly chain: ReceiptsChain;
  readonly fetcher: ChunkFetcher;
  readonly peers: ReceiptPeers;
  /** DA's compute records and the chain view this member checks compute receipts against (none: it refuses them). */
  readonly workloads?: WorkloadRecordView;
  /** FROST transport for a committee (default: HTTP to the members' registered endpoints). */
  readonly frostTransport?: (c: Committee) => PeerTransport;
  /** Publishes ReceiptIssued to DA; without it receipts are only returned to the node. */
  readonly publisher?: EventPublisher;
  /** Records the DKG result on chain (MsgSubmitDkgResult signed by this member's operator). */
  readonly submitDkg?: (epoch: bigint, results: readonly Uint8Array[]) => Promise<void>;
  /** Submits this coordinator's ECVRF proof for an epoch seed it is designated for (MsgSubmitEpochSeed). */
  readonly submitSeed?: (epoch: bigint, proof: Uint8Array) => Promise<void>;
  /** Tells the chain this member takes part in a pending DKG attempt (MsgSignalDkgPresence). */
  readonly signalPresence?: (epoch: bigint, attempt: number) => Promise<void>;
  readonly voteTimeoutMs?: number;
  readonly nowMs?: () => number;
  readonly log?: (line: string) => void;
}

/** The public FROST group of an ACTIVE committee, as recorded on chain. */
export function groupOf(c: Committee): FrostGroupInfo {
  return {
    epoch: c.epoch,
    threshold: c.threshold,
    members: c.members.map((m) => new Uint8Array(m.identityKey)),
    groupPublicKey: new Uint8Array(c.groupPublicKey),
    verifyingShares: c.verifyingShares.map((v) => new Uint8Array(v)),
    commitments: c.commitments.map((v) => new Uint8Array(v)),
  };
}

const APPROVAL_TTL_MS = 10 * 60_000;
/** Nonce commitments the receipt orchestrator pools per member (one-round FROST signing once filled). */
const RECEIPT_NONCE_BATCH = 16;

export class CommitteeMember {
  readonly participant: FrostParticipant;
  readonly #o: CommitteeMemberOptions;
  readonly #now: () => number;
  readonly #log: (line: string) => void;
  /** body hash (hex) → expiry: bodies this member voted for; its FROST share signs only those. */
  readonly #approved = new Map<string, number>();
  /** The receipt slots this member's share signed (durable): it never signs a second body for a slot. */
  readonly #signedSlots: SignedSlots;
  #dkgRunning = new Set<string>();
  /** Seed submissions and presence signals already accepted (epoch/slot, epoch/attempt). */
  readonly #done = new Set<string>();
  /** Recorded (ACTIVE) committees never change: cache them for the per-signature approval check. */
  readonly #active = new Map<bigint, Committee>();
  /** One orchestrator per committee key, so its preprocessed nonce commitments survive between receipts. */
  readonly #signers = new Map<string, FrostCoordinator>();

  constructor(o: CommitteeMemberOptions) {
    this.#o = o;
    this.#now = o.nowMs ?? Date.now;
    this.#log = o.log ?? (() => {});
    this.#signedSlots = new SignedSlots(o.store.dir);
    this.participant = new FrostParticipant({
      identity: o.identity,
      store: o.store,
      // A DKG only for the committee the chain selected, exactly (members, order, threshold).
      authorizeCommittee: async (c) => {
        const on = await o.chain.committee(c.epoch);
        return (
          !!on &&
          on.threshold === c.threshold &&
          on.members.length === c.members.length &&
          on.members.every((m, i) => bytesEqual(m.identityKey, c.members[i]!))
        );
      },
      approveMessage: (message, epoch) => this.#approves(message, epoch),
    });
  }

  #signerFor(c: Committee, group: FrostGroupInfo): FrostCoordinator {
    const key = `${c.epoch}/${toHex(group.groupPublicKey)}`;
    let co = this.#signers.get(key);
    if (!co) {
      co = new FrostCoordinator({
        identity: this.#o.identity,
        transport: this.#o.frostTransport?.(c) ?? httpFrostTransport(c),
        timeoutMs: this.#o.voteTimeoutMs ?? 20_000,
        preprocess: RECEIPT_NONCE_BATCH,
      });
      if (this.#signers.size >= 4) this.#signers.delete(this.#signers.keys().next().value!);
      this.#signers.set(key, co);
    }
    return co;
  }

  get identityHex(): string {
    return toHex(this.#o.identity.publicKey);
  }

  #verifyDeps(): VerifyDeps {
    return { chain: this.#o.chain, fetcher: this.#o.fetcher, nowSeconds: () => BigInt(Math.floor(this.#now() / 1000)) };
  }

  #myIndex(c: Committee): number {
    return c.members.findIndex((m) => bytesEqual(m.identityKey, this.#o.identity.publicKey)) + 1;
  }

  /** The FROST vote hook: sign only bytes of a receipt whose body this member approved, naming it as a signer. */
  async #approves(message: Uint8Array, epoch: bigint): Promise<boolean> {
    if (
      message.length < RECEIPT_SIGN_DOMAIN.length ||
      !bytesEqual(message.subarray(0, RECEIPT_SIGN_DOMAIN.length), RECEIPT_SIGN_DOMAIN)
    )
      return false;
    let d: ReceiptData;
    try {
      d = decodeReceiptData(message.subarray(RECEIPT_SIGN_DOMAIN.length));
    } catch {
      return false;
    }
    const c = await this.#committeeOf(epoch);
    if (!c || d.epoch !== epoch || !d.signers.includes(this.#myIndex(c))) return false;
    const hash = toHex(sha256(ReceiptData.encode({ ...d, signers: [] }).finish()));
    const until = this.#approved.get(hash);
    if (until === undefined || until <= this.#now()) return false;
    return this.#signedSlots.claim(epoch, toHex(replayKey(d)), hash);
  }

  async #committeeOf(epoch: bigint): Promise<Committee | undefined> {
    const hit = this.#active.get(epoch);
    if (hit) return hit;
    const c = await this.#o.chain.committee(epoch);
    if (c?.status === CommitteeStatus.COMMITTEE_STATUS_ACTIVE) this.#active.set(epoch, c);
    return c;
  }

  /** The committee signing receipts now: the current one, or the previous one while the current DKG is pending. */
  async #currentCommittee(): Promise<Committee> {
    const c = await servingCommittee(this.#o.chain);
    if (!c) throw new ReceiptRefusedError("no committee has been selected yet");
    if (c.status !== CommitteeStatus.COMMITTEE_STATUS_ACTIVE)
      throw new ReceiptRefusedError(`epoch ${c.epoch}'s DKG is not recorded yet`);
    if (this.#myIndex(c) === 0)
      throw new ReceiptRefusedError(`this coordinator is not in epoch ${c.epoch}'s committee`);
    return c;
  }

  // ---- vote ---------------------------------------------------------------------------------------

  /** A proposer asks for this member's vote: verify everything independently, answer with a signed vote. */
  async handleVote(proposal: ReceiptProposal): Promise<ReceiptVote> {
    verifyMessage(ProposalType, proposal);
    const c = await this.#currentCommittee();
    if (c.members.every((m) => !bytesEqual(m.identityKey, proposal.sender)))
      throw new ReceiptRefusedError("the proposer is not in the committee");
    const bodyHash = sha256(proposal.receiptBody);
    const vote = (approve: boolean, reason: string) =>
      signMessage(
        VoteType,
        { bodyHash, epoch: c.epoch, participantIndex: this.#myIndex(c), approve, reason },
        this.#o.identity,
      );
    let body: ReceiptData;
    try {
      body = decodeCanonical(ReceiptData, proposal.receiptBody, "ReceiptData");
    } catch {
      return vote(false, "receipt body is not canonical ReceiptData");
    }
    try {
      if (body.epoch !== c.epoch) throw new ReceiptRefusedError(`epoch ${body.epoch} is not the current ${c.epoch}`);
      if (proposal.computeResult.length > 0) {
        const ev = await verifyComputeEvidence(
          proposal.computeResult,
          proposal.workloadSubmission,
          this.#o.chain,
          this.#o.workloads,
        );
        checkComputeBody(body, ev, {
          chainId: await this.#o.chain.chainId(),
          epoch: c.epoch,
          params: await this.#o.chain.receiptsParams(),
          nowSeconds: this.#verifyDeps().nowSeconds(),
        });
      } else {
        const proof = await verifyUsageProof(proposal.usageProof, this.#verifyDeps());
        await checkReceiptBody(body, proof, proposal.usageProof, this.#verifyDeps());
      }
    } catch (e) {
      if (e instanceof ReceiptRefusedError) return vote(false, e.shortMessage);
      throw e;
    }
    this.#prune();
    this.#approved.set(toHex(bodyHash), this.#now() + APPROVAL_TTL_MS);
    return vote(true, "");
  }

  #prune(): void {
    const now = this.#now();
    for (const [k, until] of this.#approved) if (until <= now) this.#approved.delete(k);
  }

  // ---- propose --------------------------------------------------------------------------------------

  /** A node asks for a receipt: build the body, collect t approving votes, FROST-sign with those t, publish. */
  async handleRequest(req: Pick<ReceiptRequest, "usageProof"> & Partial<ReceiptRequest>): Promise<ReceiptResponse> {
    const c = await this.#currentCommittee();
    if (req.computeResult && req.computeResult.length > 0) return this.#handleComputeRequest(c, req as ReceiptRequest);
    const proof = await verifyUsageProof(req.usageProof, this.#verifyDeps()); // fail fast on our own check
    if (proof.epoch !== c.epoch)
      throw new ReceiptRefusedError(`usage proof is for epoch ${proof.epoch}, the committee's is ${c.epoch}`);
    const params = await this.#o.chain.receiptsParams();
    const usage = usageOf(proof);
    const body = ReceiptData.fromPartial({
      version: RECEIPT_VERSION,
      chainId: proof.chainId,
      kind: ReceiptKind.RECEIPT_KIND_STORAGE,
      workloadId: proof.workloadId,
      nodeId: proof.nodeId,
      usageProofHash: Buffer.from(sha256(req.usageProof)),
      executionCommitment: storageCommitment(proof.workloadId),
      submitter: proof.submitter,
      epoch: c.epoch,
      sequence: 0n,
      timestamp: BigInt(Math.floor(this.#now() / 1000)),
      usage,
      reward: usdValueOf(ReceiptKind.RECEIPT_KIND_STORAGE, usage, params).toString(),
      signers: [],
    });
    return this.#proposeAndSign(c, body, { usageProof: req.usageProof });
  }

  /** A node asks for a compute receipt: its signed result and the user-signed workload are the evidence. */
  async #handleComputeRequest(c: Committee, req: ReceiptRequest): Promise<ReceiptResponse> {
    const ev = await verifyComputeEvidence(req.computeResult, req.workloadSubmission, this.#o.chain, this.#o.workloads);
    const body = computeReceiptBody(ev, {
      chainId: await this.#o.chain.chainId(),
      epoch: c.epoch,
      timestamp: BigInt(Math.floor(this.#now() / 1000)),
      params: await this.#o.chain.receiptsParams(),
    });
    return this.#proposeAndSign(c, body, {
      computeResult: req.computeResult,
      workloadSubmission: req.workloadSubmission,
    });
  }

  async #proposeAndSign(
    c: Committee,
    body: ReceiptData,
    evidence: { usageProof?: Uint8Array; computeResult?: Uint8Array; workloadSubmission?: Uint8Array },
  ): Promise<ReceiptResponse> {
    const bodyBytes = ReceiptData.encode(body).finish();
    const empty = new Uint8Array(0);
    const proposal = signMessage(
      ProposalType,
      {
        receiptBody: bodyBytes,
        usageProof: evidence.usageProof ?? empty,
        computeResult: evidence.computeResult ?? empty,
        workloadSubmission: evidence.workloadSubmission ?? empty,
      },
      this.#o.identity,
    );
    const approvals = await this.#collectVotes(c, proposal, sha256(bodyBytes));
    const group = groupOf(c);
    const co = this.#signerFor(c, group);
    // Sign with exactly t approvers (named inside the bytes); if one of them fails, try the next set.
    let lastError: unknown;
    for (const signers of signerSets(approvals, c.threshold)) {
      const data = ReceiptData.encode({ ...body, signers }).finish();
      try {
        const signed = await co.sign({ group, message: receiptSigningMessage(data), signers });
        const receipt = ThresholdReceipt.fromPartial({
          receiptData: Buffer.from(data),
          signature: Buffer.from(signed.signature),
          epoch: c.epoch,
        });
        const id = receiptId(data);
        await this.#publish(receipt, id, body);
        this.#log(
          `receipt ${toHex(id).slice(0, 16)}… issued for node ${toHex(body.nodeId).slice(0, 12)}… by ${signers.join(",")}`,
        );
        return ReceiptResponse.fromPartial({
          thresholdReceipt: Buffer.from(ThresholdReceipt.encode(receipt).finish()),
          receiptId: Buffer.from(id),
          optimisticSignature: Buffer.from(
            ed25519Sign(concat(OPTIMISTIC_DOMAIN, bodyBytes), this.#o.identity.secretKey),
          ),
          proposer: Buffer.from(this.#o.identity.publicKey),
        });
      } catch (e) {
        lastError = e;
        this.#log(
          `signing with ${signers.join(",")} failed: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`,
        );
      }
    }
    throw new BaseError(ErrorCode.Unavailable, "no set of approving members could complete the signature", {
      cause: lastError,
    });
  }

  /** Asks every member (itself included) for a vote; returns the approving participant indexes once ≥ t approved. */
  async #collectVotes(c: Committee, proposal: ReceiptProposal, bodyHash: Uint8Array): Promise<number[]> {
    const timeout = this.#o.voteTimeoutMs ?? 20_000;
    const approvals: number[] = [];
    const refusals: string[] = [];
    await Promise.all(
      c.members.map(async (m, i) => {
        try {
          const v = bytesEqual(m.identityKey, this.#o.identity.publicKey)
            ? await this.handleVote(proposal)
            : await this.#o.peers.vote(m.endpoint, proposal, timeout);
          verifyMessage(VoteType, v, m.identityKey);
          if (v.participantIndex !== i + 1 || v.epoch !== c.epoch || !bytesEqual(v.bodyHash, bodyHash))
            throw new Error("vote for another proposal");
          if (v.approve) approvals.push(i + 1);
          else refusals.push(`participant ${i + 1}: ${v.reason}`);
        } catch (e) {
          refusals.push(`participant ${i + 1}: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`);
        }
      }),
    );
    if (approvals.length < c.threshold)
      throw new ReceiptRefusedError(
        `${approvals.length} of ${c.members.length} members approved, ${c.threshold} needed (${refusals.join("; ")})`,
      );
    return approvals.sort((a, b) => a - b);
  }

  async #publish(receipt: ThresholdReceipt, id: Uint8Array, body: ReceiptData): Promise<void> {
    if (!this.#o.publisher) return;
    // Durable once this resolves (outbox); the publisher posts it to DA in order, retrying through outages.
    await this.#o.publisher.publish({
      type: "receiptIssued",
      value: {
        receipt: Buffer.from(ThresholdReceipt.encode(receipt).finish()),
        receiptId: Buffer.from(id),
        workloadId: Buffer.from(body.workloadId),
        nodeId: Buffer.from(body.nodeId),
        epoch: body.epoch,
      },
    });
  }

  // ---- epoch seed and DKG ----------------------------------------------------------------------------

  /** One poll of the committee duties: the epoch seed when designated, DKG presence, the DKG as participant 1. */
  async tick(): Promise<void> {
    await this.maybeSubmitSeed();
    await this.maybeSignalPresence();
    await this.maybeRunDkg();
  }

  /**
   * Poll step: when a seed request is open and this coordinator's slot is the current one (by the latest block
   * time), prove the request's input with its ECVRF key and submit it. The chain re-checks the slot.
   */
  async maybeSubmitSeed(): Promise<boolean> {
    const submit = this.#o.submitSeed;
    if (!submit) return false;
    const r = await this.#o.chain.seedRequest();
    if (!r || r.producers.length === 0) return false;
    const slotSeconds = BigInt((await this.#o.chain.committeeParams()).seedSlotSeconds ?? "120");
    const now = (await this.#o.chain.latestBlockTime()) + 1n;
    const slot = slotAt(r.openedAt, now, slotSeconds);
    const designated = r.producers[Number(slot % BigInt(r.producers.length))]!;
    if (!bytesEqual(designated.identityKey, this.#o.identity.publicKey)) return false;
    const key = `seed/${r.epoch}/${slot}`;
    if (this.#done.has(key) || this.#dkgRunning.has(key)) return false;
    this.#dkgRunning.add(key);
    try {
      const proof = proveEpochSeed(this.#o.identity.secretKey, await this.#o.chain.chainId(), r.epoch, r.prevSeed);
      await submit(r.epoch, proof);
      this.#done.add(key);
      this.#log(`epoch ${r.epoch} seed submitted (slot ${slot})`);
      return true;
    } catch (e) {
      this.#log(`epoch ${r.epoch} seed submission failed: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`);
      return false;
    } finally {
      this.#dkgRunning.delete(key);
    }
  }

  /** Poll step: signal presence once per DKG attempt of a pending committee this member belongs to. */
  async maybeSignalPresence(): Promise<boolean> {
    const signal = this.#o.signalPresence;
    if (!signal) return false;
    const c = await this.#o.chain.committee();
    if (!c || c.status !== CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG) return false;
    const me = c.members[this.#myIndex(c) - 1];
    if (!me || c.dkgPresent.includes(me.operator)) return false;
    const key = `presence/${c.epoch}/${c.dkgAttempt}`;
    if (this.#done.has(key)) return false;
    try {
      await signal(c.epoch, c.dkgAttempt);
      this.#done.add(key);
      return true;
    } catch (e) {
      this.#log(`DKG presence for epoch ${c.epoch} failed: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`);
      return false;
    }
  }

  /**
   * Poll step: when the chain's current committee waits for its DKG and this member is participant 1, run
   * the DKG across all members and record the signed results on chain. Safe to call repeatedly. With presence
   * signalling on, it waits until every member has signalled (an absent member would only make it time out;
   * the chain re-selects without absentees at the deadline).
   */
  async maybeRunDkg(): Promise<boolean> {
    const c = await this.#o.chain.committee();
    if (!c || c.status !== CommitteeStatus.COMMITTEE_STATUS_PENDING_DKG || this.#myIndex(c) !== 1) return false;
    if (this.#o.signalPresence && c.dkgPresent.length < c.members.length) return false;
    const key = `${c.epoch}/${c.dkgAttempt}`;
    if (this.#dkgRunning.has(key)) return false;
    this.#dkgRunning.add(key);
    try {
      const co = new FrostCoordinator({
        identity: this.#o.identity,
        transport: this.#o.frostTransport?.(c) ?? httpFrostTransport(c),
        timeoutMs: 30_000,
      });
      const out = await co.runDkg({
        epoch: c.epoch,
        threshold: c.threshold,
        members: c.members.map((m) => new Uint8Array(m.identityKey)),
      });
      if (!this.#o.submitDkg) {
        this.#log(
          `DKG for epoch ${c.epoch} done (group key ${toHex(out.group.groupPublicKey)}); no operator key to record it`,
        );
        return true;
      }
      await this.#o.submitDkg(
        c.epoch,
        out.results.map((r) => encodeMessage(DkgResult, r)),
      );
      this.#log(`DKG for epoch ${c.epoch} recorded: group key ${toHex(out.group.groupPublicKey)}`);
      return true;
    } catch (e) {
      this.#log(`DKG for epoch ${c.epoch} failed: ${isBaseError(e) ? e.shortMessage : (e as Error).message}`);
      return false;
    } finally {
      this.#dkgRunning.delete(key);
    }
  }
}

/** Sets of exactly t approvers to try in order: the first t, then each single swap-in of a later approver. */
export function signerSets(approvals: readonly number[], t: number): number[][] {
  const first = approvals.slice(0, t);
  const out = [first];
  for (const extra of approvals.slice(t))
    for (let k = t - 1; k >= 0; k--)
      out.push([...first.slice(0, k), ...first.slice(k + 1), extra].sort((a, b) => a - b));
  return out.slice(0, 1 + 2 * t);
}

export function httpFrostTransport(c: Committee): PeerTransport {
  const urls: Record<string, string> = {};
  for (const m of c.members) urls[toHex(m.identityKey)] = m.endpoint;
  return new HttpPeerTransport(urls);
}

/** Verifies a proposer's optimistic (single-signed) receipt and that a threshold receipt upgrades it (same body). */
export function upgradesOptimistic(
  body: Uint8Array,
  optimisticSignature: Uint8Array,
  proposer: Uint8Array,
  threshold: ThresholdReceipt,
): boolean {
  if (!ed25519Verify(optimisticSignature, concat(OPTIMISTIC_DOMAIN, body), proposer)) return false;
  const d = decodeReceiptData(threshold.receiptData);
  return bytesEqual(ReceiptData.encode({ ...d, signers: [] }).finish(), body);
}

export const newSessionId = () => new Uint8Array(randomBytes(32));
