/** @module Plugs OpenSSL's SHA-256 (node:crypto) into the trace hashing of the pure engine; same results, faster. */
import * as crypto from "node:crypto";
import { useSha256 } from "../../common/wasm/trace/hashing.js";

// One-shot crypto.hash (Node ≥ 20.12) costs about a quarter less per call than createHash/update/digest,
// which matters for the many 65-byte node hashes of a checkpoint.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: Uint8Array, enc: "buffer") => Uint8Array }).hash;

/**
 * Concatenation buffers by total length, reused: a checkpoint hashes hundreds of multi-part messages of a
 * few fixed sizes (65-byte tree nodes, 1025-byte chunk leaves), and allocating each one cost as much as the
 * hash. crypto.hash copies its input before returning, so reuse cannot alias a result.
 */
const SCRATCH_MAX = 2048;
const scratch: (Uint8Array | undefined)[] = [];

export function nativeSha256(...parts: Uint8Array[]): Uint8Array {
  if (oneShot) {
    let data: Uint8Array;
    if (parts.length === 1) data = parts[0] as Uint8Array;
    else {
      let n = 0;
      for (const p of parts) n += p.length;
      if (n <= SCRATCH_MAX) {
        data = scratch[n] ?? new Uint8Array(n);
        scratch[n] = data;
      } else data = new Uint8Array(n);
      let at = 0;
      for (const p of parts) {
        data.set(p, at);
        at += p.length;
      }
    }
    const b = oneShot("sha256", data, "buffer");
    // A plain Uint8Array view of the digest (no copy), so callers never see Buffer's different slice().
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function useNativeTraceHash(): void {
  useSha256(nativeSha256);
}
