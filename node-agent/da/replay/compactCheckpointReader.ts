/**
 * @module Reads checkpoint format 3 (compactCheckpoint.ts) as a stream: the maps and indexes are rebuilt record by
 * record, with no per-entry protobuf objects, while one sha256 runs over the content; anything malformed, out of
 * bounds or not matching its checksum, counts or digest is an IntegrityError.
 */

import { createHash } from "node:crypto";
import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual, toHex } from "../../../common/hash.js";
import { type ChunkDeclared, ErasureShard, UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { DeleteEntry, NodeEntry, ReplayCheckpoint } from "../../../proto/gen/dsdn/da/v1/state.js";
import {
  COMPACT_FORMAT_VERSION,
  COMPACT_MAGIC,
  MAX_RECORD_BYTES,
  RECORD_HEADER_BYTES,
  Rec,
} from "./compactCheckpoint.js";
import type { ReplayConfig } from "./config.js";
import { LT_HASH_BYTES } from "./ltHash.js";
import { ReplayMachine } from "./machine.js";
import { nodeIdHex, principalKey } from "./principal.js";
import { deleteRecordId, type PinRecord, ReplayState } from "./state.js";
import type { WriteKey } from "./writeKey.js";

const READ_BYTES = 8 << 20;
const BIGINT_CACHE = 4096;
const CHECKSUM_BYTES = 32;

/** Where the file's bytes come from: a file descriptor (`readSync`) or, in tests, a buffer. */
export interface ByteSource {
  readonly size: number;
  /** Reads up to `length` bytes at `position` into `into` at `offset`; returns how many were read. */
  read(into: Buffer, offset: number, length: number, position: number): number;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return {
    size: bytes.length,
    read(into, offset, length, position) {
      const n = Math.max(0, Math.min(length, bytes.length - position));
      into.set(bytes.subarray(position, position + n), offset);
      return n;
    },
  };
}

export interface CompactReadOptions {
  /**
   * "adopt" (default): the stored LtHash accumulator is taken as the state's, once the content matches its checksum
   * and the accumulator its stored digest. "full": the digest is also recomputed from every restored entry (an audit;
   * it costs what a from-scratch digest costs).
   */
  readonly verify?: "adopt" | "full";
}

/** Does the file start like a format 3 checkpoint? */
export function isCompactCheckpoint(head: Uint8Array): boolean {
  return head.length >= COMPACT_MAGIC.length && bytesEqual(head.subarray(0, COMPACT_MAGIC.length), COMPACT_MAGIC);
}

class RecordReader {
  private buf = Buffer.alloc(0);
  /** Next unread byte in `buf`, end of the valid bytes in `buf`, and end of the record being parsed. */
  pos = 0;
  private end = 0;
  recEnd = 0;
  /** File offset of `buf[end]`; content stops where the checksum starts. */
  private filePos = 0;
  private readonly contentEnd: number;
  private readonly hash = createHash("sha256");

  constructor(private readonly src: ByteSource) {
    if (src.size < COMPACT_MAGIC.length + CHECKSUM_BYTES) throw new IntegrityError("checkpoint file is truncated");
    this.contentEnd = src.size - CHECKSUM_BYTES;
  }

  /** Makes `n` bytes from `pos` available in `buf` (a new buffer each time: earlier ones stay valid for views). */
  private need(n: number): void {
    if (this.end - this.pos >= n) return;
    const left = this.end - this.pos;
    const next = Buffer.allocUnsafe(Math.max(READ_BYTES, n));
    this.buf.copy(next, 0, this.pos, this.end);
    let filled = left;
    const want = Math.min(next.length, left + (this.contentEnd - this.filePos));
    while (filled < want) {
      const got = this.src.read(next, filled, want - filled, this.filePos);
      if (got <= 0) break;
      this.hash.update(next.subarray(filled, filled + got));
      filled += got;
      this.filePos += got;
    }
    this.buf = next;
    this.pos = 0;
    this.end = filled;
    if (filled < n) throw new IntegrityError("checkpoint file is truncated");
  }

  atContentEnd(): boolean {
    return this.pos === this.end && this.filePos === this.contentEnd;
  }

  /** Consumes the file's magic (content like the rest: it is hashed too). */
  magic(): void {
    this.need(COMPACT_MAGIC.length);
    if (!isCompactCheckpoint(this.buf.subarray(this.pos, this.pos + COMPACT_MAGIC.length)))
      throw new IntegrityError("not a format 3 DSDN replay checkpoint");
    this.pos += COMPACT_MAGIC.length;
  }

  /** The next record's tag; its body is then in `buf` from `pos` to `recEnd`. */
  next(): number {
    this.need(RECORD_HEADER_BYTES);
    const tag = this.buf[this.pos]!;
    const len = this.buf.readUInt32BE(this.pos + 1);
    if (len > MAX_RECORD_BYTES) throw new IntegrityError(`checkpoint record of ${len} bytes is over the bound`);
    this.pos += RECORD_HEADER_BYTES;
    this.need(len);
    this.recEnd = this.pos + len;
    return tag;
  }

  /** Every record must be read to its last byte. */
  done(): void {
    if (this.pos !== this.recEnd) throw new IntegrityError("checkpoint record has trailing bytes");
  }

  /** The record body as a view. */
  body(): Buffer {
    const b = this.buf.subarray(this.pos, this.recEnd);
    this.pos = this.recEnd;
    return b;
  }

  bodyString(): string {
    const s = this.buf.toString("utf8", this.pos, this.recEnd);
    this.pos = this.recEnd;
    return s;
  }

  private overrun(): never {
    throw new IntegrityError("checkpoint record ends inside a field");
  }

  uint(): number {
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      if (this.pos >= this.recEnd) this.overrun();
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) {
        if (n > Number.MAX_SAFE_INTEGER) break;
        return n;
      }
      mul *= 0x80;
    }
    throw new IntegrityError("checkpoint number out of bounds");
  }

  u64(): bigint {
    // Heights and sizes are small: read up to 7 bytes (49 bits) as a number, else start over with bigints.
    const start = this.pos;
    let n = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.recEnd) this.overrun();
      const b = this.buf[this.pos++]!;
      n += (b & 0x7f) * mul;
      if (b < 0x80) return this.bigint(n);
      mul *= 0x80;
    }
    this.pos = start;
    let v = 0n;
    for (let shift = 0n; shift < 70n; shift += 7n) {
      if (this.pos >= this.recEnd) this.overrun();
      const b = this.buf[this.pos++]!;
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        if (v >= 1n << 64n) break;
        return v;
      }
    }
    throw new IntegrityError("checkpoint uint64 out of bounds");
  }

  /**
   * BigInt(n) through a small direct-mapped cache: most u64s are heights, shared by many entries, and a restore
   * otherwise keeps one heap BigInt per height field (millions of equal values for the GC to copy and mark).
   */
  private bigint(n: number): bigint {
    const i = n & (BIGINT_CACHE - 1);
    if (this.bigNums[i] === n) return this.bigVals[i]!;
    const v = BigInt(n);
    this.bigNums[i] = n;
    this.bigVals[i] = v;
    return v;
  }
  private readonly bigNums = new Float64Array(BIGINT_CACHE).fill(Number.NaN);
  private readonly bigVals: bigint[] = new Array(BIGINT_CACHE).fill(0n);

  /** A view of the next length-prefixed bytes (a plain Uint8Array: cheaper to make than a Buffer, same bytes). */
  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.recEnd) this.overrun();
    const b = new Uint8Array(this.buf.buffer, this.buf.byteOffset + this.pos, n);
    this.pos += n;
    return b;
  }

  /** bytes() for fields typed Buffer (the protobuf messages' bytes fields). */
  bufferBytes(): Buffer {
    const n = this.uint();
    if (this.pos + n > this.recEnd) this.overrun();
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  key(): WriteKey {
    const height = this.u64();
    return { height, tie: this.bytes() };
  }

  /** Reads the stored checksum after the last record and compares it with the content's. */
  checksum(): void {
    const stored = Buffer.alloc(CHECKSUM_BYTES);
    if (this.src.read(stored, 0, CHECKSUM_BYTES, this.contentEnd) !== CHECKSUM_BYTES)
      throw new IntegrityError("checkpoint file is truncated");
    if (!bytesEqual(new Uint8Array(this.hash.digest()), stored))
      throw new IntegrityError("checkpoint file checksum mismatch (truncated or corrupted)");
  }
}

