/** @module Event envelopes: canonical encoding, signing by the publisher, and verification on replay. */

import { type NativeSigner, nativeVerify } from "../../../common/ed25519Native.js";
import { BaseError, ErrorCode } from "../../../common/errors.js";
import { bytesEqual, concatBytes, toHex } from "../../../common/hash.js";
import { EventEnvelope } from "../../../proto/gen/dsdn/da/v1/events.js";
import { type DAEvent, type DAEventInput, envelopeEventFields, eventOfEnvelope, normalizeEvent } from "./event.js";
import { ENVELOPE_SIGN_DOMAIN, ENVELOPE_VERSION, MAX_ENVELOPE_BYTES, SEALED_ENVELOPE_VERSION } from "./format.js";
import { readSealedEnvelope } from "./sealedEnvelopeReader.js";

export interface UnsignedEnvelope {
  readonly publisher: Uint8Array;
  readonly sequence: bigint;
  readonly observedHeight: bigint;
  readonly event: DAEvent | DAEventInput;
}

/** An envelope whose signature and structure have been checked; `bytes` are exactly what was signed and posted. */
export interface OpenedEnvelope {
  readonly bytes: Uint8Array;
  readonly publisher: Uint8Array;
  readonly publisherHex: string;
  readonly sequence: bigint;
  readonly observedHeight: bigint;
  readonly event: DAEvent;
}

/** `bad-batch`: a sealed batch whose envelopes are not one publisher's consecutive sequences. */
export type EnvelopeRejection = "malformed" | "non-canonical" | "unsupported-version" | "bad-signature" | "bad-batch";

/** Why an envelope could not be opened; replay counts these by `reason` and moves on. */
export class EnvelopeError extends BaseError {
  override readonly name = "EnvelopeError";
  readonly reason: EnvelopeRejection;
  constructor(reason: EnvelopeRejection, detail: string) {
    super(
      reason === "bad-signature" ? ErrorCode.InvalidSignature : ErrorCode.Decode,
      `DA envelope ${reason}: ${detail}`,
    );
    this.reason = reason;
  }
}

// Field 63 (signature), wire type 2, is encoded last: tag bytes 0xfa 0x03, then length 0x40, then 64 bytes.
const SIG_TRAILER = new Uint8Array([0xfa, 0x03, 0x40]);
const SIG_TRAILER_LENGTH = SIG_TRAILER.length + 64;

/** The bytes a publisher signs: domain || canonical envelope bytes without the signature field. */
export function envelopeSignBytes(unsignedBody: Uint8Array): Uint8Array {
  return concatBytes(ENVELOPE_SIGN_DOMAIN, unsignedBody);
}

/**
 * Canonical bytes of the envelope without its signature: version 1 (then signed alone, `signEnvelope`) or
 * version 2, an envelope as it goes into a sealed batch (`sealedBatch.ts`).
 */
export function encodeUnsignedEnvelope(
  u: UnsignedEnvelope,
  version: typeof ENVELOPE_VERSION | typeof SEALED_ENVELOPE_VERSION = ENVELOPE_VERSION,
): Uint8Array {
  if (u.publisher.length !== 32) throw new TypeError("publisher must be a 32-byte ed25519 public key");
  if (u.sequence < 1n) throw new TypeError("sequence starts at 1");
  const event = normalizeEvent(u.event as DAEventInput);
  return EventEnvelope.encode(
    EventEnvelope.fromPartial({
      version,
      publisher: Buffer.from(u.publisher),
      sequence: u.sequence,
      observedHeight: u.observedHeight,
      ...envelopeEventFields(event),
    }),
  ).finish();
}

/** Signs and returns the envelope's wire bytes (the unsigned body followed by the signature field). */
export function signEnvelope(u: UnsignedEnvelope, signer: NativeSigner): Uint8Array {
  if (toHex(signer.publicKey) !== toHex(u.publisher))
    throw new TypeError("signer key does not match envelope publisher");
  const body = encodeUnsignedEnvelope(u);
  const signature = signer.sign(envelopeSignBytes(body));
  const out = concatBytes(body, SIG_TRAILER, signature);
  if (out.length > MAX_ENVELOPE_BYTES) {
    throw new BaseError(ErrorCode.TooLarge, `DA envelope of ${out.length} bytes exceeds ${MAX_ENVELOPE_BYTES}`);
  }
  return out;
}

