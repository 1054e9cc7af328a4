/** @module The total order that settles concurrent writes from different publishers (last writer wins). */

/**
 * `height` is the DA height the writer had seen (a Lamport-style clock: an event written after seeing
 * another is always ordered after it); `tie` breaks ties between concurrent writers deterministically.
 */
export interface WriteKey {
  readonly height: bigint;
  readonly tie: Uint8Array;
}

/** Heights first, then ties byte by byte (a prefix first): Buffer.compare's order, without two Buffer views per call. */
export function compareWriteKeys(a: WriteKey, b: WriteKey): number {
  if (a.height !== b.height) return a.height < b.height ? -1 : 1;
  const x = a.tie;
  const y = b.tie;
  const n = x.length < y.length ? x.length : y.length;
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
  return x.length === y.length ? 0 : x.length < y.length ? -1 : 1;
}

/** Tie-break for an envelope's own writes: publisher key || sequence (big-endian). */
export function envelopeWriteKey(publisher: Uint8Array, sequence: bigint, observedHeight: bigint): WriteKey {
  const tie = new Uint8Array(40);
  tie.set(publisher, 0);
  const n = Number(sequence);
  if (sequence >= 0n && n <= Number.MAX_SAFE_INTEGER) {
    // One per event: plain arithmetic instead of a DataView and BigInt stores (same bytes).
    const hi = Math.floor(n / 0x1_0000_0000);
    const lo = n % 0x1_0000_0000;
    tie[32] = hi >>> 24;
    tie[33] = (hi >>> 16) & 0xff;
    tie[34] = (hi >>> 8) & 0xff;
    tie[35] = hi & 0xff;
    tie[36] = lo >>> 24;
    tie[37] = (lo >>> 16) & 0xff;
    tie[38] = (lo >>> 8) & 0xff;
    tie[39] = lo & 0xff;
  } else new DataView(tie.buffer).setBigUint64(32, sequence);
  return { height: observedHeight, tie };
}
