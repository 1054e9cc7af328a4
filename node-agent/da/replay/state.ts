/** @module Replayed DA state: node registry, chunk map, replica map, zone map — with sorted views and a digest. */

import { createHash } from "node:crypto";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { concatBytes, toHex } from "../../../common/hash.js";
import {
  type ChunkDeclared,
  type ErasureShard,
  NodeClass,
  type NodeRegistered,
  NodeStatus,
  type Principal,
} from "../../../proto/gen/dsdn/da/v1/events.js";
import {
  ChunkEntry,
  DeleteEntry,
  NodeEntry,
  NodeStatusEntry,
  type ReplayStateSnapshot,
  ReplicaEntry,
} from "../../../proto/gen/dsdn/da/v1/state.js";
import { LtHash16, ltElementId } from "./ltHash.js";
import { nodeIdHex, principalKey } from "./principal.js";
import { compareWriteKeys, type WriteKey } from "./writeKey.js";

export type NodeStatusName = "pending" | "active" | "quarantined" | "banned" | "offline";
export type NodeClassName = "regular" | "datacenter";

export const NODE_STATUS_NAMES: Readonly<Record<number, NodeStatusName>> = {
  [NodeStatus.NODE_STATUS_PENDING]: "pending",
  [NodeStatus.NODE_STATUS_ACTIVE]: "active",
  [NodeStatus.NODE_STATUS_QUARANTINED]: "quarantined",
  [NodeStatus.NODE_STATUS_BANNED]: "banned",
  [NodeStatus.NODE_STATUS_OFFLINE]: "offline",
};

export interface NodeRegistration {
  readonly registration: NodeRegistered;
  readonly key: WriteKey;
}
export interface NodeStatusRecord {
  readonly status: NodeStatus;
  readonly reason: string;
  readonly key: WriteKey;
}
/** One uploader's pin of a chunk under a manifest, ordered by what the uploader signed. */
export interface PinRecord {
  readonly manifestCid: string;
  /** bech32 account of the uploader. */
  readonly owner: string;
  readonly key: WriteKey;
}
export interface ChunkRecord {
  /** The newest coordinator declaration (by envelope write key): placement and replication factor. */
  readonly chunk: ChunkDeclared;
  readonly key: WriteKey;
  /** Every pin ever declared for this chunk, by pin id (manifest, owner); deleted ones stay as history. */
  readonly pins: ReadonlyMap<string, PinRecord>;
  /**
   * True when no pin is live (each is covered by a newer DeleteRequested of its owner). Records are kept
   * so an older declaration delivered late still loses to the delete: the outcome is independent of
   * delivery order. Derived from `deletes`, so it is not part of the snapshot.
   */
  readonly deleted: boolean;
  /** Owner of the oldest live pin ("" when none): whose nodes placement avoids. */
  readonly uploader: string;
}
export interface ReplicaRecord {
  /** false records a removal, so that an older add delivered late cannot resurrect the replica. */
  readonly present: boolean;
  readonly ack: Uint8Array;
  readonly reason: string;
  readonly key: WriteKey;
}
export interface DeleteRecord {
  readonly manifestCid: string;
  readonly owner: Principal;
  readonly ownerKey: string;
  readonly key: WriteKey;
}

/** A registered node as consumers see it (ids as lowercase hex, sizes and heights as bigint). */
export interface NodeInfo {
  readonly nodeId: string;
  readonly operator: string;
  readonly zone: string;
  readonly class: NodeClassName;
  readonly capacityBytes: bigint;
  readonly endpoint: string;
  readonly tlsFingerprint: string;
  readonly registeredAtHeight: bigint;
  readonly status: NodeStatusName;
  readonly statusReason: string;
}

export interface ChunkInfo {
  readonly cid: string;
  readonly size: bigint;
  /** The chunk itself when it is a file's manifest, else the manifest of its oldest live pin. */
  readonly manifestCid: string;
  /** Every manifest with a live pin on this chunk, sorted. */
  readonly manifests: readonly string[];
  /** Owner of the oldest live pin (account address). */
  readonly uploader: string;
  /** Owners of live pins, sorted. */
  readonly owners: readonly string[];
  /** Declared placement, most preferred first (node ids, hex). */
  readonly placement: readonly string[];
  readonly replicationFactor: number;
  /** Nodes that hold a replica according to DA, sorted. */
  readonly replicas: readonly string[];
  /** Set when the object is one shard of an erasure-coded chunk: its stripe. */
  readonly shard?: ErasureShard;
}

