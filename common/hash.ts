/** @module SHA-256 helpers: noble for small inputs, Node's native hashing for streams and bulk data. */
import { createHash, hash as oneShotHash } from "node:crypto";
import { sha256 as nobleSha256 } from "@noble/hashes/sha2.js";

/** SHA-256 of a small in-memory value (deterministic, no I/O). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/** SHA-256 of bulk bytes using OpenSSL through node:crypto (several times faster than JS). */
export function sha256Native(data: Uint8Array): Uint8Array {
  return new Uint8Array(sha256OneShot(data));
}

/**
 * SHA-256 through OpenSSL's one-shot `crypto.hash` (Node ≥ 20.12): no Hash object per call, about a third
 * cheaper than createHash for the small inputs of Merkle trees. The Buffer returned is the caller's.
 */
export function sha256OneShot(data: Uint8Array): Buffer {
  return oneShotHash("sha256", data, "buffer") as unknown as Buffer;
}

/** Incremental SHA-256 over any sequence of byte pieces; never holds more than one piece. */
export async function sha256Stream(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
): Promise<{ digest: Uint8Array; length: bigint }> {
  const h = createHash("sha256");
  let length = 0n;
  for await (const piece of source) {
    h.update(piece);
    length += BigInt(piece.byteLength);
  }
  return { digest: new Uint8Array(h.digest()), length };
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new TypeError(`not a hex string: ${hex.length > 20 ? `${hex.slice(0, 20)}…` : hex}`);
  }
  return new Uint8Array(Buffer.from(hex, "hex"));
}

/** Constant-time-ish equality for digests (length leak only). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
