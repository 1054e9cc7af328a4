/** @module Decoded txs remembered by their exact bytes from CheckTx to ProcessProposal/FinalizeBlock, so a tx is decoded once per node. */

import { latin1String } from "../../common/latin1.js";
import type { DecodedTx } from "./decode.js";

/** Defaults: the localnet's mempool holds 20,000 txs; 64 MiB of tx bytes bounds the worst case of large txs. */
export const DECODE_CACHE_MAX_ENTRIES = 20_000;
export const DECODE_CACHE_MAX_BYTES = 64 * 1024 * 1024;

/**
 * Freezes what decoding built (plain objects and arrays; byte arrays cannot be frozen), so a message
 * handler can never change a decoded tx that a later block would reuse. Shared definitions (`def`) are
 * left alone. The app freezes every decoded tx, cached or not, so a hit and a miss behave alike.
 */
function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || ArrayBuffer.isView(value) || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

export function freezeDecodedTx(tx: DecodedTx): DecodedTx {
  // What handlers receive (the messages) is frozen deeply; the rest is read only by the ante handler.
  for (const m of tx.msgs) {
    deepFreeze(m.msg);
    Object.freeze(m);
  }
  Object.freeze(tx.msgs);
  for (const s of tx.signers) Object.freeze(s);
  Object.freeze(tx.signers);
  return Object.freeze(tx);
}

/**
 * Decoding is a pure function of the tx bytes (and the app's fixed message registry), so serving a
 * remembered result cannot change any outcome: a node with an empty cache decodes and reaches the same
 * answer. Nothing that depends on state (size limit in force, account, sequence, balance, fee) is kept:
 * the caller checks the size limit before asking, and the ante handler runs on every use. An entry is
 * found by the tx's length and last 32 bytes (its signature's tail: cheap to key) and served only if the
 * whole tx is byte-for-byte the one decoded, so a tx that differs by one byte is never served. Txs
 * crafted to share a key only replace each other (a miss costs one decode, as without a cache).
 * Bounded by count and by bytes; the oldest entries go first.
 */
export class DecodedTxCache {
  private readonly entries = new Map<string, DecodedTx>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly maxEntries = DECODE_CACHE_MAX_ENTRIES,
    private readonly maxBytes = DECODE_CACHE_MAX_BYTES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  private static key(bytes: Uint8Array): string {
    const tail = Math.max(0, bytes.byteLength - 32);
    return `${bytes.byteLength}:${latin1String(bytes.subarray(tail))}`;
  }

  private static same(a: Uint8Array, b: Uint8Array): boolean {
    return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
  }

  get(bytes: Uint8Array): DecodedTx | undefined {
    const tx = this.entries.get(DecodedTxCache.key(bytes));
    if (tx && DecodedTxCache.same(tx.bytes, bytes)) {
      this.hits++;
      return tx;
    }
    this.misses++;
    return undefined;
  }

  /** Remembers `tx`, which must have been decoded from a private copy of `bytes` (never a view of a socket buffer). */
  put(bytes: Uint8Array, tx: DecodedTx): void {
    if (bytes.length > this.maxBytes || this.maxEntries <= 0) return;
    const key = DecodedTxCache.key(bytes);
    const old = this.entries.get(key);
    if (old && DecodedTxCache.same(old.bytes, bytes)) return;
    if (old) this.delete(old.bytes);
    this.entries.set(key, tx);
    this.bytes += bytes.length;
    for (const [k, oldest] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= oldest.bytes.length;
    }
  }

  delete(bytes: Uint8Array): void {
    const key = DecodedTxCache.key(bytes);
    const tx = this.entries.get(key);
    if (!tx || !DecodedTxCache.same(tx.bytes, bytes)) return;
    this.entries.delete(key);
    this.bytes -= tx.bytes.length;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