/** The snapshot fields whose entries have a single string id (4, replicas, is keyed by chunk and node). */
type KeyedField = 1 | 2 | 3 | 5;
const KEYED_FIELDS: readonly KeyedField[] = [1, 2, 3, 5];
/** A digest element (sha256 of an entry), or null for an entry that contributes nothing. */
type Element = Uint8Array | null;

type SnapshotEntry =
  | { readonly field: 1; readonly value: NodeEntry }
  | { readonly field: 2; readonly value: NodeStatusEntry }
  | { readonly field: 3; readonly value: ChunkEntry }
  | { readonly field: 4; readonly value: ReplicaEntry }
  | { readonly field: 5; readonly value: DeleteEntry };

export interface StateCounts {
  readonly nodes: number;
  readonly chunks: number;
  readonly replicas: number;
  readonly zones: number;
}

function addTo<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  let s = index.get(k);
  if (!s) {
    s = new Set();
    index.set(k, s);
  }
  s.add(v);
}
function removeFrom<K, V>(index: Map<K, Set<V>>, k: K, v: V): void {
  const s = index.get(k);
  if (!s) return;
  s.delete(v);
  if (s.size === 0) index.delete(k);
}
function hasPinUnder(pins: ReadonlyMap<string, PinRecord>, manifestCid: string): boolean {
  for (const p of pins.values()) if (p.manifestCid === manifestCid) return true;
  return false;
}
function sorted<T extends string>(it: Iterable<T>): T[] {
  return [...it].sort();
}

/**
 * A chunk's pins when there is exactly one (nearly every chunk): the ReadonlyMap a chunk record exposes, without a
 * Map per chunk. Immutable, so the chunks of one declaration share one.
 */
export class OnePin implements ReadonlyMap<string, PinRecord> {
  constructor(
    private readonly id: string,
    private readonly pin: PinRecord,
  ) {}
  get size(): number {
    return 1;
  }
  get(id: string): PinRecord | undefined {
    return id === this.id ? this.pin : undefined;
  }
  has(id: string): boolean {
    return id === this.id;
  }
  forEach(f: (pin: PinRecord, id: string, map: ReadonlyMap<string, PinRecord>) => void, thisArg?: unknown): void {
    f.call(thisArg, this.pin, this.id, this);
  }
  entries(): MapIterator<[string, PinRecord]> {
    return [[this.id, this.pin] as [string, PinRecord]].values();
  }
  keys(): MapIterator<string> {
    return [this.id].values();
  }
  values(): MapIterator<PinRecord> {
    return [this.pin].values();
  }
  [Symbol.iterator](): MapIterator<[string, PinRecord]> {
    return this.entries();
  }
}

export function deleteRecordId(manifestCid: string, ownerKey: string): string {
  return `${manifestCid}\n${ownerKey}`;
}

/**
 * The derived state. Transitions (apply*.ts) mutate it through the `set*`/`remove*` methods, which keep
 * the secondary indexes (zones, manifests, placements, holdings) consistent; nothing here does I/O.
 */
export class ReplayState {
  readonly registrations = new Map<string, NodeRegistration>();
  readonly statuses = new Map<string, NodeStatusRecord>();
  readonly chunks = new Map<string, ChunkRecord>();
  readonly replicas = new Map<string, Map<string, ReplicaRecord>>();
  readonly deletes = new Map<string, DeleteRecord>();

