/**
 * @module Blob inclusion against a header's data root: celestia-node's `blob.Proof` JSON
 * (`ShareToRowRootProof` NMT proofs + `RowToDataRootProof` RFC 6962 proofs) — parse, verify, build.
 */
import { IntegrityError } from "../../../common/errors.js";
import { bytesEqual, concatBytes } from "../../../common/hash.js";
import { merkleRoot } from "./merkle.js";
import { type MerkleProof, merkleProof, verifyMerkleProof } from "./merkleProof.js";
import { NAMESPACE_SIZE } from "./namespace.js";
import { NMT_NODE_SIZE } from "./nmt.js";
import { type NmtProof, proveNmtRange, verifyNmtInclusion } from "./nmtProof.js";
import { type ShareVersion, splitBlobToShares } from "./shares.js";

/** Largest proofs we accept: a blob spans at most 512 rows of the largest square (celestia max 512). */
const MAX_ROWS = 512;

/** tendermint NMTProof JSON (omitempty fields). */
export interface NmtProofJson {
  start?: number;
  end?: number;
  nodes?: string[];
  leaf_hash?: string;
  is_max_namespace_ignored?: boolean;
}
/** crypto/merkle.Proof JSON (int64s may arrive as strings). */
export interface MerkleProofJson {
  total: number | string;
  index?: number | string;
  leaf_hash: string;
  aunts?: string[];
}
/** celestia-node blob.Proof as its JSON-RPC sends it. */
export interface BlobProofJson {
  ShareToRowRootProof: NmtProofJson[];
  RowToDataRootProof: { row_roots: string[]; proofs: MerkleProofJson[]; start_row?: number; end_row?: number };
}

/** The data availability header a blob is checked against. */
export interface DataRootHeader {
  readonly height: bigint;
  readonly dataHash: Uint8Array;
  readonly rowRoots: readonly Uint8Array[];
  readonly columnRoots: readonly Uint8Array[];
}

export interface BlobToVerify {
  readonly namespace: Uint8Array;
  readonly data: Uint8Array;
  readonly shareVersion: ShareVersion;
  readonly signer?: Uint8Array;
}

const b64 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("base64");
const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex").toUpperCase();

function refuse(why: string, height: bigint): never {
  throw new IntegrityError(`blob is not included under the header's data root: ${why}`, {
    details: "The DA node served a blob it cannot prove is in the block; it has been discarded.",
    meta: { height: height.toString() },
  });
}

function bytesField(v: unknown, what: string, size?: number): Uint8Array {
  if (typeof v !== "string") throw new RangeError(`${what} is not a string`);
  // HexBytes (CometBFT) for row roots, base64 elsewhere: 90-byte roots are 180 hex or 120 base64 characters.
  const out =
    size !== undefined && v.length === size * 2 && /^[0-9a-fA-F]+$/.test(v)
      ? new Uint8Array(Buffer.from(v, "hex"))
      : new Uint8Array(Buffer.from(v, "base64"));
  if (size !== undefined && out.length !== size) throw new RangeError(`${what} is ${out.length} bytes, want ${size}`);
  return out;
}