function ref<T>(table: readonly T[], i: number, what: string): T {
  const v = table[i];
  if (v === undefined) throw new IntegrityError(`checkpoint refers to an undefined ${what} (${i})`);
  return v;
}

/** Restores a machine from a format 3 checkpoint; throws IntegrityError when anything does not check out. */
export function readCompactCheckpoint(
  src: ByteSource,
  config: ReplayConfig,
  options: CompactReadOptions = {},
): ReplayMachine {
  try {
    return read(src, config, options);
  } catch (e) {
    if (e instanceof IntegrityError) throw e;
    throw new IntegrityError("checkpoint does not decode", { cause: e });
  }
}

function read(src: ByteSource, config: ReplayConfig, options: CompactReadOptions): ReplayMachine {
  const r = new RecordReader(src);
  r.magic();
  if (r.next() !== Rec.Header) throw new IntegrityError("checkpoint does not start with its header");
  const header = ReplayCheckpoint.decode(r.body());
  if (header.formatVersion !== COMPACT_FORMAT_VERSION)
    throw new IntegrityError(`checkpoint format version ${header.formatVersion} in a format 3 file`);
  ReplayMachine.checkRules(header, config); // before reading the (large) rest
  if (header.stateAccumulator.length !== LT_HASH_BYTES)
    throw new IntegrityError("checkpoint has no digest accumulator");

  let counts: number[] | undefined;
  const state = ReplayState.restore((s) => {
    counts = readEntries(r, s);
  }, header.stateAccumulator);
  r.checksum();
  if (options.verify === "full" && !bytesEqual(state.digestFromScratch(), header.stateDigest)) {
    throw new IntegrityError("checkpoint entries do not match its digest", {
      details: `stored ${toHex(header.stateDigest)}, entries ${toHex(state.digestFromScratch())}`,
    });
  }
  let replicas = 0;
  for (const m of state.replicas.values()) replicas += m.size;
  const held = [state.registrations.size, state.statuses.size, state.deletes.size, state.chunks.size, replicas];
  if (counts!.some((c, i) => c !== held[i]))
    throw new IntegrityError("checkpoint entry counts do not match its trailer (duplicate entries)");
  return ReplayMachine.resume(header, config, state);
}