/**
 * Decodes and verifies one envelope. Only the exact canonical encoding is accepted, so every event has one
 * byte string (equal events ⇔ equal bytes), and the signature is checked over the bytes as received.
 */
export function openEnvelope(bytes: Uint8Array): OpenedEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new EnvelopeError("malformed", `${bytes.length} bytes is too large`);
  if (bytes.length <= SIG_TRAILER_LENGTH) throw new EnvelopeError("malformed", "too short");
  const t = bytes.length - SIG_TRAILER_LENGTH;
  if (bytes[t] !== SIG_TRAILER[0] || bytes[t + 1] !== SIG_TRAILER[1] || bytes[t + 2] !== SIG_TRAILER[2]) {
    throw new EnvelopeError("malformed", "signature is not the final 64-byte field");
  }
  const { env, event } = decodeChecked(bytes, ENVELOPE_VERSION);
  const body = bytes.subarray(0, t);
  const signature = bytes.subarray(t + SIG_TRAILER.length);
  // Re-encoding catches duplicated fields, unknown fields and non-minimal varints in the signed part.
  const again = EventEnvelope.encode({ ...env, signature: Buffer.alloc(0) }).finish();
  if (Buffer.compare(Buffer.from(again.buffer, again.byteOffset, again.byteLength), Buffer.from(body)) !== 0) {
    throw new EnvelopeError("non-canonical", "envelope bytes are not the canonical encoding");
  }
  if (!nativeVerify(signature, envelopeSignBytes(body), env.publisher)) {
    throw new EnvelopeError("bad-signature", `publisher ${toHex(env.publisher).slice(0, 16)}…`);
  }
  return opened(bytes, env, event);
}

function opened(bytes: Uint8Array, env: EventEnvelope, event: DAEvent): OpenedEnvelope {
  return {
    bytes,
    publisher: env.publisher,
    publisherHex: env.publisher.toString("hex"),
    sequence: env.sequence,
    observedHeight: env.observedHeight,
    event,
  };
}

/** Decodes and checks the fields every envelope version needs (not its signature). */
function decodeChecked(bytes: Uint8Array, version: number): { env: EventEnvelope; event: DAEvent } {
  let env: EventEnvelope;
  try {
    env = EventEnvelope.decode(bytes);
  } catch (e) {
    throw new EnvelopeError("malformed", (e as Error).message);
  }
  if (env.version !== version) throw new EnvelopeError("unsupported-version", `version ${env.version}`);
  if (env.publisher.length !== 32) throw new EnvelopeError("malformed", "publisher is not 32 bytes");
  if (env.sequence < 1n) throw new EnvelopeError("malformed", "sequence 0");
  const event = eventOfEnvelope(env);
  if (event === undefined) throw new EnvelopeError("malformed", "envelope must carry exactly one event");
  return { env, event };
}

/**
 * Decodes a version-2 envelope of a sealed batch. It is NOT authenticated here: the caller has checked that
 * the batch's publisher signed these exact bytes (their hash is a leaf under the signed Merkle root), which is
 * also why no canonical re-encoding is needed — nobody but the publisher can produce another encoding.
 */
export function openSealedEnvelope(
  bytes: Uint8Array,
  sealer?: { readonly publisher: Uint8Array; readonly hex: string },
): OpenedEnvelope {
  if (bytes.length > MAX_ENVELOPE_BYTES) throw new EnvelopeError("malformed", `${bytes.length} bytes is too large`);
  // The hot events in canonical layout take the hand-written reader (same result); the rest the generated decoder.
  const fast = readSealedEnvelope(bytes);
  if (fast) {
    const { publisher, sequence, observedHeight, event } = fast;
    // The batch's sealer's hex id when the envelope names that key (the usual case), else its own.
    const publisherHex =
      sealer !== undefined && bytesEqual(sealer.publisher, publisher) ? sealer.hex : publisher.toString("hex");
    return { bytes, publisher, publisherHex, sequence, observedHeight, event };
  }
  const { env, event } = decodeChecked(bytes, SEALED_ENVELOPE_VERSION);
  if (env.signature.length !== 0) throw new EnvelopeError("malformed", "a sealed envelope has no signature of its own");
  return opened(bytes, env, event);
}
