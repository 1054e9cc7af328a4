/** @module Constants of the DA event wire format: blob prefix, envelope version, signing domains, limits. */

/** Every event blob starts with these 7 bytes and a format-version byte; anything else in the namespace is foreign. */
export const BATCH_MAGIC = new Uint8Array([0x44, 0x53, 0x44, 0x4e, 0x45, 0x56, 0x54]); // "DSDNEVT"
/** 1: every envelope carries its own signature. */
export const BATCH_FORMAT_VERSION = 1;
/** 2: a sealed batch — one publisher signs the Merkle root of the batch's envelopes (one signature per blob). */
export const SEALED_BATCH_FORMAT_VERSION = 2;
export const BATCH_PREFIX_LENGTH = BATCH_MAGIC.length + 1;
/** A sealed batch's publisher key (32) and signature (64), after the prefix. */
export const BATCH_SEAL_LENGTH = 32 + 64;

/** EventEnvelope.version of a self-signed envelope (batch format 1). */
export const ENVELOPE_VERSION = 1;
/** EventEnvelope.version of an envelope inside a sealed batch (format 2): no signature field of its own. */
export const SEALED_ENVELOPE_VERSION = 2;

/** Domain separation, so a signature made for one purpose can never be replayed as another. */
export const ENVELOPE_SIGN_DOMAIN = new TextEncoder().encode("dsdn.da.v1.EventEnvelope\0");
export const NODE_REGISTRATION_SIGN_DOMAIN = new TextEncoder().encode("dsdn.da.v1.NodeRegistered\0");
export const DELETE_REQUEST_SIGN_DOMAIN = new TextEncoder().encode("dsdn.da.v1.DeleteRequested\0");
/** Signed by a sealed batch's publisher, followed by uint32be(envelope count) and the Merkle root. */
export const BATCH_SEAL_SIGN_DOMAIN = new TextEncoder().encode("dsdn.da.v2.EventBatchSeal\0");
export const UPLOAD_DECLARATION_SIGN_DOMAIN = new TextEncoder().encode("dsdn.da.v1.UploadDeclaration\0");

/** Celestia accepts blobs up to ~1.97 MB; stay well under it so one batch is always one blob. */
export const MAX_BLOB_BYTES = 1_900_000;
/** One envelope may not exceed this; keeps a single event from monopolising a blob. */
export const MAX_ENVELOPE_BYTES = 64 * 1024;