  private readonly zoneIndex = new Map<string, Set<string>>();
  /** manifest → chunks with a pin (live or not) under it. */
  private readonly manifestIndex = new Map<string, Set<string>>();
  /** pin id (manifest, owner) → chunks it pins. */
  private readonly pinIndex = new Map<string, Set<string>>();
  /**
   * node → visible chunks placed on it, and node → chunks it holds a replica of. Built on the first query (from
   * the maps) and kept current from then on: a replay or a restore that nobody queries never pays for them.
   */
  private placementIndex: Map<string, Set<string>> | undefined;
  private holdingIndex: Map<string, Set<string>> | undefined;
  private replicaCount = 0;
  private visibleChunks = 0;
  private cachedDigest: Uint8Array | undefined;
  /** The digest's accumulator over every snapshot entry (as `[field] ‖ entry bytes`), kept current lazily. */
  private lt = new LtHash16();
  /**
   * Entries changed since the accumulator was last brought up to date, with what each contributed before its
   * first change (its element id, or null for nothing): the next digest removes those and adds what they are now.
   * One map per snapshot field, keyed by the entry's own id (replicas by chunk, then node), so a change costs a
   * map lookup rather than a concatenated key string.
   */
  private readonly touched: Record<KeyedField, Map<string, Element>> = {
    1: new Map(),
    2: new Map(),
    3: new Map(),
    5: new Map(),
  };
  /** Replica entries the same way, per chunk as flat [node, element, node, element, …] (a chunk has a few nodes). */
  private readonly touchedReplicas = new Map<string, (string | Element)[]>();
  private touchedCount = 0;
  private tracking = true;

  // ---- mutations (used by the transitions) ----

  setRegistration(nodeId: string, rec: NodeRegistration): void {
    this.touch(1, nodeId);
    const old = this.registrations.get(nodeId);
    if (old) removeFrom(this.zoneIndex, old.registration.zone, nodeId);
    this.registrations.set(nodeId, rec);
    addTo(this.zoneIndex, rec.registration.zone, nodeId);
    this.cachedDigest = undefined;
  }

  setStatus(nodeId: string, rec: NodeStatusRecord): void {
    this.touch(2, nodeId);
    this.statuses.set(nodeId, rec);
    this.cachedDigest = undefined;
  }

  /** A pin is live unless its owner's newest delete request for that manifest is newer than it. */
  pinLive(pin: PinRecord): boolean {
    const tomb = this.deletes.get(deleteRecordId(pin.manifestCid, pin.owner));
    return tomb === undefined || compareWriteKeys(tomb.key, pin.key) < 0;
  }

  /** Oldest live pin first (by key), so later declarations never change who the chunk is placed for. */
  livePins(rec: { pins: ReadonlyMap<string, PinRecord> }): PinRecord[] {
    return [...rec.pins.values()].filter((p) => this.pinLive(p)).sort((a, b) => compareWriteKeys(a.key, b.key));
  }

  /** livePins(…)[0] without building the list: the live pin with the smallest key. */
  private oldestLivePin(pins: ReadonlyMap<string, PinRecord>): PinRecord | undefined {
    let first: PinRecord | undefined;
    for (const p of pins.values()) {
      if ((first === undefined || compareWriteKeys(p.key, first.key) < 0) && this.pinLive(p)) first = p;
    }
    return first;
  }

  /** Stores a chunk's declaration and pins; liveness (`deleted`, `uploader`) is derived here. */
  setChunk(rec: { chunk: ChunkDeclared; key: WriteKey; pins: ReadonlyMap<string, PinRecord> }): ChunkRecord {
    const cid = rec.chunk.cid;
    const old = this.chunks.get(cid);
    // The chunk's entry, and the delete entries of its pins (a delete counts only while it covers a declaration).
    this.touch(3, cid);
    if (this.tracking) {
      if (old) for (const id of old.pins.keys()) this.touch(5, id);
      for (const id of rec.pins.keys()) this.touch(5, id);
    }
    if (old && !old.deleted) this.unindexVisible(old);
    // Only pins that came or went change the pin and manifest indexes (a re-declaration keeps most of them).
    if (old) {
      for (const [id, p] of old.pins) {
        if (rec.pins.has(id)) continue;
        removeFrom(this.pinIndex, id, cid);
        if (!hasPinUnder(rec.pins, p.manifestCid)) removeFrom(this.manifestIndex, p.manifestCid, cid);
      }
    }
    for (const [id, p] of rec.pins) {
      if (old?.pins.has(id)) continue;
      addTo(this.manifestIndex, p.manifestCid, cid);
      addTo(this.pinIndex, id, cid);
    }
    const first = this.oldestLivePin(rec.pins);
    const full: ChunkRecord = {
      chunk: rec.chunk,
      key: rec.key,
      pins: rec.pins,
      deleted: first === undefined,
      uploader: first?.owner ?? "",
    };
    this.chunks.set(cid, full);
    if (!full.deleted) this.indexVisible(full);
    this.cachedDigest = undefined;
    return full;
  }

