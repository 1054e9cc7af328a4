/**
 * @module A hand-written reader for the hot sealed envelopes (ChunkDeclared, ReplicaAdded): one copy of the
 * envelope, fields as views into it, ASCII strings decoded natively. It reads only the canonical layout (fields
 * in order, small varints, ASCII strings); anything else returns undefined and the generated decoder decides.
 */
import type { ChunkDeclared, ReplicaAdded, UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import type { DAEvent } from "./event.js";
import { SEALED_ENVELOPE_VERSION } from "./format.js";

/** What `openSealedEnvelope` needs from a version-2 envelope with exactly one event. */
export interface ReadEnvelope {
  readonly publisher: Buffer;
  readonly sequence: bigint;
  readonly observedHeight: bigint;
  readonly event: DAEvent;
}

const EMPTY = Buffer.alloc(0);
/**
 * Small values (heights, counts, indexes) as one shared bigint each: every event of a blob carries the same observed
 * height, and a record keeps it in its write key. Bigints are immutable values, so sharing cannot change a result.
 */
const SMALL_BIGINTS = 1 << 16;
const smallBigints: (bigint | undefined)[] = new Array(SMALL_BIGINTS);

/** BigInt(v), one shared instance for each small value (sequence numbers and heights repeat across records). */
function sharedBigint(v: number): bigint {
  if (v >= SMALL_BIGINTS) return BigInt(v);
  let b = smallBigints[v];
  if (b === undefined) {
    b = BigInt(v);
    smallBigints[v] = b;
  }
  return b;
}

/** Thrown inside the reader to fall back; never escapes it. */
const OFF_PATH = Symbol("off-path");

/**
 * A cursor over one envelope copy. Each read refuses (throws OFF_PATH) what the fast path does not cover, so
 * the generated decoder, which defines the wire semantics, handles it instead.
 */
class Cursor {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    public end: number,
  ) {}

  /** A varint of at most 4 bytes (< 2^28): uint32 fields, tags and lengths of at most 64 KiB envelopes. */
  small(): number {
    const b = this.buf;
    let v = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (this.pos >= this.end) throw OFF_PATH;
      const x = b[this.pos++]!;
      v |= (x & 0x7f) << shift;
      if (x < 0x80) return v;
    }
    throw OFF_PATH;
  }

  /** A uint64 varint of at most 7 bytes (< 2^49, exact as a number). */
  u64(): bigint {
    const b = this.buf;
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 7; i++) {
      if (this.pos >= this.end) throw OFF_PATH;
      const x = b[this.pos++]!;
      v += (x & 0x7f) * mul;
      if (x < 0x80) return sharedBigint(v);
      mul *= 128;
    }
    throw OFF_PATH;
  }

  /** Length of a length-delimited field's body, which must lie inside the current message. */
  span(): number {
    const len = this.small();
    if (len > this.end - this.pos) throw OFF_PATH;
    return len;
  }

  bytes(): Buffer {
    const len = this.span();
    const v = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return v;
  }

  /** ASCII only (then UTF-8 decoding is the identity); any other byte goes to the generated decoder. */
  ascii(): string {
    const len = this.span();
    const b = this.buf;
    for (let i = this.pos; i < this.pos + len; i++) if (b[i]! >= 0x80) throw OFF_PATH;
    const s = b.toString("latin1", this.pos, this.pos + len);
    this.pos += len;
    return s;
  }
}

/**
 * The next field number: known to the fast path with its wire type, in increasing order (only the fields in
 * the `repeated` bitmask may follow themselves).
 */
function nextField(c: Cursor, last: number, wireTypes: Readonly<Record<number, number>>, repeated = 0): number {
  const tag = c.small();
  const field = tag >>> 3;
  if (wireTypes[field] !== (tag & 7)) throw OFF_PATH;
  if (field < last || (field === last && (repeated & (1 << field)) === 0)) throw OFF_PATH;
  return field;
}

const DECLARATION_WIRE: Readonly<Record<number, number>> = { 1: 2, 2: 2, 3: 0, 4: 0, 5: 0, 6: 0, 7: 2, 8: 2, 9: 2 };

