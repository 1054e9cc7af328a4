/** @module Upload declarations: the uploader's ADR-036-signed statement of a file's stored objects, and its checks. */
import { adr036Sign, adr036Verify } from "../../../common/adr036.js";
import { bytesEqual, concatBytes, sha256OneShot } from "../../../common/hash.js";
import { pubKeyToAddress } from "../../../common/secp256k1.js";
import { UploadDeclaration } from "../../../proto/gen/dsdn/da/v1/events.js";
import { merkleRoot } from "../commitment/merkle.js";
import { declaredLeafHash, verifyDeclaredPath } from "./declarationPath.js";
import { UPLOAD_DECLARATION_SIGN_DOMAIN } from "./format.js";

/** A file may declare at most this many stored objects (chunks + its manifest). */
export const MAX_DECLARED_OBJECTS = 1 << 16;
/** …and at most this many bytes in total (1 TiB). */
export const MAX_DECLARED_BYTES = 1n << 40n;
/** A declaration is valid for at most this many DA heights after the head its uploader had seen. */
export const MAX_DECLARATION_LIFETIME = 100_000n;

export interface DeclaredObject {
  readonly cid: string;
  readonly size: bigint;
}

/** Leaf of the declared list: "cid\0" || uint64be(size). */
export function declaredLeaf(o: DeclaredObject): Uint8Array {
  const size = new Uint8Array(8);
  new DataView(size.buffer).setBigUint64(0, o.size);
  return concatBytes(new TextEncoder().encode(`${o.cid}\0`), size);
}

/** sha256 of the parts joined: one copy and one one-shot hash (cheaper than a Hash object per tree node). */
function h(...parts: Uint8Array[]): Uint8Array {
  return sha256OneShot(parts.length === 1 ? parts[0]! : concatBytes(...parts));
}

/** RFC 6962 root of the list plus every leaf's audit path (leaf upward), in O(n log n). */
export function declaredListTree(list: readonly DeclaredObject[]): { root: Uint8Array; proofs: Uint8Array[][] } {
  const leaves = list.map(declaredLeaf);
  const proofs: Uint8Array[][] = leaves.map(() => []);
  const build = (lo: number, hi: number): Uint8Array => {
    if (hi - lo === 1) return h(Uint8Array.of(0), leaves[lo]!);
    let k = 1;
    while (k * 2 < hi - lo) k *= 2;
    const left = build(lo, lo + k);
    const right = build(lo + k, hi);
    for (let i = lo; i < lo + k; i++) proofs[i]!.push(right);
    for (let i = lo + k; i < hi; i++) proofs[i]!.push(left);
    return h(Uint8Array.of(1), left, right);
  };
  const root = leaves.length === 0 ? merkleRoot([]) : build(0, leaves.length);
  return { root, proofs };
}

/** RFC 9162 §2.1.3.2 inclusion check of `o` at `index` in a list of `count` under `root`. */
export function verifyDeclaredObject(
  o: DeclaredObject,
  index: number,
  count: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(index >= 0 && index < count) || proof.length > 64) return false;
  return verifyDeclaredPath(declaredLeafHash(o.cid, o.size), index, count, proof, root);
}

/** The data an uploader signs (ADR-036 `data`): domain || the declaration with `signature` empty. */
export function declarationSignData(d: Partial<UploadDeclaration>): Uint8Array {
  const unsigned = UploadDeclaration.fromPartial({ ...d, signature: Buffer.alloc(0) });
  return concatBytes(UPLOAD_DECLARATION_SIGN_DOMAIN, UploadDeclaration.encode(unsigned).finish());
}

export interface DeclarationInput {
  readonly manifestCid: string;
  readonly objects: readonly DeclaredObject[];
  readonly signedAtHeight: bigint;
  /** Default: signedAtHeight + 10 000 DA heights. */
  readonly expiresAtHeight?: bigint;
}

