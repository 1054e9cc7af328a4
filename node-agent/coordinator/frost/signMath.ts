/**
 * @module RFC 9591 FROST(Ed25519, SHA-512) signing math on noble's Ed25519 points, with every public point
 * validated once and cached: noble's `signShare`/`verifyShare`/`aggregate` re-run the prime-order-subgroup
 * check (a full scalar multiplication, ≈ 0.8 ms) for the group key, each verifying share and each nonce
 * commitment on every call, which made up most of a 3-of-4 signing's CPU. Shares are checked in one
 * multi-scalar multiplication with random weights; `frost.test.ts`/`signMath.test.ts` compare every output
 * with noble's reference implementation and the RFC vectors.
 */
import { randomBytes } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { mulAddUnsafe } from "@noble/curves/abstract/curve.js";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { concatBytes, toHex } from "../../../common/hash.js";

const Point = ed25519.Point;
type Point = InstanceType<typeof Point>;
const Fn = Point.Fn;
const L = Fn.ORDER;
const CONTEXT = "FROST-ED25519-SHA512-v1";
const enc = new TextEncoder();
const RHO = enc.encode(`${CONTEXT}rho`);
const MSG = enc.encode(`${CONTEXT}msg`);
const COM = enc.encode(`${CONTEXT}com`);

/** One signer's entry in the commitment list (participant index 1..n, 32-byte points). */
export interface CommitmentEntry {
  readonly index: number;
  readonly hiding: Uint8Array;
  readonly binding: Uint8Array;
}

function leToScalar(b: Uint8Array): bigint {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x % L;
}
const hashToScalar = (...parts: Uint8Array[]) => leToScalar(sha512(concatBytes(...parts)));
const scalarBytes = (x: bigint) => Fn.toBytes(x);

/** Validated points by their encoding. Bounded: cleared when full (entries are cheap to re-validate). */
const MAX_CACHED = 4096;
const cache = new Map<string, Point>();

/** RFC 9591 §3.1 DeserializeElement: on the curve, not the identity, in the prime-order subgroup — once per point. */
export function validPoint(bytes: Uint8Array): Point {
  if (bytes.length !== 32) throw new Error("point must be 32 bytes");
  const key = toHex(bytes);
  const hit = cache.get(key);
  if (hit) return hit;
  const p = Point.fromBytes(bytes);
  p.assertValidity();
  if (p.is0()) throw new Error("invalid point: identity");
  if (!p.isTorsionFree()) throw new Error("invalid point: not in the prime-order subgroup");
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, p);
  return p;
}

/** Whether this encoding was already validated (and is cached): signing will not re-check it. */
export function isValidated(bytes: Uint8Array): boolean {
  return cache.has(toHex(bytes));
}

/**
 * Validates (and caches) each commitment's two points ahead of signing, one commitment per turn of the event loop
 * (up to two scalar multiplications), so a batch checked in the background never holds a signing up for longer
 * than that. Rejects with the first bad one, named by its participant index.
 */
export async function validateInTurns(
  list: readonly { readonly participantIndex: number; readonly hiding: Uint8Array; readonly binding: Uint8Array }[],
): Promise<void> {
  for (const c of list) {
    if (isValidated(c.hiding) && isValidated(c.binding)) continue;
    await nextTurn();
    try {
      validPoint(c.hiding);
      validPoint(c.binding);
    } catch (e) {
      throw new Error(`commitment ${c.participantIndex}: ${(e as Error).message}`);
    }
  }
}

/** Lagrange coefficient of participant `i` over the signer set `ids` at x = 0 (RFC 9591 §4.2). */
function lambda(ids: readonly bigint[], i: bigint): bigint {
  let num = 1n;
  let den = 1n;
  for (const x of ids) {
    if (x === i) continue;
    num = (num * x) % L;
    den = (den * (((x - i) % L) + L)) % L;
  }
  return Fn.div(num, den);
}

/** Everything the signers and the aggregator derive from (group key, commitment list, message). */
export interface SigningContext {
  readonly groupKey: Point;
  readonly groupKeyBytes: Uint8Array;
  /** Entries sorted by index. */
  readonly list: readonly CommitmentEntry[];
  readonly rho: ReadonlyMap<number, bigint>;
  readonly lambda: ReadonlyMap<number, bigint>;
  /** The group commitment R. */
  readonly R: Point;
  readonly challenge: bigint;
}