  /**
   * restore()'s insert of a chunk read from a checkpoint (deletes already in): what setChunk does for a new chunk,
   * without its change bookkeeping (nothing is touched; the accumulator is adopted). `pinIds` are the pins' map keys
   * in the same order as `pins` (the reader has them interned). A cid seen twice goes through setChunk, so the maps
   * end with fewer entries than the file claims and the reader's count check refuses the file.
   */
  loadChunk(chunk: ChunkDeclared, key: WriteKey, pins: ReadonlyMap<string, PinRecord>): void {
    const cid = chunk.cid;
    if (this.tracking || this.chunks.has(cid)) {
      this.setChunk({ chunk, key, pins });
      return;
    }
    let first: PinRecord | undefined;
    for (const [id, p] of pins) {
      addTo(this.manifestIndex, p.manifestCid, cid);
      addTo(this.pinIndex, id, cid);
      if (first !== undefined && compareWriteKeys(p.key, first.key) >= 0) continue;
      const tomb = this.deletes.get(id);
      if (tomb === undefined || compareWriteKeys(tomb.key, p.key) < 0) first = p;
    }
    this.chunks.set(cid, { chunk, key, pins, deleted: first === undefined, uploader: first?.owner ?? "" });
    if (first !== undefined) this.visibleChunks++;
  }

  /** restore()'s insert of a replica read from a checkpoint: setReplica without change bookkeeping. */
  loadReplica(cid: string, nodeId: string, rec: ReplicaRecord): void {
    let m = this.replicas.get(cid);
    if (this.tracking || m?.has(nodeId)) {
      this.setReplica(cid, nodeId, rec);
      return;
    }
    if (!m) {
      m = new Map();
      this.replicas.set(cid, m);
    }
    m.set(nodeId, rec);
    if (rec.present) this.replicaCount++;
  }

  /** Re-derives liveness after a delete request changed; returns true when the chunk just lost its last pin. */
  refreshChunk(cid: string): boolean {
    const old = this.chunks.get(cid);
    if (!old) return false;
    const now = this.setChunk(old);
    return !old.deleted && now.deleted;
  }

  /** Chunks a pin (manifest, owner) covers, live or not. */
  chunksOfPin(manifestCid: string, ownerKey: string): ReadonlySet<string> {
    return this.pinIndex.get(deleteRecordId(manifestCid, ownerKey)) ?? new Set();
  }

  private indexVisible(rec: ChunkRecord): void {
    this.visibleChunks++;
    const index = this.placementIndex;
    if (index) for (const n of rec.chunk.placement) addTo(index, nodeIdHex(n), rec.chunk.cid);
  }

  private unindexVisible(rec: ChunkRecord): void {
    this.visibleChunks--;
    const index = this.placementIndex;
    if (index) for (const n of rec.chunk.placement) removeFrom(index, nodeIdHex(n), rec.chunk.cid);
  }

  setReplica(cid: string, nodeId: string, rec: ReplicaRecord): void {
    this.touchReplica(cid, nodeId);
    let m = this.replicas.get(cid);
    if (!m) {
      m = new Map();
      this.replicas.set(cid, m);
    }
    const old = m.get(nodeId);
    if (old?.present) {
      this.replicaCount--;
      if (this.holdingIndex) removeFrom(this.holdingIndex, nodeId, cid);
    }
    m.set(nodeId, rec);
    if (rec.present) {
      this.replicaCount++;
      if (this.holdingIndex) addTo(this.holdingIndex, nodeId, cid);
    }
    this.cachedDigest = undefined;
  }

  setDelete(rec: DeleteRecord): void {
    const id = deleteRecordId(rec.manifestCid, rec.ownerKey);
    this.touch(5, id);
    this.deletes.set(id, rec);
    this.cachedDigest = undefined;
  }