function readDeclaration(c: Cursor): UploadDeclaration {
  const d: UploadDeclaration = {
    manifestCid: "",
    chunksRoot: EMPTY,
    chunkCount: 0n,
    totalSize: 0n,
    signedAtHeight: 0n,
    expiresAtHeight: 0n,
    uploader: "",
    uploaderPublicKey: EMPTY,
    signature: EMPTY,
  };
  let last = 0;
  while (c.pos < c.end) {
    const f = nextField(c, last, DECLARATION_WIRE);
    last = f;
    if (f === 1) d.manifestCid = c.ascii();
    else if (f === 2) d.chunksRoot = c.bytes();
    else if (f === 3) d.chunkCount = c.u64();
    else if (f === 4) d.totalSize = c.u64();
    else if (f === 5) d.signedAtHeight = c.u64();
    else if (f === 6) d.expiresAtHeight = c.u64();
    else if (f === 7) d.uploader = c.ascii();
    else if (f === 8) d.uploaderPublicKey = c.bytes();
    else d.signature = c.bytes();
  }
  return d;
}

// Field 15 (int64 chain_height) and 16 (shard) are left to the generated decoder (negative int64, nested stripe).
const CHUNK_WIRE: Readonly<Record<number, number>> = { 1: 2, 2: 0, 3: 2, 5: 2, 6: 0, 7: 2, 8: 0, 9: 2 };

function readChunkDeclared(c: Cursor): ChunkDeclared {
  const ev: ChunkDeclared = {
    cid: "",
    size: 0n,
    manifestCid: "",
    placement: [],
    replicationFactor: 0,
    declaration: undefined,
    index: 0,
    proof: [],
    chainHeight: 0n,
    shard: undefined,
  };
  let last = 0;
  while (c.pos < c.end) {
    // placement (5) and proof (9) are the repeated fields.
    const f = nextField(c, last, CHUNK_WIRE, (1 << 5) | (1 << 9));
    last = f;
    if (f === 1) ev.cid = c.ascii();
    else if (f === 2) ev.size = c.u64();
    else if (f === 3) ev.manifestCid = c.ascii();
    else if (f === 5) ev.placement.push(c.bytes());
    else if (f === 6) ev.replicationFactor = c.small();
    else if (f === 7) {
      const len = c.span();
      const outer = c.end;
      c.end = c.pos + len;
      ev.declaration = readDeclaration(c);
      c.end = outer;
    } else if (f === 8) ev.index = c.small();
    else ev.proof.push(c.bytes());
  }
  return ev;
}

const REPLICA_WIRE: Readonly<Record<number, number>> = { 1: 2, 2: 2, 3: 2 };

function readReplicaAdded(c: Cursor): ReplicaAdded {
  const ev: ReplicaAdded = { cid: "", nodeId: EMPTY, ack: EMPTY };
  let last = 0;
  while (c.pos < c.end) {
    const f = nextField(c, last, REPLICA_WIRE);
    last = f;
    if (f === 1) ev.cid = c.ascii();
    else if (f === 2) ev.nodeId = c.bytes();
    else ev.ack = c.bytes();
  }
  return ev;
}

const ENVELOPE_WIRE: Readonly<Record<number, number>> = { 1: 0, 2: 2, 3: 0, 4: 0, 12: 2, 13: 2 };

/**
 * Reads a sealed (version 2) envelope carrying one ChunkDeclared or ReplicaAdded in canonical layout, with a
 * 32-byte publisher and a sequence ≥ 1; undefined for anything else (the generated decoder then decides, with
 * its own errors). When it returns a value, that value equals what the generated decoder produces.
 */
export function readSealedEnvelope(bytes: Uint8Array): ReadEnvelope | undefined {
  // One copy per envelope: the fields are views into it, and nothing keeps the whole blob alive.
  const buf = Buffer.from(bytes);
  const c = new Cursor(buf, buf.length);
  try {
    let version = 0;
    let publisher: Buffer = EMPTY;
    let sequence = 0n;
    let observedHeight = 0n;
    let event: DAEvent | undefined;
    let last = 0;
    while (c.pos < c.end) {
      const f = nextField(c, last, ENVELOPE_WIRE);
      last = f;
      if (f === 1) version = c.small();
      else if (f === 2) publisher = c.bytes();
      else if (f === 3) sequence = c.u64();
      else if (f === 4) observedHeight = c.u64();
      else {
        // Two payloads (12 and 13) make the envelope malformed: the generated decoder's path reports it.
        if (event) throw OFF_PATH;
        const len = c.span();
        c.end = c.pos + len;
        event =
          f === 12
            ? { type: "chunkDeclared", value: readChunkDeclared(c) }
            : { type: "replicaAdded", value: readReplicaAdded(c) };
        c.end = buf.length;
      }
    }
    if (version !== SEALED_ENVELOPE_VERSION || publisher.length !== 32 || sequence < 1n || !event) return undefined;
    return { publisher, sequence, observedHeight, event };
  } catch (e) {
    if (e === OFF_PATH) return undefined;
    throw e;
  }
}
