/** @module Sparse share splitting (go-square share/split_sparse.go): one blob → 512-byte shares. */
import { InvalidArgumentError } from "../../../common/errors.js";
import { NAMESPACE_SIZE } from "./namespace.js";

export const SHARE_SIZE = 512;
export const SHARE_INFO_BYTES = 1;
export const SEQUENCE_LEN_BYTES = 4;
export const SIGNER_SIZE = 20;
/** Data bytes in the first share of a v0 blob: 512 − 29 − 1 − 4. */
export const FIRST_SPARSE_SHARE_CONTENT_SIZE = SHARE_SIZE - NAMESPACE_SIZE - SHARE_INFO_BYTES - SEQUENCE_LEN_BYTES;
/** Data bytes in every following share: 512 − 29 − 1. */
export const CONTINUATION_SPARSE_SHARE_CONTENT_SIZE = SHARE_SIZE - NAMESPACE_SIZE - SHARE_INFO_BYTES;
export const SHARE_VERSION_ZERO = 0;
export const SHARE_VERSION_ONE = 1;
/** The share format stores the blob length in a u32. */
export const MAX_BLOB_SIZE = 0xffff_ffff;

export type ShareVersion = 0 | 1;

function firstShareCapacity(shareVersion: ShareVersion): number {
  return FIRST_SPARSE_SHARE_CONTENT_SIZE - (shareVersion === SHARE_VERSION_ONE ? SIGNER_SIZE : 0);
}

/** How many sparse shares a blob of `dataLength` bytes occupies. */
export function sparseSharesNeeded(dataLength: number, shareVersion: ShareVersion = 0): number {
  const first = firstShareCapacity(shareVersion);
  if (dataLength <= first) return 1;
  return 1 + Math.ceil((dataLength - first) / CONTINUATION_SPARSE_SHARE_CONTENT_SIZE);
}

/** Checks the (share version, signer) pairing go-square's NewBlob enforces. */
export function checkBlobShape(data: Uint8Array, shareVersion: number, signer: Uint8Array | undefined): void {
  if (data.length === 0) throw new InvalidArgumentError("data can not be empty");
  if (data.length > MAX_BLOB_SIZE)
    throw new InvalidArgumentError(`blob of ${data.length} bytes exceeds the u32 length field`);
  if (shareVersion === SHARE_VERSION_ZERO) {
    if (signer !== undefined && signer.length > 0)
      throw new InvalidArgumentError("share version 0 does not support signer");
  } else if (shareVersion === SHARE_VERSION_ONE) {
    if (signer === undefined || signer.length !== SIGNER_SIZE) {
      throw new InvalidArgumentError(`share version 1 requires a ${SIGNER_SIZE}-byte signer`);
    }
  } else {
    throw new InvalidArgumentError(`unsupported share version ${shareVersion}`);
  }
}

/**
 * Splits one blob into sparse shares:
 * `namespace(29) | info = (version << 1) | isFirst | [first: u32 BE data length | v1: signer(20)] | data…`,
 * the last share zero-padded to 512 bytes.
 */
export function splitBlobToShares(
  namespace: Uint8Array,
  data: Uint8Array,
  shareVersion: ShareVersion = SHARE_VERSION_ZERO,
  signer?: Uint8Array,
): Uint8Array[] {
  checkBlobShape(data, shareVersion, signer);
  if (namespace.length !== NAMESPACE_SIZE) throw new InvalidArgumentError(`namespace must be ${NAMESPACE_SIZE} bytes`);
  const count = sparseSharesNeeded(data.length, shareVersion);
  const shares: Uint8Array[] = new Array(count);
  let cursor = 0;
  for (let i = 0; i < count; i++) {
    const share = new Uint8Array(SHARE_SIZE);
    share.set(namespace, 0);
    let o = NAMESPACE_SIZE;
    share[o++] = (shareVersion << 1) | (i === 0 ? 1 : 0);
    if (i === 0) {
      new DataView(share.buffer).setUint32(o, data.length, false);
      o += SEQUENCE_LEN_BYTES;
      if (shareVersion === SHARE_VERSION_ONE) {
        share.set(signer as Uint8Array, o);
        o += SIGNER_SIZE;
      }
    }
    const take = Math.min(SHARE_SIZE - o, data.length - cursor);
    share.set(data.subarray(cursor, cursor + take), o);
    cursor += take;
    shares[i] = share;
  }
  return shares;
}