  /** Every CID with a pin (live or not) under this manifest. */
  declaredUnderManifest(manifestCid: string): ReadonlySet<string> {
    return this.manifestIndex.get(manifestCid) ?? new Set();
  }

  /** Chunks with a live pin under this manifest, sorted. */
  chunksOfManifest(manifestCid: string): string[] {
    return sorted(
      [...this.declaredUnderManifest(manifestCid)].filter((c) => {
        const rec = this.chunks.get(c);
        return rec !== undefined && this.livePins(rec).some((p) => p.manifestCid === manifestCid);
      }),
    );
  }

  // ---- views (sorted, so every consumer iterates in the same order) ----

  getNode(nodeId: string): NodeInfo | undefined {
    const reg = this.registrations.get(nodeId);
    if (!reg) return undefined;
    const r = reg.registration;
    const st = this.statuses.get(nodeId);
    return {
      nodeId,
      operator: r.operator,
      zone: r.zone,
      class: r.class === NodeClass.NODE_CLASS_DATACENTER ? "datacenter" : "regular",
      capacityBytes: r.capacityBytes,
      endpoint: r.endpoint,
      tlsFingerprint: toHex(r.tlsFingerprint),
      registeredAtHeight: r.registeredAtHeight,
      status: st ? (NODE_STATUS_NAMES[st.status] ?? "pending") : "pending",
      statusReason: st?.reason ?? "",
    };
  }

  /** Registered nodes sorted by id, optionally filtered by status and zone. */
  listNodes(filter: { status?: NodeStatusName; zone?: string } = {}): NodeInfo[] {
    const ids =
      filter.zone !== undefined ? sorted(this.zoneIndex.get(filter.zone) ?? []) : sorted(this.registrations.keys());
    const out: NodeInfo[] = [];
    for (const id of ids) {
      const n = this.getNode(id);
      if (n && (filter.status === undefined || n.status === filter.status)) out.push(n);
    }
    return out;
  }

