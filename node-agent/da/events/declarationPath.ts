/**
 * @module The RFC 9162 inclusion check of a declared object, hashed into scratch buffers and memoized per tree
 * position: the chunks of one file share their declaration's upper tree levels, so each is hashed once.
 */
import { sha256OneShot } from "../../../common/hash.js";

let leafScratch = Buffer.allocUnsafe(256);
const nodeScratch = Buffer.allocUnsafe(65);
nodeScratch[0] = 1;

/** sha256(0x00 ‖ cid ‖ 0x00 ‖ uint64be(size)): the leaf hash of `declaredLeaf`, without intermediate copies. */
export function declaredLeafHash(cid: string, size: bigint): Buffer {
  const max = 1 + 3 * cid.length + 9;
  if (leafScratch.length < max) leafScratch = Buffer.allocUnsafe(max);
  leafScratch[0] = 0;
  // Buffer's UTF-8 writer replaces lone surrogates as TextEncoder does (tested against declaredLeaf).
  const n = leafScratch.write(cid, 1, "utf8");
  leafScratch[1 + n] = 0;
  leafScratch.writeBigUInt64BE(BigInt.asUintN(64, size), 2 + n);
  return sha256OneShot(leafScratch.subarray(0, 10 + n));
}

function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 33);
  return sha256OneShot(nodeScratch);
}

/**
 * Positions already proven under a root: (root, fn, sn) → the node value there and the rest of the path that
 * led from it to the root. The check is a pure function of (node, fn, sn, rest of path, root), so a hit on all
 * of them is the same answer without the hashing (memoization, not a weaker check). Bounded: cleared when full.
 */
const proven = new Map<
  string,
  Map<number, { readonly node: Buffer; readonly rest: Buffer; readonly restFrom: number; readonly restCount: number }>
>();
let provenEntries = 0;
/** The root looked up last (a copy) and its key in `proven`. */
let lastRoot: Buffer | undefined;
let lastRootId = "";
const MAX_PROVEN_ENTRIES = 65_536;
/** fn and sn are packed into one number key; larger trees are checked without the memo. */
const MEMO_MAX_COUNT = 1 << 20;

/** proof[from…] equals the remembered rest of a path (`restCount` 32-byte entries at `rest[restFrom…]`). */
function sameRest(
  proof: readonly Uint8Array[],
  from: number,
  hit: { readonly rest: Buffer; readonly restFrom: number; readonly restCount: number },
): boolean {
  if (proof.length - from !== hit.restCount) return false;
  const { rest, restFrom } = hit;
  for (let j = 0; j < hit.restCount; j++) {
    const p = proof[from + j]!;
    if (p.length !== 32) return false;
    const o = restFrom + 32 * j;
    for (let b = 0; b < 32; b++) if (p[b] !== rest[o + b]) return false;
  }
  return true;
}

/** RFC 9162 §2.1.3.2: is `leaf` (a leaf hash) at `index` of a list of `count` under `root` by `proof`? */
export function verifyDeclaredPath(
  leaf: Buffer,
  index: number,
  count: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!(index >= 0 && index < count) || proof.length > 64 || root.length !== 32) return false;
  const memo = count <= MEMO_MAX_COUNT;
  // The chunks of one file come one after another: the last root's id is reused without building a key string.
  let rootId = "";
  if (memo) {
    if (lastRoot?.equals(root)) rootId = lastRootId;
    else {
      rootId = Buffer.from(root.buffer, root.byteOffset, 32).toString("latin1");
      lastRoot = Buffer.from(root);
      lastRootId = rootId;
    }
  }
  const known = memo ? proven.get(rootId) : undefined;
  let fn = index;
  let sn = count - 1;
  let r = leaf;
  // States passed (fn, sn, node, proof position), remembered once the root matches.
  const passed: { fn: number; sn: number; node: Buffer; at: number }[] = [];
  for (let k = 0; ; k++) {
    if (known) {
      const hit = known.get(fn * MEMO_MAX_COUNT + sn);
      if (hit?.node.equals(r) && sameRest(proof, k, hit)) {
        remember(rootId, passed, proof);
        return true;
      }
    }
    if (memo) passed.push({ fn, sn, node: r, at: k });
    if (k === proof.length) break;
    const p = proof[k]!;
    if (sn === 0 || p.length !== 32) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0)
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0 || !r.equals(root)) return false;
  if (memo) remember(rootId, passed, proof);
  return true;
}

function remember(
  rootId: string,
  passed: readonly { fn: number; sn: number; node: Buffer; at: number }[],
  proof: readonly Uint8Array[],
): void {
  if (passed.length === 0) return;
  if (provenEntries + passed.length > MAX_PROVEN_ENTRIES) {
    proven.clear();
    provenEntries = 0;
  }
  let m = proven.get(rootId);
  if (!m) {
    m = new Map();
    proven.set(rootId, m);
  }
  // Copies, once per call: the caller's leaf and proof buffers may be reused after this returns (inner nodes are
  // this module's own hashes). Every remembered state shares the one copy of the proof.
  let all: Buffer | undefined;
  for (const s of passed) {
    const key = s.fn * MEMO_MAX_COUNT + s.sn;
    if (m.has(key)) continue;
    if (!all) {
      all = Buffer.allocUnsafe(32 * proof.length);
      for (let j = 0; j < proof.length; j++) all.set(proof[j]!, 32 * j);
    }
    const node = s.at === 0 ? Buffer.from(s.node) : s.node;
    m.set(key, { node, rest: all, restFrom: 32 * s.at, restCount: proof.length - s.at });
    provenEntries++;
  }
}
