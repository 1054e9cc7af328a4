/** @module Writes checkpoint format 3 (compactCheckpoint.ts) as a stream of pieces: no whole-state array in memory. */

import { createHash } from "node:crypto";
import { ErasureShard, UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { DeleteEntry, NodeEntry, ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import { COMPACT_FORMAT_VERSION, COMPACT_MAGIC, RECORD_HEADER_BYTES, Rec } from "./compactCheckpoint.js";
import type { ReplayMachine } from "./machine.js";
import type { WriteKey } from "./writeKey.js";

const FLUSH_BYTES = 1 << 20;
const TWO_64 = 1n << 64n;

/**
 * Encodes one record body at a time into a reused scratch buffer, then appends it (tag, length, body) to the
 * output buffer, handed to `sink` whenever it fills. Strings, node ids and declarations get an index the first
 * time they are used, announced by their own record just before the record that uses them.
 */
class RecordWriter {
  private out = Buffer.allocUnsafe(FLUSH_BYTES);
  private outPos = 0;
  private rec = Buffer.allocUnsafe(4096);
  private pos = 0;
  private readonly strings = new Map<string, number>();
  private readonly nodesByHex = new Map<string, number>();
  private readonly nodesByBytes = new Map<string, number>();
  private readonly decls = new Map<string, number>();
  private readonly declsByObject = new WeakMap<object, number>();
  readonly hash = createHash("sha256");

  constructor(private readonly sink: (piece: Uint8Array) => void) {}

  /** Raw bytes straight to the output (the magic and the final checksum). */
  put(bytes: Uint8Array, hashed = true): void {
    if (this.outPos + bytes.length > this.out.length) this.flush();
    if (bytes.length > this.out.length) {
      if (hashed) this.hash.update(bytes);
      this.sink(bytes);
      return;
    }
    this.out.set(bytes, this.outPos);
    if (hashed) this.hash.update(this.out.subarray(this.outPos, this.outPos + bytes.length));
    this.outPos += bytes.length;
  }

  flush(): void {
    if (this.outPos === 0) return;
    this.sink(this.out.subarray(0, this.outPos));
    this.out = Buffer.allocUnsafe(FLUSH_BYTES); // the sink may keep the piece
    this.outPos = 0;
  }

  /** Ends the record being built: tag, body length, body. */
  end(tag: number): void {
    const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    head[0] = tag;
    head.writeUInt32BE(this.pos, 1);
    this.put(head);
    this.put(this.rec.subarray(0, this.pos));
    this.pos = 0;
  }

  private room(n: number): void {
    if (this.pos + n <= this.rec.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.rec.length * 2, this.pos + n));
    this.rec.copy(bigger, 0, 0, this.pos);
    this.rec = bigger;
  }

  uint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.rec[this.pos++] = (n % 0x80) | 0x80;
      n = Math.floor(n / 0x80);
    }
    this.rec[this.pos++] = n;
  }

  u64(v: bigint): void {
    if (v < 0n || v >= TWO_64) throw new RangeError("uint64 out of range");
    if (v <= 0xffffffffn) {
      this.uint(Number(v));
      return;
    }
    this.room(10);
    while (v >= 0x80n) {
      this.rec[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.rec[this.pos++] = Number(v);
  }

  bytes(b: Uint8Array): void {
    this.uint(b.length);
    this.room(b.length);
    this.rec.set(b, this.pos);
    this.pos += b.length;
  }

  key(k: WriteKey): void {
    this.u64(k.height);
    this.bytes(k.tie);
  }

  /** A string by index (defined now when new). Must be called while no other record is being built. */
  str(s: string): number {
    let i = this.strings.get(s);
    if (i === undefined) {
      i = this.strings.size;
      this.strings.set(s, i);
      this.define(Rec.Str, Buffer.from(s, "utf8"));
    }
    return i;
  }

  nodeHex(hex: string): number {
    let i = this.nodesByHex.get(hex);
    if (i === undefined) i = this.defineNode(Buffer.from(hex, "hex"), hex);
    return i;
  }

  nodeBytes(id: Uint8Array): number {
    const b = Buffer.from(id.buffer, id.byteOffset, id.byteLength);
    const i = this.nodesByBytes.get(b.toString("latin1"));
    return i ?? this.defineNode(b, b.toString("hex"));
  }

  private defineNode(b: Buffer, hex: string): number {
    const i = this.nodesByBytes.size;
    this.nodesByBytes.set(b.toString("latin1"), i);
    this.nodesByHex.set(hex, i);
    this.define(Rec.Node, b);
    return i;
  }

  /** 0 for none, else the declaration's index + 1 (equal declarations share one, whichever object holds them). */
  decl(d: UploadDeclaration | undefined): number {
    if (!d) return 0;
    const known = this.declsByObject.get(d);
    if (known !== undefined) return known;
    const bytes = UploadDeclaration.encode(d).finish();
    const k = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
    let i = this.decls.get(k);
    if (i === undefined) {
      i = this.decls.size + 1;
      this.decls.set(k, i);
      this.define(Rec.Decl, bytes);
    }
    this.declsByObject.set(d, i);
    return i;
  }

  /** A whole record written at once (definitions, protobuf records): does not disturb the scratch buffer. */
  define(tag: number, body: Uint8Array): void {
    const head = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
    head[0] = tag;
    head.writeUInt32BE(body.length, 1);
    this.put(head);
    this.put(body);
  }
}

export interface CompactCheckpointCounts {
  readonly registrations: number;
  readonly statuses: number;
  readonly deletes: number;
  readonly chunks: number;
  readonly replicas: number;
}

/**
 * Streams the machine's checkpoint in format 3 to `sink` (magic, records, then the sha256 of all of it). A piece is
 * only valid during the call. Every delete request is stored (those covering no declaration too), in map order:
 * the reader rebuilds the maps, the indexes and — from the stored accumulator — the digest, in any entry order.
 */
export function writeCompactCheckpoint(machine: ReplayMachine, sink: (piece: Uint8Array) => void): void {
  const w = new RecordWriter(sink);
  const state = machine.state;
  w.put(COMPACT_MAGIC);
  const meta = machine.toCheckpoint(false);
  const header = ReplayCheckpoint.encode({
    ...meta,
    formatVersion: COMPACT_FORMAT_VERSION,
    dormantDeletes: [],
    stateChecksum: Buffer.alloc(0),
  }).finish();
  w.define(Rec.Header, header);

  for (const r of state.registrations.values()) {
    w.define(Rec.Registration, NodeEntry.encode({ registration: r.registration, key: protoKey(r.key) }).finish());
  }
  for (const [id, st] of state.statuses) {
    const node = w.nodeHex(id);
    const reason = w.str(st.reason);
    w.uint(node);
    w.uint(st.status);
    w.uint(reason);
    w.key(st.key);
    w.end(Rec.Status);
  }
  for (const d of state.deletes.values()) {
    w.define(
      Rec.Delete,
      DeleteEntry.encode({ manifestCid: d.manifestCid, owner: d.owner, key: protoKey(d.key) }).finish(),
    );
  }
  const pinRefs: number[] = [];
  const placement: number[] = [];
  for (const [cid, c] of state.chunks) {
    const ch = c.chunk;
    // Definitions first (they are records of their own), then the chunk record that refers to them.
    const cidRef = w.str(cid);
    const manifestRef = w.str(ch.manifestCid);
    placement.length = 0;
    for (const n of ch.placement) placement.push(w.nodeBytes(n));
    const declRef = w.decl(ch.declaration);
    pinRefs.length = 0;
    for (const p of c.pins.values()) pinRefs.push(w.str(p.manifestCid), w.str(p.owner));
    w.uint(cidRef);
    w.u64(ch.size);
    w.uint(manifestRef);
    w.uint(placement.length);
    for (const n of placement) w.uint(n);
    w.uint(ch.replicationFactor);
    w.uint(declRef);
    w.uint(ch.index);
    w.uint(ch.proof.length);
    for (const p of ch.proof) w.bytes(p);
    w.u64(ch.chainHeight < 0n ? (-ch.chainHeight << 1n) - 1n : ch.chainHeight << 1n); // zigzag
    if (ch.shard) {
      w.uint(1);
      w.bytes(ErasureShard.encode(ch.shard).finish());
    } else w.uint(0);
    w.key(c.key);
    w.uint(c.pins.size);
    let i = 0;
    for (const p of c.pins.values()) {
      w.uint(pinRefs[i++]!);
      w.uint(pinRefs[i++]!);
      w.key(p.key);
    }
    w.end(Rec.Chunk);
  }
  let replicas = 0;
  for (const [cid, m] of state.replicas) {
    const cidRef = w.str(cid);
    for (const [node, r] of m) {
      const nodeRef = w.nodeHex(node);
      const reason = w.str(r.reason);
      w.uint(cidRef);
      w.uint(nodeRef);
      w.uint(r.present ? 1 : 0);
      w.bytes(r.ack);
      w.uint(reason);
      w.key(r.key);
      w.end(Rec.Replica);
      replicas++;
    }
  }
  const counts: CompactCheckpointCounts = {
    registrations: state.registrations.size,
    statuses: state.statuses.size,
    deletes: state.deletes.size,
    chunks: state.chunks.size,
    replicas,
  };
  w.uint(counts.registrations);
  w.uint(counts.statuses);
  w.uint(counts.deletes);
  w.uint(counts.chunks);
  w.uint(counts.replicas);
  w.end(Rec.Trailer);
  w.put(new Uint8Array(w.hash.digest()), false);
  w.flush();
}

/** A write key as the protobuf message (the tie viewed, not copied). */
function protoKey(k: WriteKey): { height: bigint; tie: Buffer } {
  return { height: k.height, tie: Buffer.from(k.tie.buffer, k.tie.byteOffset, k.tie.byteLength) };
}