/** Applies every entry record to `s`; returns the trailer's counts (checked against what was read). */
function readEntries(r: RecordReader, s: ReplayState): number[] {
  const strings: string[] = [];
  const nodes: { hex: string; id: Buffer }[] = [];
  const decls: UploadDeclaration[] = [];
  const pinIds = new PinIds();
  const read = [0, 0, 0, 0, 0];
  let last: number = Rec.Registration;
  for (;;) {
    const tag = r.next();
    if (tag >= Rec.Registration && tag <= Rec.Replica) {
      if (tag < last) throw new IntegrityError("checkpoint entries out of order");
      last = tag;
      read[tag - Rec.Registration]!++;
    }
    switch (tag) {
      case Rec.Str:
        strings.push(r.bodyString());
        break;
      case Rec.Node: {
        const id = r.body();
        nodes.push({ hex: id.toString("hex"), id });
        break;
      }
      case Rec.Decl:
        decls.push(UploadDeclaration.decode(r.body()));
        break;
      case Rec.Registration: {
        const n = NodeEntry.decode(r.body());
        if (!n.registration) throw new IntegrityError("checkpoint node entry without registration");
        s.setRegistration(nodeIdHex(n.registration.nodeId), { registration: n.registration, key: protoKey(n.key) });
        break;
      }
      case Rec.Status: {
        const node = ref(nodes, r.uint(), "node");
        const status = r.uint();
        const reason = ref(strings, r.uint(), "string");
        s.setStatus(node.hex, { status, reason, key: r.key() });
        break;
      }
      case Rec.Delete: {
        const d = DeleteEntry.decode(r.body());
        if (!d.owner) throw new IntegrityError("checkpoint delete entry without owner");
        s.setDelete({
          manifestCid: d.manifestCid,
          owner: d.owner,
          ownerKey: principalKey(d.owner) ?? "",
          key: protoKey(d.key),
        });
        break;
      }
      case Rec.Chunk:
        readChunk(r, s, strings, nodes, decls, pinIds);
        break;
      case Rec.Replica: {
        const cid = ref(strings, r.uint(), "string");
        const node = ref(nodes, r.uint(), "node");
        const present = r.uint() === 1;
        const ack = r.bytes();
        const reason = ref(strings, r.uint(), "string");
        s.loadReplica(cid, node.hex, { present, ack, reason, key: r.key() });
        break;
      }
      case Rec.Trailer: {
        const counts = [r.uint(), r.uint(), r.uint(), r.uint(), r.uint()];
        r.done();
        if (!r.atContentEnd()) throw new IntegrityError("checkpoint has records after its trailer");
        if (counts.some((c, i) => c !== read[i]))
          throw new IntegrityError("checkpoint entry counts do not match its trailer (records missing)");
        return counts;
      }
      default:
        throw new IntegrityError(`checkpoint record tag ${tag} is unknown`);
    }
    r.done();
  }
}

