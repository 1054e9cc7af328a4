/** @module The total order that settles concurrent writes from different publishers (last writer wins). */

/**
 * `height` is the DA height the writer had seen (a Lamport-style clock: an event written after seeing
 * another is always ordered after it); `tie` breaks ties between concurrent writers deterministically.
 */
export interface WriteKey {
  readonly height: bigint;
  readonly tie: Uint8Array;
}

export function compareWriteKeys(a: WriteKey, b: WriteKey): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  return Buffer.compare(
    Buffer.from(a.tie.buffer, a.tie.byteOffset, a.tie.byteLength),
    Buffer.from(b.tie.buffer, b.tie.byteOffset, b.tie.byteLength),
  );
}

/** Tie-break for an envelope's own writes: publisher key || sequence (big-endian). */
export function envelopeWriteKey(publisher: Uint8Array, sequence: bigint, observedHeight: bigint): WriteKey {
  const tie = new Uint8Array(40);
  tie.set(publisher, 0);
  new DataView(tie.buffer).setBigUint64(32, sequence);
  return { height: observedHeight, tie };
}
