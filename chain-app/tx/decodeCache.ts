/** @module Decoded txs remembered by their exact bytes from CheckTx to ProcessProposal/FinalizeBlock, so a tx is decoded once per node. */

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
  deepFreeze(tx.raw);
  deepFreeze(tx.body);
  deepFreeze(tx.authInfo);
  for (const m of tx.msgs) {
    deepFreeze(m.msg);
    Object.freeze(m);
  }
  Object.freeze(tx.msgs);
  deepFreeze(tx.signers);
  return Object.freeze(tx);
}

/**
 * Decoding is a pure function of the tx bytes (and the app's fixed message registry), so serving a
 * remembered result cannot change any outcome: a node with an empty cache decodes and reaches the same
 * answer. Nothing that depends on state (size limit in force, account, sequence, balance, fee) is kept:
 * the caller checks the size limit before asking, and the ante handler runs on every use. The key is the
 * whole tx (its bytes as a latin1 string), so a tx that differs by one byte is a different entry.
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
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
  }

  get(bytes: Uint8Array): DecodedTx | undefined {
    const tx = this.entries.get(DecodedTxCache.key(bytes));
    if (tx) this.hits++;
    else this.misses++;
    return tx;
  }

  /** Remembers `tx`, which must have been decoded from a private copy of `bytes` (never a view of a socket buffer). */
  put(bytes: Uint8Array, tx: DecodedTx): void {
    if (bytes.length > this.maxBytes || this.maxEntries <= 0) return;
    const key = DecodedTxCache.key(bytes);
    if (this.entries.has(key)) return;
    this.entries.set(key, tx);
    this.bytes += bytes.length;
    for (const [k, old] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= old.bytes.length;
    }
  }

  delete(bytes: Uint8Array): void {
    const key = DecodedTxCache.key(bytes);
    const tx = this.entries.get(key);
    if (!tx) return;
    this.entries.delete(key);
    this.bytes -= tx.bytes.length;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }
}