function readChunk(
  r: RecordReader,
  s: ReplayState,
  strings: readonly string[],
  nodes: readonly { hex: string; id: Buffer }[],
  decls: readonly UploadDeclaration[],
  pinIds: PinIds,
): void {
  const cid = ref(strings, r.uint(), "string");
  const size = r.u64();
  const manifestCid = ref(strings, r.uint(), "string");
  const placement: Buffer[] = [];
  for (let n = r.uint(); n > 0; n--) placement.push(ref(nodes, r.uint(), "node").id);
  const replicationFactor = r.uint();
  const d = r.uint();
  const declaration = d === 0 ? undefined : ref(decls, d - 1, "declaration");
  const index = r.uint();
  const proof: Buffer[] = [];
  for (let n = r.uint(); n > 0; n--) proof.push(r.bufferBytes());
  const z = r.u64();
  const chainHeight = z & 1n ? -((z + 1n) >> 1n) : z >> 1n;
  const shard = r.uint() === 1 ? ErasureShard.decode(r.bytes()) : undefined;
  const chunk: ChunkDeclared = {
    cid,
    size,
    manifestCid,
    placement,
    replicationFactor,
    declaration,
    index,
    proof,
    chainHeight,
    shard,
  };
  const key = r.key();
  const pins = new Map<string, PinRecord>();
  for (let n = r.uint(); n > 0; n--) {
    const mi = r.uint();
    const oi = r.uint();
    const m = ref(strings, mi, "string");
    const owner = ref(strings, oi, "string");
    pins.set(pinIds.get(mi, oi, m, owner), { manifestCid: m, owner, key: r.key() });
  }
  s.loadChunk(chunk, key, pins);
}

/**
 * Pin ids (manifest, owner) by string indexes: the chunks of one file follow each other and share their pin, so the
 * last id is kept (one flat string shared by every chunk of the file, not one concatenation per chunk).
 */
class PinIds {
  private m = -1;
  private o = -1;
  private id = "";
  get(mi: number, oi: number, manifestCid: string, owner: string): string {
    if (mi !== this.m || oi !== this.o) {
      this.m = mi;
      this.o = oi;
      // Flattened once here, so map lookups with it do not flatten a cons string each time.
      this.id = deleteRecordId(manifestCid, owner);
      void this.id.charCodeAt(0);
    }
    return this.id;
  }
}

function protoKey(k: { height: bigint; tie: Uint8Array } | undefined): WriteKey {
  return { height: k?.height ?? 0n, tie: k?.tie ?? new Uint8Array(0) };
}
