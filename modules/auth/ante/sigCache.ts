/** @module Remembers secp256k1 verifications that succeeded, so FinalizeBlock need not repeat CheckTx's work. */

import { concat } from "../../../chain-app/encoding.js";
import { sha256OneShot } from "../../../common/hash.js";
import { secp256k1Verify } from "../../../common/secp256k1.js";

/** Verified triples remembered: more than a full mempool (CometBFT's localnet size is 20,000 txs). */
const DEFAULT_CAPACITY = 100_000;

/**
 * Verification is a pure function of (sign bytes, public key, signature), so caching a `true` result
 * cannot change any outcome: a node with a cold cache computes the same answer, only slower. The key
 * is SHA-256 over all three: sign bytes are rebuilt from state (chain id, account number) at every
 * check, so a tx whose account or chain changed misses. Failures are not remembered: a funded attacker
 * could otherwise fill the cache with bad signatures and push out the mempool's good ones.
 */
export class SigVerifyCache {
  private readonly entries = new Set<string>();
  /** Verifications served from the cache. */
  hits = 0;
  /** Verifications computed (each one secp256k1 verify). */
  misses = 0;

  constructor(private readonly capacity = DEFAULT_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  verify(signature: Uint8Array, signBytes: Uint8Array, pubKey: Uint8Array): boolean {
    // Each part's length is fixed by the caller's checks except the sign bytes', which come first: no
    // two distinct triples concatenate to the same bytes when signature and key lengths are bound in.
    const key = sha256OneShot(
      concat(signBytes, pubKey, signature, Uint8Array.of(pubKey.length, signature.length)),
    ).toString("latin1");
    if (this.entries.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    const ok = secp256k1Verify(signature, signBytes, pubKey);
    if (ok) {
      // Starting over is the cheapest bound; the next checks refill it.
      if (this.entries.size >= this.capacity) this.entries.clear();
      this.entries.add(key);
    }
    return ok;
  }
}