  /** zone → sorted node ids, zones sorted. */
  zones(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const z of sorted(this.zoneIndex.keys())) out.set(z, sorted(this.zoneIndex.get(z) ?? []));
    return out;
  }

  getChunk(cid: string): ChunkInfo | undefined {
    const rec = this.chunks.get(cid);
    if (!rec || rec.deleted) return undefined;
    const live = this.livePins(rec);
    const manifests = sorted(new Set(live.map((p) => p.manifestCid)));
    return {
      cid,
      size: rec.chunk.size,
      manifestCid: manifests.includes(cid) ? cid : live[0]!.manifestCid,
      manifests,
      uploader: rec.uploader,
      owners: sorted(new Set(live.map((p) => p.owner))),
      placement: rec.chunk.placement.map(nodeIdHex),
      replicationFactor: rec.chunk.replicationFactor,
      replicas: this.replicasOf(cid),
      ...(rec.chunk.shard ? { shard: rec.chunk.shard } : {}),
    };
  }

  /** Live (declared and not deleted) chunk CIDs, sorted. */
  listChunkCids(): string[] {
    const out: string[] = [];
    for (const [cid, r] of this.chunks) if (!r.deleted) out.push(cid);
    return out.sort();
  }

  /** Nodes DA says hold `cid`, sorted (whether or not the chunk is still declared). */
  replicasOf(cid: string): string[] {
    const m = this.replicas.get(cid);
    if (!m) return [];
    const out: string[] = [];
    for (const [n, r] of m) if (r.present) out.push(n);
    return out.sort();
  }

  /** Declared chunks whose placement names `nodeId` — what the node should hold. Sorted. */
  chunksPlacedOn(nodeId: string): string[] {
    this.placementIndex ??= this.buildPlacementIndex();
    return sorted(this.placementIndex.get(nodeId) ?? []);
  }

  /** Chunks DA records `nodeId` as holding. Sorted. */
  chunksHeldBy(nodeId: string): string[] {
    this.holdingIndex ??= this.buildHoldingIndex();
    return sorted(this.holdingIndex.get(nodeId) ?? []);
  }

  private buildPlacementIndex(): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    for (const [cid, rec] of this.chunks) {
      if (!rec.deleted) for (const n of rec.chunk.placement) addTo(index, nodeIdHex(n), cid);
    }
    return index;
  }

  private buildHoldingIndex(): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    for (const [cid, m] of this.replicas) for (const [n, r] of m) if (r.present) addTo(index, n, cid);
    return index;
  }

  counts(): StateCounts {
    return {
      nodes: this.registrations.size,
      chunks: this.visibleChunks,
      replicas: this.replicaCount,
      zones: this.zoneIndex.size,
    };
  }

  // ---- canonical form ----

  /** Every snapshot entry in canonical order: field (1 nodes … 5 deletes), then each list sorted by its key. */
  private *snapshotEntries(): Generator<SnapshotEntry> {
    for (const id of sorted(this.registrations.keys())) yield this.entryOf(1, id)!;
    for (const id of sorted(this.statuses.keys())) yield this.entryOf(2, id)!;
    for (const cid of sorted(this.chunks.keys())) yield this.entryOf(3, cid)!;
    for (const cid of sorted(this.replicas.keys())) {
      for (const n of sorted(this.replicas.get(cid)!.keys())) yield this.replicaEntryOf(cid, n)!;
    }
    for (const id of sorted(this.deletes.keys())) {
      const e = this.entryOf(5, id);
      if (e) yield e;
    }
  }

  /**
   * The snapshot entry of field 1 (node), 2 (status), 3 (chunk) or 5 (delete) with this id, or undefined when the
   * state holds none (a delete covering no declaration holds none either).
   */
  private entryOf(field: KeyedField, id: string): SnapshotEntry | undefined {
    switch (field) {
      case 1: {
        const r = this.registrations.get(id);
        return r && { field: 1, value: { registration: r.registration, key: keyView(r.key) } };
      }
      case 2: {
        const st = this.statuses.get(id);
        return (
          st && {
            field: 2,
            value: { nodeId: Buffer.from(id, "hex"), status: st.status, reason: st.reason, key: keyView(st.key) },
          }
        );
      }
      case 3: {
        const c = this.chunks.get(id);
        if (!c) return undefined;
        const pins = sorted(c.pins.keys()).map((pid) => {
          const p = c.pins.get(pid)!;
          return { manifestCid: p.manifestCid, owner: p.owner, key: keyView(p.key) };
        });
        return { field: 3, value: { chunk: c.chunk, key: keyView(c.key), pins } };
      }
      default: {
        const d = this.deletes.get(id);
        if (!d || !this.deleteCoversDeclaration(d)) return undefined;
        return { field: 5, value: { manifestCid: d.manifestCid, owner: d.owner, key: keyView(d.key) } };
      }
    }
  }

  /** The replica entry (field 4) of `cid` on node `n`, or undefined. */
  private replicaEntryOf(cid: string, n: string): SnapshotEntry | undefined {
    const r = this.replicas.get(cid)?.get(n);
    return (
      r && {
        field: 4,
        value: {
          cid,
          nodeId: Buffer.from(n, "hex"),
          present: r.present,
          ack: bytesView(r.ack),
          reason: r.reason,
          key: keyView(r.key),
        },
      }
    );
  }

  /** Remembers what an entry contributed before its first change since the last digest. */
  private touch(field: KeyedField, id: string): void {
    if (!this.tracking) return;
    const m = this.touched[field];
    if (m.has(id)) return;
    const e = this.entryOf(field, id);
    m.set(id, e ? elementIdOf(e) : null);
    this.touchedCount++;
    this.cachedDigest = undefined;
  }

  /** touch() for a replica entry. */
  private touchReplica(cid: string, n: string): void {
    if (!this.tracking) return;
    let m = this.touchedReplicas.get(cid);
    if (!m) {
      m = [];
      this.touchedReplicas.set(cid, m);
    } else for (let i = 0; i < m.length; i += 2) if (m[i] === n) return;
    const e = this.replicaEntryOf(cid, n);
    m.push(n, e ? elementIdOf(e) : null);
    this.touchedCount++;
    this.cachedDigest = undefined;
  }

  /** The whole state as a message with every list sorted: equal states give equal bytes. */
  toSnapshot(): ReplayStateSnapshot {
    const snap: ReplayStateSnapshot = { nodes: [], statuses: [], chunks: [], replicas: [], deletes: [] };
    for (const e of this.snapshotEntries()) {
      if (e.field === 1) snap.nodes.push(e.value);
      else if (e.field === 2) snap.statuses.push(e.value);
      else if (e.field === 3) snap.chunks.push(e.value);
      else if (e.field === 4) snap.replicas.push(e.value);
      else snap.deletes.push(e.value);
    }
    return snap;
  }

  /**
   * The canonical bytes (exactly `ReplayStateSnapshot.encode(toSnapshot())`) as a list of pieces, encoded entry
   * by entry so a large state never needs one huge writer, with their sha256 (a checkpoint's integrity check).
   */
  encodeCanonicalParts(): { parts: Uint8Array[]; length: number; checksum: Uint8Array } {
    const parts: Uint8Array[] = [];
    const hash = createHash("sha256");
    let length = 0;
    let w = new BinaryWriter();
    let n = 0;
    const cut = () => {
      const piece = w.finish();
      parts.push(piece);
      hash.update(piece);
      length += piece.length;
      w = new BinaryWriter();
      n = 0;
    };
    for (const e of this.snapshotEntries()) {
      w.uint32((e.field << 3) | 2).fork();
      encodeEntry(e, w);
      w.join();
      if (++n === 2048) cut();
    }
    cut();
    return { parts, length, checksum: new Uint8Array(hash.digest()) };
  }

  /**
   * A delete request only counts once its owner has a declaration under that manifest: anyone can sign
   * a request for their own key, and such noise must not change the digest.
   */
  private deleteCoversDeclaration(d: DeleteRecord): boolean {
    return this.pinIndex.has(deleteRecordId(d.manifestCid, d.ownerKey));
  }

  /** Delete requests left out of the snapshot (they cover nothing yet); checkpoints keep them. Sorted. */
  dormantDeletes(): DeleteEntry[] {
    const out: DeleteEntry[] = [];
    for (const id of sorted(this.deletes.keys())) {
      const d = this.deletes.get(id)!;
      if (!this.deleteCoversDeclaration(d))
        out.push({
          manifestCid: d.manifestCid,
          owner: d.owner,
          key: { height: d.key.height, tie: Buffer.from(d.key.tie) },
        });
    }
    return out;
  }

  /** The canonical bytes (ReplayStateSnapshot protobuf) in one buffer. */
  encodeCanonical(): Uint8Array {
    const { parts, length } = this.encodeCanonicalParts();
    return concatBytes(...parts).subarray(0, length);
  }

  /**
   * The state digest: LtHash16 over the snapshot's entries (each as `[field] ‖ canonical entry bytes`), so equal
   * states give equal digests whatever order they were built in. Kept incrementally: this folds in only the
   * entries changed since the previous call — O(changes), never a pass over the whole state.
   */
  digest(): Uint8Array {
    if (this.touchedCount > 0) {
      // The accumulator is a sum, so the order entries are folded in does not matter.
      const fold = (before: Element, now: SnapshotEntry | undefined) => {
        if (before) this.lt.update(before, -1);
        if (now) this.lt.update(elementIdOf(now), 1);
      };
      for (const field of KEYED_FIELDS) {
        const m = this.touched[field];
        for (const [id, before] of m) fold(before, this.entryOf(field, id));
        m.clear();
      }
      for (const [cid, m] of this.touchedReplicas)
        for (let i = 0; i < m.length; i += 2) fold(m[i + 1] as Element, this.replicaEntryOf(cid, m[i] as string));
      this.touchedReplicas.clear();
      this.touchedCount = 0;
      this.cachedDigest = undefined;
    }
    this.cachedDigest ??= this.lt.digest();
    return this.cachedDigest;
  }

  /** How many entries the next digest folds in (changed since the last one): its cost is proportional to this. */
  pendingDigestEntries(): number {
    return this.touchedCount;
  }

  /** The digest's accumulator, current (what a checkpoint stores so a restart need not rebuild it). */
  digestAccumulator(): Uint8Array {
    this.digest();
    return this.lt.toBytes();
  }

  /** The digest recomputed from every entry, ignoring the incremental accumulator (tests, audits). */
  digestFromScratch(): Uint8Array {
    return this.accumulateAll().digest();
  }

  private accumulateAll(): LtHash16 {
    const lt = new LtHash16();
    for (const e of this.snapshotEntries()) lt.update(elementIdOf(e), 1);
    return lt;
  }

  digestHex(): string {
    return toHex(this.digest());
  }

  /**
   * Builds a state through the mutation methods (so the indexes are kept as in a replay) without recording
   * changes, then adopts the digest's accumulator when given (a checkpoint's), else builds it once.
   */
  static restore(build: (s: ReplayState) => void, accumulator?: Uint8Array): ReplayState {
    const s = new ReplayState();
    s.tracking = false; // the accumulator is adopted (or built once) below, not entry by entry
    build(s);
    s.tracking = true;
    s.lt = accumulator ? LtHash16.fromBytes(accumulator) : s.accumulateAll();
    return s;
  }

  /** Rebuilds a state (and its indexes) from a snapshot. */
  static fromSnapshot(
    snap: ReplayStateSnapshot,
    dormantDeletes: readonly DeleteEntry[] = [],
    accumulator?: Uint8Array,
  ): ReplayState {
    return ReplayState.restore((s) => ReplayState.fill(s, snap, dormantDeletes), accumulator);
  }

  private static fill(s: ReplayState, snap: ReplayStateSnapshot, dormantDeletes: readonly DeleteEntry[]): void {
    const key = (k: { height: bigint; tie: Uint8Array } | undefined): WriteKey => ({
      height: k?.height ?? 0n,
      tie: k?.tie ?? new Uint8Array(0),
    });
    for (const n of snap.nodes) {
      if (!n.registration) continue;
      s.setRegistration(nodeIdHex(n.registration.nodeId), { registration: n.registration, key: key(n.key) });
    }
    for (const d of [...snap.deletes, ...dormantDeletes]) {
      if (!d.owner) continue;
      s.setDelete({
        manifestCid: d.manifestCid,
        owner: d.owner,
        ownerKey: principalKey(d.owner) ?? "",
        key: key(d.key),
      });
    }
    for (const st of snap.statuses) {
      s.setStatus(nodeIdHex(st.nodeId), { status: st.status, reason: st.reason, key: key(st.key) });
    }
    for (const c of snap.chunks) {
      if (!c.chunk) continue;
      const pins = new Map<string, PinRecord>();
      for (const p of c.pins)
        pins.set(deleteRecordId(p.manifestCid, p.owner), {
          manifestCid: p.manifestCid,
          owner: p.owner,
          key: key(p.key),
        });
      s.setChunk({ chunk: c.chunk, key: key(c.key), pins });
    }
    for (const r of snap.replicas) {
      s.setReplica(r.cid, nodeIdHex(r.nodeId), {
        present: r.present,
        ack: r.ack,
        reason: r.reason,
        key: key(r.key),
      });
    }
  }
}

// Views, not copies: a snapshot of a large state is mostly allocation otherwise.
function bytesView(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
function keyView(w: WriteKey): { height: bigint; tie: Buffer } {
  return { height: w.height, tie: bytesView(w.tie) };
}

/** One writer for every digest element: finish() hands back a copy and keeps the grown buffer for the next. */
const elementWriter = new BinaryWriter();

/** The element the digest holds for a snapshot entry: sha256([field] ‖ entry's canonical bytes). */
function elementIdOf(e: SnapshotEntry): Uint8Array {
  elementWriter.uint32(e.field);
  encodeEntry(e, elementWriter);
  return ltElementId(elementWriter.finish());
}

/** Encodes one snapshot entry's message (without its field tag). */
function encodeEntry(e: SnapshotEntry, w: BinaryWriter): void {
  if (e.field === 1) NodeEntry.encode(e.value, w);
  else if (e.field === 2) NodeStatusEntry.encode(e.value, w);
  else if (e.field === 3) ChunkEntry.encode(e.value, w);
  else if (e.field === 4) ReplicaEntry.encode(e.value, w);
  else DeleteEntry.encode(e.value, w);
}
