/**
 * @module Builds one local DA height: blobs laid out in namespace order with the ADR-013 alignment,
 * the original (unextended) square's NMT row/column roots, and the ExtendedHeader JSON.
 */
import { createHash } from "node:crypto";
import { concatBytes, toHex } from "../../../common/hash.js";
import { SUBTREE_ROOT_THRESHOLD } from "../commitment/commitment.js";
import { merkleRoot, roundUpPowerOfTwo, subtreeWidth } from "../commitment/merkle.js";
import { NAMESPACE_SIZE } from "../commitment/namespace.js";
import { nmtRoot } from "../commitment/nmt.js";
import { SHARE_SIZE, type ShareVersion, splitBlobToShares } from "../commitment/shares.js";
import type { StoredBlob, StoredHeader } from "./store.js";

/** A blob accepted by blob.Submit and waiting for the next height. */
export interface PendingBlob {
  readonly namespace: Uint8Array;
  readonly data: Uint8Array;
  readonly shareVersion: ShareVersion;
  readonly commitment: Uint8Array;
  readonly signer?: Uint8Array;
}

/** Reserved namespaces used to fill the square (go-square share/namespace.go). */
const PAY_FOR_BLOB_NAMESPACE = (() => {
  const ns = new Uint8Array(NAMESPACE_SIZE);
  ns[NAMESPACE_SIZE - 1] = 0x04;
  return ns;
})();
const TAIL_PADDING_NAMESPACE = (() => {
  const ns = new Uint8Array(NAMESPACE_SIZE).fill(0xff);
  ns[NAMESPACE_SIZE - 1] = 0xfe;
  return ns;
})();

function paddingShare(namespace: Uint8Array): Uint8Array {
  const s = new Uint8Array(SHARE_SIZE);
  s.set(namespace, 0);
  s[NAMESPACE_SIZE] = 1; // share version 0, sequence start, sequence length 0
  return s;
}

const nsOf = (share: Uint8Array) => share.subarray(0, NAMESPACE_SIZE);

/** A laid-out square: k×k shares row by row, and where each blob's first share went. */
export interface Square {
  readonly square: readonly Uint8Array[];
  readonly width: number;
  readonly shareIndexes: readonly number[];
}

/**
 * Lays blobs (already in namespace order) out like a data square: one reserved share for the
 * PayForBlobs transactions, then each blob at the next multiple of its subtree width (so its
 * commitment's subtree roots are roots of the square's NMTs), gaps padded with the previous
 * namespace, the tail with tail padding.
 */
export function layoutSquare(
  ordered: readonly Pick<PendingBlob, "namespace" | "data" | "shareVersion" | "signer">[],
): Square {
  const square: Uint8Array[] = [paddingShare(PAY_FOR_BLOB_NAMESPACE)];
  const shareIndexes: number[] = [];
  for (const b of ordered) {
    const shares = splitBlobToShares(b.namespace, b.data, b.shareVersion, b.signer);
    const width = subtreeWidth(shares.length, SUBTREE_ROOT_THRESHOLD);
    while (square.length % width !== 0) square.push(paddingShare(nsOf(square[square.length - 1] as Uint8Array)));
    shareIndexes.push(square.length);
    square.push(...shares);
  }
  const k = roundUpPowerOfTwo(Math.ceil(Math.sqrt(square.length)));
  while (square.length < k * k) square.push(paddingShare(TAIL_PADDING_NAMESPACE));
  return { square, width: k, shareIndexes };
}

/** The square of a stored height, rebuilt from all its blobs in stored order (for proofs). */
export function squareOf(blobs: readonly StoredBlob[]): Square {
  const ordered = [...blobs].sort((a, b) => a.idx - b.idx);
  return layoutSquare(
    ordered.map((b) => ({
      namespace: b.namespace,
      data: b.data,
      shareVersion: b.shareVersion as ShareVersion,
      ...(b.signer ? { signer: b.signer } : {}),
    })),
  );
}

export interface BuiltBlock {
  readonly header: StoredHeader;
  readonly blobs: StoredBlob[];
}

/**
 * Seals one height: the square's NMT row and column roots and the data root over them. Roots are over
 * the original square only (no Reed-Solomon extension), so the data root is not byte-identical to
 * Celestia's for the same blobs; proofs have Celestia's shape and verify the same way.
 */
export function buildBlock(
  height: number,
  lastHash: Uint8Array,
  pending: readonly PendingBlob[],
  time: Date,
): BuiltBlock {
  const ordered = pending
    .map((b, i) => ({ b, i }))
    .sort((x, y) => Buffer.compare(x.b.namespace, y.b.namespace) || x.i - y.i)
    .map((x) => x.b);
  const { square, width: k, shareIndexes } = layoutSquare(ordered);
  const blobs: StoredBlob[] = ordered.map((b, idx) => ({
    height,
    idx,
    namespace: b.namespace,
    data: b.data,
    shareVersion: b.shareVersion,
    commitment: b.commitment,
    signer: b.signer ?? null,
    shareIndex: shareIndexes[idx] as number,
  }));
  const leaf = (r: number, c: number) => {
    const s = square[r * k + c] as Uint8Array;
    return concatBytes(nsOf(s), s);
  };
  const rowRoots: Uint8Array[] = [];
  const columnRoots: Uint8Array[] = [];
  for (let r = 0; r < k; r++) rowRoots.push(nmtRoot(Array.from({ length: k }, (_, c) => leaf(r, c))));
  for (let c = 0; c < k; c++) columnRoots.push(nmtRoot(Array.from({ length: k }, (_, r) => leaf(r, c))));
  const dataHash = merkleRoot([...rowRoots, ...columnRoots]);
  const iso = time.toISOString();
  const hash = new Uint8Array(
    createHash("sha256")
      .update(JSON.stringify({ height, time: iso, lastHash: toHex(lastHash), dataHash: toHex(dataHash) }))
      .digest(),
  );
  return { header: { height, time: iso, hash, lastHash, dataHash, rowRoots, columnRoots }, blobs };
}

const HEX = (b: Uint8Array) => toHex(b).toUpperCase();
const EMPTY_HASH = HEX(createHash("sha256").digest());

/** ExtendedHeader JSON as celestia-node serves it (tmjson: int64 heights are strings). */
export function extendedHeaderJson(h: StoredHeader, chainId: string): Record<string, unknown> {
  const blockId = { hash: HEX(h.hash), parts: { total: 1, hash: HEX(h.hash) } };
  return {
    header: {
      version: { block: "11", app: "3" },
      chain_id: chainId,
      height: String(h.height),
      time: h.time,
      last_block_id: { hash: HEX(h.lastHash), parts: { total: 1, hash: HEX(h.lastHash) } },
      last_commit_hash: EMPTY_HASH,
      data_hash: HEX(h.dataHash),
      validators_hash: EMPTY_HASH,
      next_validators_hash: EMPTY_HASH,
      consensus_hash: EMPTY_HASH,
      app_hash: EMPTY_HASH,
      last_results_hash: EMPTY_HASH,
      evidence_hash: EMPTY_HASH,
      proposer_address: "",
    },
    commit: { height: String(h.height), round: 0, block_id: blockId, signatures: [] },
    validator_set: { validators: [], proposer: null },
    dah: {
      row_roots: h.rowRoots.map((r) => Buffer.from(r).toString("base64")),
      column_roots: h.columnRoots.map((r) => Buffer.from(r).toString("base64")),
    },
  };
}
