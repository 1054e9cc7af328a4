/** @module Plugs OpenSSL's SHA-256 (node:crypto) into the trace hashing of the pure engine; same results, faster. */
import { createHash } from "node:crypto";
import { useSha256 } from "../../common/wasm/trace/hashing.js";

export function nativeSha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export function useNativeTraceHash(): void {
  useSha256(nativeSha256);
}
