/**
 * @module Checkpoint format 3 (compact, streamed): file layout, record tags and bounds shared by its writer and reader.
 *
 * File = "DSDNCKP3" ‖ records ‖ sha256(everything before). A record = tag (1 byte) ‖ body length (uint32 BE) ‖ body.
 * The first record is the header (a `ReplayCheckpoint` protobuf without `state`: height, rules fingerprint, digest and
 * its LtHash accumulator, sequence cursors, held envelopes, committee); the last is the trailer (entry counts). In
 * between, one record per state entry, with strings (CIDs, accounts, reasons), node ids and upload declarations
 * interned: each is defined by its own record the first time it is used and referred to by index afterwards, so the
 * file is written and read in one pass and no table needs to be held before it is complete.
 */

export const COMPACT_MAGIC = new TextEncoder().encode("DSDNCKP3");
export const COMPACT_FORMAT_VERSION = 3;

/** Record tags. */
export const Rec = {
  Header: 1,
  /** utf-8 bytes: the next string index. */
  Str: 2,
  /** 32 bytes: the next node index (node ids and publishers). */
  Node: 3,
  /** `UploadDeclaration` protobuf: the next declaration index. */
  Decl: 4,
  /** `NodeEntry` protobuf (a handful per state). */
  Registration: 10,
  Status: 11,
  Delete: 12,
  Chunk: 13,
  Replica: 14,
  Trailer: 15,
} as const;

/** The largest record accepted (a chunk with a long erasure stripe stays far below): bigger is a corrupt file. */
export const MAX_RECORD_BYTES = 16 << 20;
export const RECORD_HEADER_BYTES = 5;

/**
 * `ChunkDeclared` fields the chunk record stores, in order. A field added to the message must be added to the
 * record too (the compact-checkpoint test compares this list with the generated message's fields).
 */
export const CHUNK_DECLARED_FIELDS = [
  "cid",
  "size",
  "manifestCid",
  "placement",
  "replicationFactor",
  "declaration",
  "index",
  "proof",
  "chainHeight",
  "shard",
] as const;
