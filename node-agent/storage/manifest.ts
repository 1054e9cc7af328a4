/** @module File manifests: deterministic encoding, their CID (the file's id), and strict validation on decode. */
import { cidForBytes, parseCid } from "../../common/cid.js";
import { IntegrityError } from "../../common/errors.js";
import { decodeCanonical, encodeMessage } from "../../common/protobuf.js";
import { Manifest } from "../../proto/gen/dsdn/storage/v1/manifest.js";
import { MAX_CHUNK_SIZE } from "./chunker.js";
import { assertErasure } from "./erasure/codec.js";

export const MANIFEST_VERSION = 1;
/** Erasure-coded files: a reader that knows only version 1 refuses them instead of looking for chunks that are not stored. */
export const MANIFEST_VERSION_ERASURE = 2;
/** A file has at most this many chunks (its manifest is one more declared object: 2^16 in all). */
export const MAX_MANIFEST_CHUNKS = (1 << 16) - 1;
/** …and at most this many bytes (1 TiB). */
export const MAX_FILE_BYTES = 1n << 40n;
/** A manifest of MAX_MANIFEST_CHUNKS references fits well inside this; larger bytes are refused unread. */
export const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;
/** AES-GCM appends a 16-byte tag to every encrypted chunk. */
export const GCM_TAG_BYTES = 16;

export type { Manifest };

export function encodeManifest(m: Manifest): Uint8Array {
  return encodeMessage(Manifest, m);
}

export function manifestCid(m: Manifest): { cid: string; bytes: Uint8Array } {
  const bytes = encodeManifest(m);
  return { cid: cidForBytes(bytes), bytes };
}

/**
 * Decodes manifest bytes (which the caller has already matched to their CID) and checks that sizes and
 * chunk list agree, so a malformed manifest is refused before any chunk is fetched or any byte written.
 */
export function decodeManifest(bytes: Uint8Array, cid = "manifest"): Manifest {
  if (bytes.length > MAX_MANIFEST_BYTES)
    throw new IntegrityError(`${cid} is ${bytes.length} bytes: larger than any valid manifest (${MAX_MANIFEST_BYTES})`);
  let m: Manifest;
  try {
    m = decodeCanonical(Manifest, bytes, "dsdn.storage.v1.Manifest");
  } catch (e) {
    throw new IntegrityError(`${cid} is not a DSDN file manifest`, { cause: e });
  }
  const bad = (why: string) => new IntegrityError(`${cid} is not a valid DSDN file manifest: ${why}`);
  const ec = m.erasure;
  if (m.version !== (ec ? MANIFEST_VERSION_ERASURE : MANIFEST_VERSION)) throw bad(`unsupported version ${m.version}`);
  if (ec) {
    try {
      assertErasure({ k: ec.dataShards, m: ec.parityShards });
    } catch (e) {
      throw bad((e as Error).message);
    }
  }
  const shardCount = ec ? ec.dataShards + ec.parityShards : 0;
  if (m.chunks.length > MAX_MANIFEST_CHUNKS) throw bad(`${m.chunks.length} chunks (at most ${MAX_MANIFEST_CHUNKS})`);
  if (m.totalSize > MAX_FILE_BYTES) throw bad(`claims ${m.totalSize} bytes (at most ${MAX_FILE_BYTES})`);
  const chunkSize = Number(m.chunkSize);
  if (!(chunkSize >= 1 && chunkSize <= MAX_CHUNK_SIZE)) throw bad(`chunk size ${m.chunkSize} out of range`);
  const enc = m.encryption;
  const overhead = enc ? GCM_TAG_BYTES : 0;
  if (enc && enc.scheme !== "aes-256-gcm") throw bad(`unknown encryption scheme "${enc.scheme}"`);
  if (
    enc &&
    (enc.noncePrefix.length !== 8 ||
      enc.keyId.length !== 32 ||
      enc.fileId.length !== 16 ||
      enc.manifestTag.length !== 32)
  ) {
    throw bad("encryption fields have wrong lengths");
  }
  let total = 0n;
  m.chunks.forEach((c, i) => {
    parseCid(c.cid);
    const last = i === m.chunks.length - 1;
    if (c.plainSize < 1n || c.plainSize > m.chunkSize || (!last && c.plainSize !== m.chunkSize)) {
      throw bad(`chunk ${i} has plaintext size ${c.plainSize} (chunk size ${m.chunkSize})`);
    }
    if (c.size !== c.plainSize + BigInt(overhead)) throw bad(`chunk ${i} has stored size ${c.size}`);
    if (c.shards.length !== shardCount) throw bad(`chunk ${i} lists ${c.shards.length} shards, not ${shardCount}`);
    for (const s of c.shards) parseCid(s);
    total += c.plainSize;
  });
  if (total !== m.totalSize) throw bad(`chunks add up to ${total} bytes, manifest says ${m.totalSize}`);
  return m;
}