/** RFC 9591 §4.4–4.6: binding factors, group commitment, challenge and Lagrange coefficients. */
export function signingContext(
  groupPublicKey: Uint8Array,
  entries: readonly CommitmentEntry[],
  message: Uint8Array,
): SigningContext {
  const list = [...entries].sort((a, b) => a.index - b.index);
  for (let k = 1; k < list.length; k++) {
    if (list[k]!.index === list[k - 1]!.index) throw new Error("duplicate signer in the commitment list");
  }
  const groupKey = validPoint(groupPublicKey);
  const encoded: Uint8Array[] = [];
  for (const c of list) encoded.push(scalarBytes(BigInt(c.index)), c.hiding, c.binding);
  const prefix = concatBytes(groupPublicKey, sha512(concatBytes(MSG, message)), sha512(concatBytes(COM, ...encoded)));
  const rho = new Map<number, bigint>();
  const points: Point[] = [];
  const scalars: bigint[] = [];
  let hidingSum = Point.ZERO;
  for (const c of list) {
    const r = hashToScalar(RHO, prefix, scalarBytes(BigInt(c.index)));
    rho.set(c.index, r);
    hidingSum = hidingSum.add(validPoint(c.hiding));
    points.push(validPoint(c.binding));
    scalars.push(r);
  }
  const R = hidingSum.add(mulAddUnsafe(Point, points, scalars));
  const challenge = hashToScalar(R.toBytes(), groupPublicKey, message);
  const ids = list.map((c) => BigInt(c.index));
  const lambdas = new Map<number, bigint>();
  for (const c of list) lambdas.set(c.index, lambda(ids, BigInt(c.index)));
  return { groupKey, groupKeyBytes: groupPublicKey, list, rho, lambda: lambdas, R, challenge };
}

/**
 * RFC 9591 §5.2 sign: z_i = d_i + e_i·ρ_i + λ_i·s_i·c. `nonces` are the two 32-byte little-endian scalars
 * behind this signer's entry; the caller must have checked the entry is its own and spent the nonces.
 */
export function signShare(
  ctx: SigningContext,
  index: number,
  signingShare: Uint8Array,
  nonces: { hiding: Uint8Array; binding: Uint8Array },
): Uint8Array {
  const rho = ctx.rho.get(index);
  const lam = ctx.lambda.get(index);
  if (rho === undefined || lam === undefined) throw new Error("signer is not in the commitment list");
  const d = Fn.fromBytes(nonces.hiding);
  const e = Fn.fromBytes(nonces.binding);
  if (d === 0n || e === 0n) throw new Error("signing nonces already used");
  const s = Fn.fromBytes(signingShare);
  return scalarBytes(Fn.add(Fn.add(d, Fn.mul(e, rho)), Fn.mul(Fn.mul(lam, s), ctx.challenge)));
}

/** One share against its verifying share: z_i·G = D_i + ρ_i·E_i + c·λ_i·Y_i. */
export function verifyShare(
  ctx: SigningContext,
  index: number,
  verifyingShare: Uint8Array,
  share: Uint8Array,
): boolean {
  return verifyShares(ctx, new Map([[index, { verifyingShare, share }]]), false);
}

/**
 * All shares at once: Σ w_i·z_i·G = Σ w_i·D_i + Σ w_i·ρ_i·E_i + Σ w_i·c·λ_i·Y_i with random 128-bit weights,
 * one multi-scalar multiplication. A false share passes only with probability 2^-128; on `false` the caller
 * checks shares one by one (weights 1) to name the culprit.
 */
export function verifyShares(
  ctx: SigningContext,
  shares: ReadonlyMap<number, { verifyingShare: Uint8Array; share: Uint8Array }>,
  weighted = true,
): boolean {
  const points: Point[] = [];
  const scalars: bigint[] = [];
  let zSum = 0n;
  for (const c of ctx.list) {
    const s = shares.get(c.index);
    if (!s) continue;
    if (s.share.length !== 32) return false;
    const z = leToScalarStrict(s.share);
    if (z === undefined) return false;
    const w = weighted ? leToScalar(randomBytes(16)) || 1n : 1n;
    zSum = Fn.add(zSum, Fn.mul(w, z));
    points.push(validPoint(c.hiding), validPoint(c.binding), validPoint(s.verifyingShare));
    scalars.push(w, Fn.mul(w, ctx.rho.get(c.index)!), Fn.mul(w, Fn.mul(ctx.challenge, ctx.lambda.get(c.index)!)));
  }
  if (points.length / 3 !== shares.size) return false; // a share for someone not in the list
  const rhs = mulAddUnsafe(Point, points, scalars);
  const lhs = zSum === 0n ? Point.ZERO : Point.BASE.multiplyUnsafe(zSum);
  return lhs.equals(rhs);
}

/** A canonical scalar (< L), or undefined. */
function leToScalarStrict(b: Uint8Array): bigint | undefined {
  let x = 0n;
  for (let i = b.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(b[i]!);
  return x < L ? x : undefined;
}

/** RFC 9591 §5.3 aggregate: the 64-byte Ed25519 signature R || Σ z_i. Check it before use. */
export function aggregate(ctx: SigningContext, shares: readonly Uint8Array[]): Uint8Array {
  let z = 0n;
  for (const s of shares) {
    const v = leToScalarStrict(s);
    if (v === undefined) throw new Error("signature share is not a canonical scalar");
    z = Fn.add(z, v);
  }
  return concatBytes(ctx.R.toBytes(), scalarBytes(z));
}