function int(v: unknown, what: string): number {
  const n = typeof v === "string" && /^\d+$/.test(v) ? Number(v) : v === undefined ? 0 : v;
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} is not an index`);
  return n;
}

function parseProof(raw: unknown): {
  shares: NmtProof[];
  rowRoots: Uint8Array[];
  rows: MerkleProof[];
  startRow: number;
} {
  const o = raw as BlobProofJson | null;
  if (!o || typeof o !== "object" || !Array.isArray(o.ShareToRowRootProof) || typeof o.RowToDataRootProof !== "object")
    throw new RangeError("not a blob.Proof");
  const rp = o.RowToDataRootProof;
  if (!Array.isArray(rp.row_roots) || !Array.isArray(rp.proofs)) throw new RangeError("row proof without roots");
  if (o.ShareToRowRootProof.length > MAX_ROWS || rp.row_roots.length > MAX_ROWS) throw new RangeError("too many rows");
  const shares = o.ShareToRowRootProof.map((p, i) => ({
    start: int(p.start, `share proof ${i} start`),
    end: int(p.end, `share proof ${i} end`),
    nodes: (p.nodes ?? []).map((n, j) => bytesField(n, `share proof ${i} node ${j}`, NMT_NODE_SIZE)),
  }));
  const rows = rp.proofs.map((p, i) => ({
    total: int(p.total, `row proof ${i} total`),
    index: int(p.index, `row proof ${i} index`),
    leafHash: bytesField(p.leaf_hash, `row proof ${i} leaf_hash`, 32),
    aunts: (p.aunts ?? []).map((a, j) => bytesField(a, `row proof ${i} aunt ${j}`, 32)),
  }));
  return {
    shares,
    rowRoots: rp.row_roots.map((r, i) => bytesField(r, `row root ${i}`, NMT_NODE_SIZE)),
    rows,
    startRow: int(rp.start_row, "start_row"),
  };
}

/** Parses the ExtendedHeader fields inclusion needs: `header.data_hash` (hex) and `dah` (base64 roots). */
export function parseDataRootHeader(raw: unknown, height: bigint): DataRootHeader {
  const o = raw as { header?: { data_hash?: unknown }; dah?: { row_roots?: unknown; column_roots?: unknown } } | null;
  const dh = o?.header?.data_hash;
  const rows = o?.dah?.row_roots;
  const cols = o?.dah?.column_roots;
  if (typeof dh !== "string" || !/^[0-9a-fA-F]{64}$/.test(dh) || !Array.isArray(rows) || !Array.isArray(cols))
    refuse("the header has no data_hash or DAH", height);
  if (rows.length === 0 || rows.length > 2 * MAX_ROWS || cols.length !== rows.length)
    refuse("the DAH has a malformed row/column count", height);
  let header: DataRootHeader;
  try {
    header = {
      height,
      dataHash: new Uint8Array(Buffer.from(dh, "hex")),
      rowRoots: rows.map((r, i) => bytesField(r, `DAH row ${i}`, NMT_NODE_SIZE)),
      columnRoots: cols.map((r, i) => bytesField(r, `DAH column ${i}`, NMT_NODE_SIZE)),
    };
  } catch (e) {
    refuse((e as Error).message, height);
  }
  // The data root is the RFC 6962 root of row roots then column roots (celestia DataAvailabilityHeader.Hash).
  if (!bytesEqual(merkleRoot([...header.rowRoots, ...header.columnRoots]), header.dataHash))
    refuse("the DAH does not hash to the header's data_hash", height);
  return header;
}

/**
 * Throws IntegrityError unless `proof` shows every share of `blob` under the header's data root: each
 * row proof proves a DAH row root at its index to data_hash, and each NMT proof proves the next run of
 * the blob's shares (recomputed here from its data, never taken from the node) under that row root.
 */
export function verifyBlobInclusion(blob: BlobToVerify, proofJson: unknown, header: DataRootHeader): void {
  let p: ReturnType<typeof parseProof>;
  try {
    p = parseProof(proofJson);
  } catch (e) {
    refuse(`malformed proof (${(e as Error).message})`, header.height);
  }
  if (p.shares.length === 0 || p.shares.length !== p.rowRoots.length || p.rows.length !== p.rowRoots.length)
    refuse("proof row counts disagree", header.height);
  for (let i = 0; i < p.rows.length; i++) {
    const row = p.rows[i] as MerkleProof;
    const root = p.rowRoots[i] as Uint8Array;
    if (row.index !== p.startRow + i || row.total !== header.rowRoots.length + header.columnRoots.length)
      refuse(`row proof ${i} names the wrong row`, header.height);
    if (!bytesEqual(header.rowRoots[row.index] ?? new Uint8Array(), root))
      refuse(`row root ${i} is not the DAH's row ${row.index}`, header.height);
    if (!verifyMerkleProof(row, header.dataHash, root))
      refuse(`row ${row.index} does not prove to the data root`, header.height);
  }
  const shares = splitBlobToShares(blob.namespace, blob.data, blob.shareVersion, blob.signer);
  let cursor = 0;
  for (let i = 0; i < p.shares.length; i++) {
    const sp = p.shares[i] as NmtProof;
    if (i > 0 && sp.start !== 0) refuse("the blob's rows are not contiguous", header.height);
    const run = shares.slice(cursor, cursor + (sp.end - sp.start));
    if (run.length !== sp.end - sp.start) refuse("the proof covers more shares than the blob has", header.height);
    if (!verifyNmtInclusion(sp, blob.namespace, run, p.rowRoots[i] as Uint8Array))
      refuse(`the blob's shares do not prove to row ${p.startRow + i}`, header.height);
    cursor += run.length;
  }
  if (cursor !== shares.length) refuse("the proof leaves some of the blob's shares out", header.height);
}

/** Builds the blob.Proof JSON for shares [first, first+count) of a k×k square laid out row by row. */
export function buildBlobProof(
  square: readonly Uint8Array[],
  width: number,
  first: number,
  count: number,
  rowRoots: readonly Uint8Array[],
  columnRoots: readonly Uint8Array[],
): BlobProofJson {
  const startRow = Math.floor(first / width);
  const endRow = Math.floor((first + count - 1) / width);
  const allRoots = [...rowRoots, ...columnRoots];
  const shareProofs: NmtProofJson[] = [];
  const proofs: MerkleProofJson[] = [];
  const roots: string[] = [];
  for (let r = startRow; r <= endRow; r++) {
    const leaves = square.slice(r * width, (r + 1) * width).map((s) => concatBytes(s.subarray(0, NAMESPACE_SIZE), s));
    const start = Math.max(first, r * width) - r * width;
    const end = Math.min(first + count, (r + 1) * width) - r * width;
    const np = proveNmtRange(leaves, start, end);
    shareProofs.push({ start: np.start, end: np.end, nodes: np.nodes.map(b64), is_max_namespace_ignored: true });
    const mp = merkleProof(allRoots, r);
    proofs.push({ total: mp.total, index: mp.index, leaf_hash: b64(mp.leafHash), aunts: mp.aunts.map(b64) });
    roots.push(hex(rowRoots[r] as Uint8Array));
  }
  return {
    ShareToRowRootProof: shareProofs,
    RowToDataRootProof: { row_roots: roots, proofs, start_row: startRow, end_row: endRow },
  };
}
