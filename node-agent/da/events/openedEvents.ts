/** @module The signed events of a DA height's blobs, opened in replay order; a blob or envelope that fails to open is skipped. */
import { decodeBatch } from "./batch.js";
import { type OpenedEnvelope, openEnvelope } from "./envelope.js";

/** For readers that only look for some events (indexes, watchers): the replayer proper reports what it skips. */
export function* openedEvents(blobs: readonly { readonly data: Uint8Array }[]): Generator<OpenedEnvelope> {
  for (const b of blobs) {
    const batch = decodeBatch(b.data);
    if (batch.kind !== "batch") continue;
    for (const bytes of batch.envelopes) {
      let env: OpenedEnvelope;
      try {
        env = openEnvelope(bytes);
      } catch {
        continue;
      }
      yield env;
    }
  }
}
