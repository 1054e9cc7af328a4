/** @module Remembers secp256k1 verifications that succeeded, so FinalizeBlock need not repeat CheckTx's work. */

import { concat } from "../../../chain-app/encoding.js";
import { sha256Native, toHex } from "../../../common/hash.js";
import { secp256k1Verify } from "../../../common/secp256k1.js";

/**
 * Verification is a pure function of (sign bytes, public key, signature), so caching a `true` result
 * cannot change any outcome: a node with a cold cache computes the same answer, only slower.
 */
export class SigVerifyCache {
  private entries = new Map<string, true>();
  hits = 0;
  misses = 0;

  constructor(private readonly capacity = 100_000) {}

  verify(signature: Uint8Array, signBytes: Uint8Array, pubKey: Uint8Array): boolean {
    const key = toHex(sha256Native(concat(signBytes, pubKey, signature)));
    if (this.entries.has(key)) {
      this.hits++;
      return true;
    }
    this.misses++;
    const ok = secp256k1Verify(signature, signBytes, pubKey);
    if (ok) {
      if (this.entries.size >= this.capacity) this.entries.clear();
      this.entries.set(key, true);
    }
    return ok;
  }
}
