/**
 * @module The sparse Merkle tree rules that define the app hash; everything here is pure and deterministic.
 *
 * Tree definition (an independent verifier needs only this comment and SHA-256):
 * - Every state entry (key, value) becomes a leaf at the 256-bit path kh = SHA-256(key).
 *   Bit i of a path (0 ≤ i < 256) is bit (7 − i mod 8) of byte ⌊i/8⌋ (most significant bit first);
 *   0 means "left", 1 means "right".
 * - EMPTY = 32 zero bytes (the hash of a subtree holding no entries).
 * - leafHash(kh, vh) = SHA-256(0x00 ‖ kh ‖ vh), where vh = SHA-256(value) (65-byte input).
 * - innerHash(l, r)  = SHA-256(0x01 ‖ l ‖ r) (65-byte input).
 * - For a set S of leaves whose paths share their first d bits, hash(S, d) is:
 *     EMPTY                                        if S is empty,
 *     leafHash(kh, vh) of its one leaf             if |S| = 1 (a lone leaf is lifted to the top of its subtree),
 *     innerHash(hash(S₀, d+1), hash(S₁, d+1))      otherwise, where S_b = leaves whose bit d is b.
 *   The app hash is hash(all entries, 0). It depends only on the set of (key, value) pairs; an inner
 *   node with one empty side is kept (only lone leaves are lifted), as in Diem's Jellyfish Merkle tree.
 * - Leaf and inner inputs are both 65 bytes and differ in their first byte, so neither can pose as the other.
 */
import * as nodeCrypto from "node:crypto";

export const HASH_BYTES = 32;
/** The hash of an empty subtree, and the app hash of an empty state. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(HASH_BYTES);

const LEAF_PREFIX = 0x00;
const INNER_PREFIX = 0x01;

// One scratch buffer for the 65-byte node inputs. Node's one-shot crypto.hash (≥ 20.12) measured
// ~0.7 µs per 65-byte input vs ~1.0 µs for createHash and ~1.4 µs for @noble/hashes, and it allocates
// no Hash object, which matters for GC when a block hashes tens of thousands of nodes.
const scratch = new Uint8Array(65);

const sha256: (data: Uint8Array) => Uint8Array =
  typeof nodeCrypto.hash === "function"
    ? (data) => nodeCrypto.hash("sha256", data, "buffer")
    : (data) => nodeCrypto.createHash("sha256").update(data).digest();

function hash65(): Uint8Array {
  return sha256(scratch);
}

export function leafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  scratch[0] = LEAF_PREFIX;
  scratch.set(keyHash, 1);
  scratch.set(valueHash, 33);
  return hash65();
}

export function innerHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  scratch[0] = INNER_PREFIX;
  scratch.set(left, 1);
  scratch.set(right, 33);
  return hash65();
}

/** SHA-256 of a key or value (OpenSSL through node:crypto; values may be up to a few MiB). */
export function hashBytes(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** Bit `i` of a 256-bit path, most significant bit of byte 0 first. */
export function pathBit(path: Uint8Array, i: number): 0 | 1 {
  return (((path[i >>> 3] as number) >>> (7 - (i & 7))) & 1) as 0 | 1;
}

/** True when the first `bits` bits of a and b agree. */
export function sharesPrefix(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = bits >>> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (((a[full] as number) ^ (b[full] as number)) & mask) === 0;
}
