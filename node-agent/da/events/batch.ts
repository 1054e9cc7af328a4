/**
 * @module One blob = one EventBatch: the "DSDNEVT"+version prefix, then (format 2 only) the seal — publisher key
 * and signature — then `repeated EventEnvelope envelopes = 1`.
 */
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import {
  BATCH_FORMAT_VERSION,
  BATCH_MAGIC,
  BATCH_PREFIX_LENGTH,
  BATCH_SEAL_LENGTH,
  MAX_BLOB_BYTES,
  SEALED_BATCH_FORMAT_VERSION,
} from "./format.js";

function varintLength(n: number): number {
  let len = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

/** Bytes one envelope adds to a batch (field tag, length, body) — what the batcher budgets with. */
export function batchEntrySize(envelopeLength: number): number {
  return 1 + varintLength(envelopeLength) + envelopeLength;
}

/**
 * Encodes signed envelopes as a blob. Written by hand (same bytes as EventBatch.encode) because the
 * envelopes are already encoded and must stay byte-exact for their signatures.
 */
export function encodeBatch(envelopes: readonly Uint8Array[]): Uint8Array {
  return frameBatch(BATCH_FORMAT_VERSION, undefined, envelopes);
}

/** The blob bytes: prefix, the seal when given (format 2: publisher key ‖ signature), the framed envelopes. */
export function frameBatch(
  version: number,
  seal: { readonly publisher: Uint8Array; readonly signature: Uint8Array } | undefined,
  envelopes: readonly Uint8Array[],
): Uint8Array {
  if (envelopes.length === 0)
    throw new BaseError(ErrorCode.InvalidArgument, "an event batch needs at least one envelope");
  let size = BATCH_PREFIX_LENGTH + (seal ? BATCH_SEAL_LENGTH : 0);
  for (const e of envelopes) size += batchEntrySize(e.length);
  if (size > MAX_BLOB_BYTES)
    throw new BaseError(ErrorCode.TooLarge, `event batch of ${size} bytes exceeds ${MAX_BLOB_BYTES}`);
  const out = new Uint8Array(size);
  out.set(BATCH_MAGIC, 0);
  out[BATCH_MAGIC.length] = version;
  let o = BATCH_PREFIX_LENGTH;
  if (seal) {
    out.set(seal.publisher, o);
    out.set(seal.signature, o + 32);
    o += BATCH_SEAL_LENGTH;
  }
  for (const e of envelopes) {
    out[o++] = 0x0a; // field 1, length-delimited
    let n = e.length;
    while (n >= 0x80) {
      out[o++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    out[o++] = n;
    out.set(e, o);
    o += e.length;
  }
  return out;
}

export type DecodedBlob =
  /** Format 1: each envelope signed on its own (`openEnvelope`). */
  | { readonly kind: "batch"; readonly envelopes: readonly Uint8Array[] }
  /** Format 2: the envelopes under one seal, not yet verified (`openSealedBatch`). */
  | {
      readonly kind: "sealed";
      readonly publisher: Uint8Array;
      readonly signature: Uint8Array;
      readonly envelopes: readonly Uint8Array[];
    }
  /** Not ours (another application sharing the namespace): skipped without complaint. */
  | { readonly kind: "foreign" }
  /** Ours but unreadable (newer format version or broken framing): skipped and counted. */
  | { readonly kind: "invalid"; readonly reason: string };

export function isEventBlob(blob: Uint8Array): boolean {
  if (blob.length < BATCH_PREFIX_LENGTH) return false;
  for (let i = 0; i < BATCH_MAGIC.length; i++) if (blob[i] !== BATCH_MAGIC[i]) return false;
  return true;
}

/** Splits a blob into its envelopes' exact bytes (zero-copy views) without decoding or verifying them. */
export function decodeBatch(blob: Uint8Array): DecodedBlob {
  if (!isEventBlob(blob)) return { kind: "foreign" };
  const version = blob[BATCH_MAGIC.length];
  if (version === BATCH_FORMAT_VERSION) {
    const split = splitEnvelopes(blob.subarray(BATCH_PREFIX_LENGTH));
    return typeof split === "string" ? { kind: "invalid", reason: split } : { kind: "batch", envelopes: split };
  }
  if (version === SEALED_BATCH_FORMAT_VERSION) {
    if (blob.length < BATCH_PREFIX_LENGTH + BATCH_SEAL_LENGTH)
      return { kind: "invalid", reason: "truncated batch seal" };
    const split = splitEnvelopes(blob.subarray(BATCH_PREFIX_LENGTH + BATCH_SEAL_LENGTH));
    if (typeof split === "string") return { kind: "invalid", reason: split };
    const publisher = blob.subarray(BATCH_PREFIX_LENGTH, BATCH_PREFIX_LENGTH + 32);
    const signature = blob.subarray(BATCH_PREFIX_LENGTH + 32, BATCH_PREFIX_LENGTH + BATCH_SEAL_LENGTH);
    return { kind: "sealed", publisher, signature, envelopes: split };
  }
  return { kind: "invalid", reason: `unsupported batch format version ${version}` };
}

/** The framed envelopes as views into `body`, or why the framing is broken. */
function splitEnvelopes(body: Uint8Array): Uint8Array[] | string {
  const reader = new BinaryReader(body);
  const envelopes: Uint8Array[] = [];
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      if (tag !== 0x0a) return `unexpected field tag ${tag} in event batch`;
      const len = reader.uint32();
      const start = reader.pos;
      if (start + len > reader.len) return "truncated envelope in event batch";
      envelopes.push(body.subarray(start, start + len));
      reader.pos = start + len;
    }
  } catch (e) {
    return `broken event batch framing: ${(e as Error).message}`;
  }
  if (envelopes.length === 0) return "empty event batch";
  return envelopes;
}
