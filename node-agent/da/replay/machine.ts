/** @module The replay state machine: orders envelopes per publisher, applies them, and snapshots itself. */

import { BinaryReader } from "@bufbuild/protobuf/wire";
import { BaseError, ErrorCode, IntegrityError } from "../../../common/errors.js";
import { bytesEqual, concatBytes, sha256Native, toHex } from "../../../common/hash.js";
import { CommitteeRotated } from "../../../proto/gen/dsdn/da/v1/events.js";
import { ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import { EnvelopeError, type OpenedEnvelope, openEnvelope, openSealedEnvelope } from "../events/envelope.js";
import { SEALED_ENVELOPE_VERSION } from "../events/format.js";
import { openBlob } from "../events/openedEvents.js";
import type { DAHeightBlobs } from "../types.js";
import { applyChunkDeclared } from "./applyChunkDeclared.js";
import { applyDeleteRequested } from "./applyDeleteRequested.js";
import { applyNodeRegistered } from "./applyNodeRegistered.js";
import { applyNodeStatusChanged } from "./applyNodeStatusChanged.js";
import { applyReplicaAdded } from "./applyReplicaAdded.js";
import { applyReplicaRemoved } from "./applyReplicaRemoved.js";
import type { ReplayConfig } from "./config.js";
import { ReplayState } from "./state.js";
import { type ApplyContext, type ApplyOutcome, applied, rejected, type StateChange, superseded } from "./transition.js";
import { envelopeWriteKey } from "./writeKey.js";

/** 2: the LtHash16 state digest with its accumulator stored (format 1 checkpoints are refused: replay instead). */
export const CHECKPOINT_FORMAT_VERSION = 2;

/** Envelopes held back for one publisher waiting for a sequence gap to fill (beyond: dropped, counted). */
export const MAX_PENDING_PER_PUBLISHER = 1024;
/** Held envelopes in all (coordinators and registered nodes). */
export const MAX_PENDING = 16_384;
/**
 * Held envelopes of publishers that are neither coordinators nor registered nodes (yet): a node's event may
 * arrive before the relayed registration that authorizes it, but throwaway keys must not grow the buffer.
 */
export const MAX_PENDING_UNKNOWN = 256;
export const MAX_PENDING_PER_UNKNOWN_PUBLISHER = 8;
/** Largest committee a CommitteeRotated may name. */
export const MAX_COMMITTEE_MEMBERS = 256;

export interface ReplayStats {
  /** Last DA height applied (0 before any). */
  readonly height: bigint;
  readonly heights: number;
  readonly blobs: number;
  /** Blobs in the namespace that are not DSDN event batches. */
  readonly foreignBlobs: number;
  /** DSDN blobs that could not be read (unknown format version, broken framing). */
  readonly invalidBlobs: number;
  readonly envelopes: number;
  readonly applied: number;
  /** Valid events that lost to a newer write (no state change). */
  readonly superseded: number;
  /** Envelopes whose sequence was already applied (re-posted blobs). */
  readonly duplicates: number;
  /** Envelopes waiting for an earlier sequence of their publisher. */
  readonly pending: number;
  /** Two different envelopes claiming the same (publisher, sequence); the first one seen is kept. */
  readonly equivocations: number;
  /** Envelopes dropped before sequencing, by reason (malformed, non-canonical, bad-signature, …). */
  readonly invalid: Readonly<Record<string, number>>;
  /** Signed events refused by the rules (unauthorized, bad fields), by reason. They consume their sequence. */
  readonly rejected: Readonly<Record<string, number>>;
}

export interface HeightResult {
  readonly height: bigint;
  readonly changes: readonly StateChange[];
}

interface Pending {
  readonly env: OpenedEnvelope;
  readonly height: bigint;
}

function bump(rec: Record<string, number>, key: string): void {
  rec[key] = (rec[key] ?? 0) + 1;
}

/**
 * Feeds DA heights in increasing order. Within a height, blobs are taken in index order and envelopes in
 * blob order; per publisher, sequence numbers are applied strictly in order: already-applied ones are
 * ignored, early ones wait for the gap to fill. Invalid input is counted, never thrown.
 */
export class ReplayMachine {
  readonly config: ReplayConfig;
  private stateRef: ReplayState;
  private appliedHeight = 0n;
  private readonly cursors = new Map<string, bigint>();
  private readonly pending = new Map<string, Map<bigint, Pending>>();
  private pendingCount = 0;
  private readonly counters = {
    heights: 0,
    blobs: 0,
    foreignBlobs: 0,
    invalidBlobs: 0,
    envelopes: 0,
    applied: 0,
    superseded: 0,
    duplicates: 0,
    equivocations: 0,
  };
  private readonly invalid: Record<string, number> = {};
  private readonly rejectedCounts: Record<string, number> = {};
  /** The newest CommitteeRotated applied, and its members (hex): coordinators besides the configured set. */
  private committeeRef: CommitteeRotated | undefined;
  private members = new Set<string>();

  constructor(config: ReplayConfig, state: ReplayState = new ReplayState()) {
    this.config = config;
    this.stateRef = state;
  }

  get state(): ReplayState {
    return this.stateRef;
  }

  /** Last DA height applied (0 before any). */
  get height(): bigint {
    return this.appliedHeight;
  }

  digest(): Uint8Array {
    return this.stateRef.digest();
  }

  digestHex(): string {
    return this.stateRef.digestHex();
  }

  /** Highest sequence applied for a publisher (0 when none) — what a restarted publisher must continue after. */
  appliedSequence(publisher: Uint8Array | string): bigint {
    return this.cursors.get(typeof publisher === "string" ? publisher.toLowerCase() : toHex(publisher)) ?? 0n;
  }

  stats(): ReplayStats {
    return {
      height: this.appliedHeight,
      ...this.counters,
      pending: this.pendingCount,
      invalid: { ...this.invalid },
      rejected: { ...this.rejectedCounts },
    };
  }

  /** Applies every blob of one height. Heights must increase (gaps are allowed, e.g. a `--from` start). */
  applyHeight(h: DAHeightBlobs): HeightResult {
    if (h.height <= this.appliedHeight) {
      throw new BaseError(ErrorCode.InvalidArgument, `height ${h.height} already applied (at ${this.appliedHeight})`);
    }
    const changes: StateChange[] = [];
    const blobs = [...h.blobs].sort((a, b) => a.index - b.index);
    for (const blob of blobs) {
      this.counters.blobs++;
      const opened = openBlob(blob.data);
      if (opened.kind === "foreign") {
        this.counters.foreignBlobs++;
        continue;
      }
      if (opened.kind === "invalid") {
        this.counters.invalidBlobs++;
        continue;
      }
      for (const env of opened.envelopes) this.receive(env, h.height, changes);
    }
    this.appliedHeight = h.height;
    this.counters.heights++;
    return { height: h.height, changes };
  }

  private receive(env: OpenedEnvelope | EnvelopeError, height: bigint, changes: StateChange[]): void {
    this.counters.envelopes++;
    if (env instanceof EnvelopeError) {
      bump(this.invalid, env.reason);
      return;
    }
    this.sequence(env, height, changes);
  }

  /** The committee announced on DA most recently (undefined before any CommitteeRotated). */
  get committee(): CommitteeRotated | undefined {
    return this.committeeRef;
  }

  /** Configured coordinators and the members of the newest rotated committee. */
  private isCoordinator(pub: string): boolean {
    return this.config.coordinators.has(pub) || this.members.has(pub);
  }

  /** Coordinators (replay rules and the rotated committee) and nodes the registry knows may publish; anyone else is held or ignored. */
  private authorized(pub: string): boolean {
    return this.isCoordinator(pub) || this.stateRef.registrations.has(pub);
  }

  private heldUnknown(): number {
    let n = 0;
    for (const [pub, w] of this.pending) if (!this.authorized(pub)) n += w.size;
    return n;
  }

  private sequence(env: OpenedEnvelope, height: bigint, changes: StateChange[]): void {
    const pub = env.publisherHex;
    const cursor = this.cursors.get(pub) ?? 0n;
    if (env.sequence <= cursor) {
      this.counters.duplicates++;
      return;
    }
    const known = this.authorized(pub);
    if (env.sequence > cursor + 1n || !known) {
      const perPublisher = known ? MAX_PENDING_PER_PUBLISHER : MAX_PENDING_PER_UNKNOWN_PUBLISHER;
      if (
        (this.pending.get(pub)?.size ?? 0) >= perPublisher ||
        this.pendingCount >= MAX_PENDING ||
        (!known && this.heldUnknown() >= MAX_PENDING_UNKNOWN)
      ) {
        bump(this.invalid, known ? "pending-full" : "unknown-publisher");
        return;
      }
      let waiting = this.pending.get(pub);
      if (!waiting) {
        waiting = new Map();
        this.pending.set(pub, waiting);
      }
      const held = waiting.get(env.sequence);
      if (held) {
        if (bytesEqual(held.env.bytes, env.bytes)) this.counters.duplicates++;
        else this.counters.equivocations++;
        return;
      }
      // Copy: the envelope may be a view into a blob buffer we should not keep alive whole.
      waiting.set(env.sequence, { env: { ...env, bytes: new Uint8Array(env.bytes) }, height });
      this.pendingCount++;
      return;
    }
    this.apply(env, height, changes);
    this.drain(pub, changes);
  }

  /** Applies a publisher's held envelopes that are next in sequence (once it is authorized). */
  private drain(pub: string, changes: StateChange[]): void {
    const waiting = this.pending.get(pub);
    if (!waiting || !this.authorized(pub)) return;
    for (let next = (this.cursors.get(pub) ?? 0n) + 1n; ; next++) {
      const p = waiting.get(next);
      if (!p) break;
      waiting.delete(next);
      this.pendingCount--;
      this.apply(p.env, p.height, changes);
    }
    if (waiting.size === 0) this.pending.delete(pub);
  }

  private apply(env: OpenedEnvelope, blobHeight: bigint, changes: StateChange[]): void {
    this.cursors.set(env.publisherHex, env.sequence);
    const ctx: ApplyContext = {
      publisherHex: env.publisherHex,
      isCoordinator: this.isCoordinator(env.publisherHex),
      key: envelopeWriteKey(env.publisher, env.sequence, env.observedHeight),
      blobHeight,
    };
    let outcome: ApplyOutcome;
    if (env.observedHeight >= blobHeight) {
      // A publisher cannot have seen a height at or after the one its event lands in; a future
      // observed height would let it win every later conflict.
      outcome = rejected("observed_height is not before the blob's height");
    } else {
      const ev = env.event;
      switch (ev.type) {
        case "nodeRegistered":
          outcome = applyNodeRegistered(this.stateRef, ev.value, ctx);
          break;
        case "nodeStatusChanged":
          outcome = applyNodeStatusChanged(this.stateRef, ev.value, ctx);
          break;
        case "chunkDeclared":
          outcome = applyChunkDeclared(this.stateRef, ev.value, ctx);
          break;
        case "replicaAdded":
          outcome = applyReplicaAdded(this.stateRef, ev.value, ctx);
          break;
        case "replicaRemoved":
          outcome = applyReplicaRemoved(this.stateRef, ev.value, ctx);
          break;
        case "deleteRequested":
          outcome = applyDeleteRequested(this.stateRef, ev.value, ctx);
          break;
        case "receiptIssued":
        case "workloadScheduled":
        case "computeReported":
        case "computeDisagreement":
          // Receipts are settled on chain (receipts module) and compute records are read by the compute index
          // (node-agent/compute/daIndex.ts); the DA log is their public record, and derived storage state does
          // not change when one is published.
          outcome = { status: "applied", changes: [] };
          break;
        case "committeeRotated":
          outcome = this.applyCommitteeRotated(ev.value, ctx.isCoordinator);
          break;
        case "fallbackActivated":
          // A publisher's own record of where its blobs went during a DA outage; no derived state.
          outcome = applied([]);
          break;
      }
    }
    if (outcome.status === "applied") {
      this.counters.applied++;
      // Members of a new committee may have events waiting for their authorization.
      if (env.event.type === "committeeRotated")
        for (const m of [...this.members].sort()) if (m !== env.publisherHex) this.drain(m, changes);
      for (const c of outcome.changes) changes.push(c);
      // A newly registered node may have events waiting for its registration.
      for (const c of outcome.changes)
        if (c.type === "nodeRegistered" && c.nodeId !== env.publisherHex) this.drain(c.nodeId, changes);
    } else if (outcome.status === "superseded") {
      this.counters.superseded++;
    } else {
      bump(this.rejectedCounts, outcome.reason);
    }
  }

  /**
   * A configured coordinator or a member of the current committee announces the next one (the chain's
   * record, relayed): epochs only increase; members must be 1…256 distinct 32-byte keys. The new members
   * replace the old ones as coordinators; the configured set keeps its authority.
   */
  private applyCommitteeRotated(c: CommitteeRotated, byCoordinator: boolean): ApplyOutcome {
    if (!byCoordinator) return rejected("unauthorized: only coordinators announce committee rotations");
    if (c.members.length === 0 || c.members.length > MAX_COMMITTEE_MEMBERS)
      return rejected("CommitteeRotated needs 1-256 members");
    const hexes = c.members.map((m) => toHex(m));
    if (c.members.some((m) => m.length !== 32) || new Set(hexes).size !== hexes.length)
      return rejected("CommitteeRotated members must be distinct 32-byte keys");
    if (c.groupKey.length > 33 || (c.seed.length !== 0 && c.seed.length !== 32))
      return rejected("CommitteeRotated group key or seed malformed");
    if (this.committeeRef && c.epoch <= this.committeeRef.epoch) return superseded;
    this.committeeRef = CommitteeRotated.fromPartial(c);
    this.members = new Set(hexes);
    return applied([]);
  }

  // ---- checkpoints ----

  /** Everything needed to resume exactly here: state, height, sequences and held-back envelopes. */
  toCheckpoint(withState = true, checksum?: Uint8Array): ReplayCheckpoint {
    const state = withState ? this.stateRef.toSnapshot() : undefined;
    const stateChecksum = checksum ?? (withState ? this.stateRef.encodeCanonicalParts().checksum : new Uint8Array(0));
    const cursors = [...this.cursors.keys()].sort().map((p) => ({
      publisher: Buffer.from(p, "hex"),
      appliedSequence: this.cursors.get(p)!,
    }));
    const pending: ReplayCheckpoint["pending"] = [];
    for (const pub of [...this.pending.keys()].sort()) {
      const waiting = this.pending.get(pub)!;
      for (const seq of [...waiting.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
        const p = waiting.get(seq)!;
        pending.push({ height: p.height, envelope: Buffer.from(p.env.bytes) });
      }
    }
    return {
      formatVersion: CHECKPOINT_FORMAT_VERSION,
      height: this.appliedHeight,
      configFingerprint: Buffer.from(this.config.fingerprint),
      state,
      stateDigest: Buffer.from(this.stateRef.digest()),
      stateChecksum: Buffer.from(stateChecksum),
      stateAccumulator: Buffer.from(this.stateRef.digestAccumulator()),
      cursors,
      pending,
      dormantDeletes: this.stateRef.dormantDeletes(),
      committee: this.committeeRef,
    };
  }

  /**
   * The checkpoint as ReplayCheckpoint protobuf bytes, encoding the (large) state only once: its bytes are
   * both hashed for the digest and embedded as field 4.
   */
  encodeCheckpoint(): Uint8Array {
    return concatBytes(...this.encodeCheckpointParts());
  }

  /** Same bytes as `encodeCheckpoint()`, in pieces (a large state is written to disk without one huge buffer). */
  encodeCheckpointParts(): Uint8Array[] {
    const state = this.stateRef.encodeCanonicalParts();
    const meta = ReplayCheckpoint.encode({ ...this.toCheckpoint(false, state.checksum), state: undefined }).finish();
    const len: number[] = [];
    for (let n = state.length; ; n = Math.floor(n / 128)) {
      if (n < 128) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    return [meta, new Uint8Array([0x22, ...len]), ...state.parts]; // 0x22: field 4, length-delimited
  }

  /** Restores from ReplayCheckpoint protobuf bytes, checking the state bytes against the stored digest. */
  static decodeCheckpoint(bytes: Uint8Array, config: ReplayConfig): ReplayMachine {
    let cp: ReplayCheckpoint;
    let stateBytes: Uint8Array | undefined;
    try {
      cp = ReplayCheckpoint.decode(bytes);
      const r = new BinaryReader(bytes);
      while (r.pos < r.len) {
        const tag = r.uint32();
        if (tag === 0x22) {
          const n = r.uint32();
          stateBytes = bytes.subarray(r.pos, r.pos + n);
          r.pos += n;
        } else r.skip(tag & 7);
      }
    } catch (e) {
      throw new IntegrityError("checkpoint does not decode", { cause: e });
    }
    return ReplayMachine.fromCheckpoint(cp, config, stateBytes);
  }

  /**
   * Restores a machine; throws IntegrityError when the checkpoint does not hold together. With the state's
   * encoded bytes at hand their hash is checked against the digest; otherwise the state is re-encoded.
   */
  static fromCheckpoint(cp: ReplayCheckpoint, config: ReplayConfig, stateBytes?: Uint8Array): ReplayMachine {
    if (cp.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
      throw new IntegrityError(`checkpoint format version ${cp.formatVersion} is not supported`);
    }
    ReplayMachine.checkRules(cp, config);
    if (!cp.state) throw new IntegrityError("checkpoint has no state");
    if (stateBytes && !bytesEqual(sha256Native(stateBytes), cp.stateChecksum)) {
      throw new IntegrityError("checkpoint state does not match its checksum");
    }
    // With the state bytes checked, the stored accumulator belongs to them: adopt it instead of re-hashing.
    const adopt = stateBytes && cp.stateAccumulator.length > 0 ? cp.stateAccumulator : undefined;
    return ReplayMachine.resume(cp, config, ReplayState.fromSnapshot(cp.state, cp.dormantDeletes, adopt));
  }

  /** Refuses a checkpoint built under other replay rules (its coordinator set). */
  static checkRules(cp: Pick<ReplayCheckpoint, "configFingerprint">, config: ReplayConfig): void {
    if (!bytesEqual(cp.configFingerprint, config.fingerprint)) {
      throw new IntegrityError("checkpoint was built under different replay rules (coordinator set)");
    }
  }

  /**
   * A machine around a restored state, resuming at the checkpoint's height, sequences, held-back envelopes
   * and committee (whatever the checkpoint's `state` field holds is ignored); the state's digest must equal
   * the stored one.
   */
  static resume(cp: ReplayCheckpoint, config: ReplayConfig, state: ReplayState): ReplayMachine {
    ReplayMachine.checkRules(cp, config);
    if (!bytesEqual(state.digest(), cp.stateDigest)) {
      throw new IntegrityError("checkpoint state does not match its digest", {
        details: `stored ${toHex(cp.stateDigest)}, computed ${state.digestHex()}`,
      });
    }
    const m = new ReplayMachine(config, state);
    m.appliedHeight = cp.height;
    if (cp.committee) {
      m.committeeRef = cp.committee;
      m.members = new Set(cp.committee.members.map((x) => toHex(x)));
    }
    for (const c of cp.cursors) m.cursors.set(toHex(c.publisher), c.appliedSequence);
    for (const p of cp.pending) {
      let env: OpenedEnvelope;
      try {
        // A held sealed envelope has no signature of its own: it was verified under its batch's seal before
        // it was held, and the checkpoint file's checksum covers it since.
        const bytes = new Uint8Array(p.envelope);
        env = bytes[1] === SEALED_ENVELOPE_VERSION ? openSealedEnvelope(bytes) : openEnvelope(bytes);
      } catch (e) {
        throw new IntegrityError("checkpoint holds an invalid pending envelope", { cause: e });
      }
      let waiting = m.pending.get(env.publisherHex);
      if (!waiting) {
        waiting = new Map();
        m.pending.set(env.publisherHex, waiting);
      }
      if (env.sequence <= (m.cursors.get(env.publisherHex) ?? 0n) || waiting.has(env.sequence)) {
        throw new IntegrityError("checkpoint pending envelopes are inconsistent with its cursors");
      }
      waiting.set(env.sequence, { env, height: p.height });
      m.pendingCount++;
    }
    return m;
  }
}
