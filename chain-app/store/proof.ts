/**
 * @module Merkle proof encoding and client-side verification for the state tree (rules in smt.ts).
 *
 * A proof describes the path from the root towards kh = SHA-256(key) down to where it ends:
 *   byte 0        terminal kind: 0x00 = EMPTY subtree, 0x01 = a leaf
 *   bytes 1..2    depth d of the terminal, u16 big-endian, 0 ≤ d ≤ 256
 *   if leaf:      32 bytes leaf key hash ‖ 32 bytes leaf value hash
 *   bitmap        ⌈d/8⌉ bytes; bit i (MSB first) = 1 iff the sibling at depth i is not EMPTY; padding bits 0
 *   siblings      32 bytes for each set bit, in increasing depth (the root's child level first)
 * The sibling at depth i is the hash of the node at depth i+1 on the side opposite to bit i of kh.
 * Verification folds from the terminal up: h = terminal; for i = d−1 … 0:
 *   h = bit_i(kh) = 0 ? innerHash(h, sib_i) : innerHash(sib_i, h); and accepts iff h = root.
 * It shows key → value iff the terminal is a leaf with key hash kh and value hash SHA-256(value);
 * it shows key absent iff the terminal is EMPTY, or a leaf with another key hash that shares the
 * first d bits of kh (that leaf is alone in the subtree kh would live in).
 * This file depends only on @noble/hashes so a light client can bundle it anywhere.
 */
import { sha256 } from "@noble/hashes/sha2.js";

export const PROOF_TERMINAL_EMPTY = 0x00;
export const PROOF_TERMINAL_LEAF = 0x01;

export interface DecodedProof {
  readonly terminal: { kind: "empty" } | { kind: "leaf"; keyHash: Uint8Array; valueHash: Uint8Array };
  readonly depth: number;
  /** siblings[i] is the sibling at depth i (EMPTY ones filled with 32 zero bytes). */
  readonly siblings: Uint8Array[];
}

const ZERO32 = new Uint8Array(32);

/** Encodes a proof; `siblings` has one entry per depth, root level first. */
export function encodeProof(proof: DecodedProof): Uint8Array {
  const d = proof.depth;
  if (proof.siblings.length !== d) throw new RangeError("proof needs one sibling per depth");
  const nonEmpty = proof.siblings.filter((s) => !isZero(s)).length;
  const leafBytes = proof.terminal.kind === "leaf" ? 64 : 0;
  const bitmapBytes = (d + 7) >>> 3;
  const out = new Uint8Array(3 + leafBytes + bitmapBytes + 32 * nonEmpty);
  out[0] = proof.terminal.kind === "leaf" ? PROOF_TERMINAL_LEAF : PROOF_TERMINAL_EMPTY;
  out[1] = d >>> 8;
  out[2] = d & 0xff;
  let o = 3;
  if (proof.terminal.kind === "leaf") {
    out.set(proof.terminal.keyHash, o);
    out.set(proof.terminal.valueHash, o + 32);
    o += 64;
  }
  const bitmapAt = o;
  o += bitmapBytes;
  for (let i = 0; i < d; i++) {
    const s = proof.siblings[i] as Uint8Array;
    if (isZero(s)) continue;
    out[bitmapAt + (i >>> 3)] = (out[bitmapAt + (i >>> 3)] as number) | (0x80 >>> (i & 7));
    out.set(s, o);
    o += 32;
  }
  return out;
}

/** Decodes a proof strictly (exact length, zero padding bits); undefined when malformed. */
export function decodeProof(proof: Uint8Array): DecodedProof | undefined {
  if (!(proof instanceof Uint8Array) || proof.length < 3) return undefined;
  const kind = proof[0];
  if (kind !== PROOF_TERMINAL_EMPTY && kind !== PROOF_TERMINAL_LEAF) return undefined;
  const d = ((proof[1] as number) << 8) | (proof[2] as number);
  if (d > 256) return undefined;
  let o = 3;
  let terminal: DecodedProof["terminal"] = { kind: "empty" };
  if (kind === PROOF_TERMINAL_LEAF) {
    if (proof.length < o + 64) return undefined;
    terminal = { kind: "leaf", keyHash: proof.subarray(o, o + 32), valueHash: proof.subarray(o + 32, o + 64) };
    o += 64;
  }
  const bitmapBytes = (d + 7) >>> 3;
  if (proof.length < o + bitmapBytes) return undefined;
  const bitmap = proof.subarray(o, o + bitmapBytes);
  o += bitmapBytes;
  if ((d & 7) !== 0 && ((bitmap[bitmapBytes - 1] as number) & (0xff >>> (d & 7))) !== 0) return undefined;
  const siblings: Uint8Array[] = [];
  for (let i = 0; i < d; i++) {
    if (((bitmap[i >>> 3] as number) & (0x80 >>> (i & 7))) === 0) {
      siblings.push(ZERO32);
      continue;
    }
    if (proof.length < o + 32) return undefined;
    siblings.push(proof.subarray(o, o + 32));
    o += 32;
  }
  if (o !== proof.length) return undefined;
  return { terminal, depth: d, siblings };
}

/** Pure verification a client can run: true iff the proof shows key -> value (or key absent when value is undefined) under root. */
export function verifyProof(
  root: Uint8Array,
  key: Uint8Array,
  value: Uint8Array | undefined,
  proof: Uint8Array,
): boolean {
  if (!(root instanceof Uint8Array) || root.length !== 32 || !(key instanceof Uint8Array)) return false;
  if (value !== undefined && !(value instanceof Uint8Array)) return false;
  const p = decodeProof(proof);
  if (p === undefined) return false;
  const kh = sha256(key);
  let h: Uint8Array;
  if (p.terminal.kind === "leaf") {
    const t = p.terminal;
    if (value !== undefined) {
      if (!equal(t.keyHash, kh) || !equal(t.valueHash, sha256(value))) return false;
    } else if (equal(t.keyHash, kh) || !prefixEqual(t.keyHash, kh, p.depth)) {
      return false;
    }
    h = node(0x00, t.keyHash, t.valueHash);
  } else {
    if (value !== undefined) return false;
    h = ZERO32;
  }
  for (let i = p.depth - 1; i >= 0; i--) {
    const sib = p.siblings[i] as Uint8Array;
    const bit = ((kh[i >>> 3] as number) >>> (7 - (i & 7))) & 1;
    h = bit === 0 ? node(0x01, h, sib) : node(0x01, sib, h);
  }
  return equal(h, root);
}

function node(prefix: number, a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65);
  buf[0] = prefix;
  buf.set(a, 1);
  buf.set(b, 33);
  return sha256(buf);
}

function isZero(a: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function prefixEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  for (let i = 0; i < bits; i++) {
    const m = 0x80 >>> (i & 7);
    if (((a[i >>> 3] as number) & m) !== ((b[i >>> 3] as number) & m)) return false;
  }
  return true;
}
