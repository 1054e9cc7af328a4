/** @module Opening a DA blob's events in replay order, for either batch format; what fails to open is reported, not thrown. */
import { decodeBatch } from "./batch.js";
import { EnvelopeError, type OpenedEnvelope, openEnvelope } from "./envelope.js";
import { openSealedBatch } from "./sealedBatch.js";

export type OpenedBlob =
  /** Not ours (another application sharing the namespace). */
  | { readonly kind: "foreign" }
  /** Ours but unreadable (newer format version or broken framing). */
  | { readonly kind: "invalid"; readonly reason: string }
  /** One entry per envelope, in blob order: the opened envelope, or why it was refused. */
  | { readonly kind: "events"; readonly envelopes: readonly (OpenedEnvelope | EnvelopeError)[] };

/**
 * Format 1: each envelope is verified on its own. Format 2: the seal is verified once for the whole batch,
 * and a batch that fails is refused whole (every envelope gets the same error).
 */
export function openBlob(data: Uint8Array): OpenedBlob {
  const d = decodeBatch(data);
  if (d.kind === "foreign" || d.kind === "invalid") return d;
  if (d.kind === "batch") {
    return {
      kind: "events",
      envelopes: d.envelopes.map((bytes) => {
        try {
          return openEnvelope(bytes);
        } catch (e) {
          return e instanceof EnvelopeError ? e : new EnvelopeError("malformed", String(e));
        }
      }),
    };
  }
  try {
    return { kind: "events", envelopes: openSealedBatch(d.publisher, d.signature, d.envelopes) };
  } catch (e) {
    const err = e instanceof EnvelopeError ? e : new EnvelopeError("malformed", String(e));
    return { kind: "events", envelopes: d.envelopes.map(() => err) };
  }
}

/** For readers that only look for some events (indexes, watchers): the replayer proper reports what it skips. */
export function* openedEvents(blobs: readonly { readonly data: Uint8Array }[]): Generator<OpenedEnvelope> {
  for (const b of blobs) {
    const opened = openBlob(b.data);
    if (opened.kind !== "events") continue;
    for (const env of opened.envelopes) if (!(env instanceof EnvelopeError)) yield env;
  }
}