/** Builds and signs a declaration with an account key; returns it with every object's audit path. */
export function signUploadDeclaration(
  input: DeclarationInput,
  key: { readonly secretKey: Uint8Array; readonly publicKey: Uint8Array },
): { declaration: UploadDeclaration; proofs: Uint8Array[][] } {
  const { root, proofs } = declaredListTree(input.objects);
  const base: Partial<UploadDeclaration> = {
    manifestCid: input.manifestCid,
    chunksRoot: Buffer.from(root),
    chunkCount: BigInt(input.objects.length),
    totalSize: input.objects.reduce((n, o) => n + o.size, 0n),
    signedAtHeight: input.signedAtHeight,
    expiresAtHeight: input.expiresAtHeight ?? input.signedAtHeight + 10_000n,
    uploader: pubKeyToAddress(key.publicKey),
    uploaderPublicKey: Buffer.from(key.publicKey),
  };
  const signature = adr036Sign(declarationSignData(base), key.secretKey, key.publicKey);
  return { declaration: UploadDeclaration.fromPartial({ ...base, signature: Buffer.from(signature) }), proofs };
}

/** Field limits; a reason string, or undefined when the declaration is well-formed. */
export function checkDeclarationFields(d: UploadDeclaration): string | undefined {
  if (d.chunksRoot.length !== 32) return "declaration chunks_root must be 32 bytes";
  if (d.chunkCount < 1n || d.chunkCount > BigInt(MAX_DECLARED_OBJECTS))
    return `declaration chunk_count must be 1–${MAX_DECLARED_OBJECTS}`;
  if (d.totalSize < 1n || d.totalSize > MAX_DECLARED_BYTES)
    return `declaration total_size must be 1–${MAX_DECLARED_BYTES} bytes`;
  if (d.expiresAtHeight <= d.signedAtHeight || d.expiresAtHeight - d.signedAtHeight > MAX_DECLARATION_LIFETIME)
    return `declaration must expire 1–${MAX_DECLARATION_LIFETIME} DA heights after it was signed`;
  return undefined;
}

/**
 * Verified declarations by signature (many chunks share one declaration: verify it once). A hit must carry the
 * very fields that were verified; comparing them is the same test as comparing the signed bytes (those are the
 * canonical encoding of exactly these fields) without re-encoding the declaration for every chunk.
 */
const verified = new Map<string, UploadDeclaration>();
/** The entry of `verified` hit or added last, with its signature (a copy). */
let lastVerified: { readonly signature: Uint8Array; readonly fields: UploadDeclaration } | undefined;

function sameSignedFields(a: UploadDeclaration, b: UploadDeclaration): boolean {
  return (
    a.manifestCid === b.manifestCid &&
    a.chunkCount === b.chunkCount &&
    a.totalSize === b.totalSize &&
    a.signedAtHeight === b.signedAtHeight &&
    a.expiresAtHeight === b.expiresAtHeight &&
    a.uploader === b.uploader &&
    bytesEqual(a.chunksRoot, b.chunksRoot) &&
    bytesEqual(a.uploaderPublicKey, b.uploaderPublicKey)
  );
}

/** True when the declaration is signed (ADR-036) by the account it names. */
export function verifyUploadDeclaration(d: UploadDeclaration): boolean {
  const sig = d.signature;
  // A file's chunks come one after another: the last declaration verified is checked first, without a map key.
  const last = lastVerified;
  if (last && bytesEqual(last.signature, sig)) return sameSignedFields(last.fields, d);
  const id = Buffer.from(sig.buffer, sig.byteOffset, sig.byteLength).toString("latin1");
  const hit = verified.get(id);
  if (hit) {
    lastVerified = { signature: new Uint8Array(sig), fields: hit };
    return sameSignedFields(hit, d);
  }
  const ok = adr036Verify(d.uploader, declarationSignData(d), d.uploaderPublicKey, d.signature);
  if (ok) {
    if (verified.size >= 4096) verified.delete(verified.keys().next().value as string);
    // A copy of the fields: the caller's object (or its buffers) may be reused after this returns.
    const fields = UploadDeclaration.fromPartial({ ...d, signature: Buffer.alloc(0) });
    verified.set(id, fields);
    lastVerified = { signature: new Uint8Array(sig), fields };
  }
  return ok;
}

/** The declaration object returned last by `sharedDeclaration`. */
let lastShared: UploadDeclaration | undefined;

/**
 * `d`, or the previous declaration passed here when it has the very same fields and signature (equal bytes when
 * encoded): the chunks of a file come one after another, and the state then holds one declaration object per file
 * instead of one per chunk. The object returned must not be modified.
 */
export function sharedDeclaration(d: UploadDeclaration): UploadDeclaration {
  const s = lastShared;
  if (s !== undefined && s !== d && bytesEqual(s.signature, d.signature) && sameSignedFields(s, d)) return s;
  lastShared = d;
  return d;
}
